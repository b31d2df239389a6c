"""Which plans a member limited to some establishments may see, and change (``apps.core.tenancy``).

A plan's establishments are its own ``establishment`` and those of the activities of its perimeter.
- visible: the plan names an allowed establishment, or names none and its perimeter touches an allowed
  establishment (or is still empty);
- writable: every establishment it touches is allowed — a plan spanning several establishments is
  read-only for a member allowed on only some of them.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q


def _perimeter(ids: frozenset[int], *, inside: bool) -> Exists:
    from apps.continuity.models import PlanActivity

    rows = PlanActivity._base_manager.filter(plan=OuterRef("pk"))
    rows = rows.filter(activity__establishment_id__in=ids) if inside else rows.exclude(
        activity__establishment_id__in=ids)
    return Exists(rows)


def _any_activity() -> Exists:
    from apps.continuity.models import PlanActivity

    return Exists(PlanActivity._base_manager.filter(plan=OuterRef("pk")))


def plan_visible(ids: frozenset[int]) -> Q:
    return Q(establishment_id__in=ids) | (
        Q(establishment__isnull=True) & (Q(_perimeter(ids, inside=True)) | ~Q(_any_activity())))


def plan_writable(ids: frozenset[int]) -> Q:
    return (Q(establishment_id__in=ids) | Q(establishment__isnull=True)) & ~Q(_perimeter(ids, inside=False))
