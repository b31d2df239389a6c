"""What every exercise page shares: the exercise looked up through the organization (and the member's
establishments), read-only when it spans an establishment the member may not change."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from apps.core import tenancy
from apps.core.tenancy import EstablishmentLimitError
from apps.core.views import OrgViewMixin
from apps.exercises import selectors
from apps.exercises.models import Exercise

M = TypeVar("M", bound=Model)


class ExercisesMixin(OrgViewMixin):
    nav_stage = "exercises"


class ExerciseMixin(ExercisesMixin):
    """Views under ``<pk>/``: ``get_exercise()`` (404 outside the organization or the member's limit)."""

    kwargs: dict[str, Any]
    _exercise: Exercise

    def get_exercise(self) -> Exercise:
        if not hasattr(self, "_exercise"):
            self._exercise = self.tenant_object(
                selectors.exercise_queryset(organization=self.organization).select_related("scenario", "owner__user"),
                pk=self.kwargs["pk"])
            if self.capability in ("exercises.change", "exercises.approve") and not self.exercise_writable():
                raise EstablishmentLimitError(_("This exercise also covers an establishment you do not have access "
                                                "to: you can read it, not change it."))
        return self._exercise

    def exercise_writable(self) -> bool:
        return not tenancy.is_limited() or Exercise.objects.writable().filter(pk=self._exercise.pk).exists()

    def child(self, queryset: QuerySet[M], key: str = "item") -> M:
        """A row of this exercise (objective, stimulus…), or 404."""
        return self.tenant_object(queryset.filter(exercise=self.get_exercise()), pk=self.kwargs[key])

    def exercise_context(self) -> dict[str, Any]:
        exercise = self.get_exercise()
        writable = self.exercise_writable()
        return {"exercise": exercise, "can_change": self.can("exercises.change") and writable
                and exercise.status != Exercise.Status.CANCELLED, "read_only_limit": not writable}
