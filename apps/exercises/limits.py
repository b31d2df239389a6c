"""Which exercises a member limited to some establishments may see, and change (``apps.core.tenancy``).

An exercise covers establishments (``ExerciseEstablishment``: those chosen, and those of its activities and
sites, recorded by the service).
- visible: it covers an allowed establishment, or none at all yet;
- writable: every establishment it covers is allowed — an exercise run across two establishments of a GHT is
  read-only for a member allowed on one of them.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q


def _covered(ids: frozenset[int], *, inside: bool) -> Exists:
    from apps.exercises.models import ExerciseEstablishment

    rows = ExerciseEstablishment._base_manager.filter(exercise=OuterRef("pk"))
    rows = rows.filter(establishment_id__in=ids) if inside else rows.exclude(establishment_id__in=ids)
    return Exists(rows)


def _any() -> Exists:
    from apps.exercises.models import ExerciseEstablishment

    return Exists(ExerciseEstablishment._base_manager.filter(exercise=OuterRef("pk")))


def exercise_visible(ids: frozenset[int]) -> Q:
    return Q(_covered(ids, inside=True)) | ~Q(_any())


def exercise_writable(ids: frozenset[int]) -> Q:
    return ~Q(_covered(ids, inside=False))
