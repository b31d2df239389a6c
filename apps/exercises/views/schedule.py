"""The planning des tests: every approved plan's last and next test, a year view, what is due, late, never
tested; the annual cyber crisis exercise flagged when none is planned within 12 months."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.continuity.models import Plan
from apps.core.views import OrgFormView
from apps.exercises import checks, forms, selectors, services
from apps.exercises.models import ScheduledTest
from apps.exercises.views.base import ExercisesMixin


class ScheduleView(ExercisesMixin, TemplateView):
    capability = "exercises.view"
    template_name = "exercises/schedule.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        year_param = self.request.GET.get("annee", "")
        year = int(year_param) if year_param.isdigit() and 2000 <= int(year_param) <= 2100 else today.year
        rows = selectors.schedule_rows(organization=self.organization, today=today)
        ctx.update(rows=rows, year=year, previous_year=year - 1, next_year=year + 1,
                   months=range(1, 13), grid=selectors.year_view(rows=rows, year=year, today=today),
                   counts={"overdue": sum(r.overdue for r in rows), "due_soon": sum(r.due_soon for r in rows),
                           "never": sum(r.last is None for r in rows),
                           "unscheduled": sum(r.state == "unscheduled" for r in rows)},
                   annual_flag=checks.annual_exercise_flag(self.organization),
                   annual=selectors.annual_cyber_exercise(organization=self.organization),
                   can_change=self.can("exercises.change"), today=today)
        return ctx


class ScheduleFormView(ExercisesMixin, OrgFormView):
    """The next test of one approved plan (date, format, owner)."""

    capability = "exercises.change"
    template_name = "exercises/object_form.html"
    success_message = gettext_lazy("Test schedule saved.")

    def plan_queryset(self) -> QuerySet[Plan]:
        return Plan.objects.filter(organization=self.organization, is_archived=False)

    def get_plan(self) -> Plan:
        if not hasattr(self, "_plan"):
            self._plan = self.tenant_object(self.plan_queryset(), pk=self.kwargs["plan"])
        return self._plan

    def get_form(self) -> Any:
        data = self.request.POST if self.request.method == "POST" else None
        instance = ScheduledTest.objects.filter(organization=self.organization, plan=self.get_plan()).first()
        return forms.ScheduleForm(data, instance=instance, organization=self.organization)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": gettext_lazy("Next test of the plan"),
                "subtitle": self.get_plan().title, "back_url": self.get_success_url()}

    def perform(self, form: forms.ScheduleForm) -> None:
        services.schedule_save(plan=self.get_plan(), actor=self.user, data=form.cleaned_data)

    def get_success_url(self) -> str:
        return self.org_url("exercises:schedule")
