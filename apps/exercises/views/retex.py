"""The RETEX (hot debrief, cold RETEX, outcome per objective), its approval by the direction, and the findings
(constats), each of which becomes an action of the action plan in one click."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from apps.core.views import OrgFormView
from apps.exercises import forms, selectors, services
from apps.exercises.models import Exercise, Finding
from apps.exercises.views.base import ExerciseMixin
from apps.exercises.views.planning import ChildDeleteView, ChildFormView


class RetexView(ExerciseMixin, OrgFormView):
    """Everyone who reads exercises reads the RETEX; those who change them write it (POST)."""

    capability = "exercises.view"
    template_name = "exercises/retex.html"
    success_message = gettext_lazy("RETEX saved.")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.can("exercises.change") or not self.exercise_context()["can_change"]:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_form(self) -> Any:
        exercise = self.get_exercise()
        parts = self.parts()
        retex = parts.retex
        initial = {} if retex is None else {f: getattr(retex, f) for f in services.RETEX_FIELDS}
        data = self.request.POST if self.request.method == "POST" else None
        return forms.RetexForm(data, initial=initial or {"hot_debrief_on": exercise.run_on},
                               objectives=parts.objectives)

    def parts(self) -> selectors.ExerciseParts:
        if not hasattr(self, "_parts"):
            self._parts = selectors.exercise_parts(exercise=self.get_exercise())
        return self._parts

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        parts = self.parts()
        ctx.update(self.exercise_context(), parts=parts, tab="retex",
                   actions=services.finding_actions(organization=self.organization, findings=parts.findings),
                   actions_installed=services.actions_installed(),
                   can_approve=self.can("exercises.approve") and self.exercise_writable(),
                   is_run=self.get_exercise().status == Exercise.Status.FINISHED)
        return ctx

    def perform(self, form: forms.RetexForm) -> None:
        services.retex_save(exercise=self.get_exercise(), actor=self.user, data=form.retex_data(),
                            outcomes=form.outcomes())

    def get_success_url(self) -> str:
        return self.org_url("exercises:retex", pk=self.get_exercise().pk)


class RetexSubmitView(ExerciseMixin, View):
    capability = "exercises.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            services.retex_submit(exercise=self.get_exercise(), actor=self.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The RETEX was sent to the direction for approval."))
        return HttpResponseRedirect(self.org_url("exercises:retex", pk=self.get_exercise().pk))


class RetexDecisionView(ExerciseMixin, View):
    """The direction approves the RETEX or sends it back."""

    capability = "exercises.approve"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exercise = self.get_exercise()
        try:
            if kwargs["decision"] == "approuver":
                services.retex_approve(exercise=exercise, actor=self.user)
                messages.success(request, _("RETEX approved."))
            elif kwargs["decision"] == "renvoyer":
                services.retex_send_back(exercise=exercise, actor=self.user)
                messages.success(request, _("The RETEX was sent back to its authors."))
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(self.org_url("exercises:retex", pk=exercise.pk))


class FindingFormView(ChildFormView):
    model = Finding
    form_class = forms.FindingForm
    title_create = gettext_lazy("New finding")
    title_update = gettext_lazy("Edit the finding")
    save = staticmethod(services.finding_save)
    object_kwarg = "finding"
    back = "exercises:retex"
    success_message = gettext_lazy("Finding saved.")


class FindingDeleteView(ChildDeleteView):
    model = Finding
    remove = staticmethod(services.finding_delete)
    object_kwarg = "finding"
    back = "exercises:retex"


class FindingActionView(ExerciseMixin, View):
    """« Créer l'action »: the finding becomes an action of the action plan (source = the finding)."""

    capability = "exercises.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        finding = self.child(Finding.objects.all())
        if not self.can("actions.change"):
            raise PermissionDenied
        try:
            services.finding_to_action(finding=finding, actor=self.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Action created in the action plan."))
        return HttpResponseRedirect(self.org_url("exercises:retex", pk=self.get_exercise().pk))
