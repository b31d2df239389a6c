"""Planning an exercise: list, create, edit, cancel, record the run; objectives and participants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.continuity.models import Scenario
from apps.core.forms import SearchChoiceField, form_field
from apps.core.views import OrgFormView, SearchOptionsView
from apps.exercises import checks, forms, kits, selectors, services
from apps.exercises.models import Objective, Participant
from apps.exercises.views.base import ExerciseMixin, ExercisesMixin


class ExerciseListView(ExercisesMixin, TemplateView):
    capability = "exercises.view"
    template_name = "exercises/exercise_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(exercises=selectors.exercise_list(organization=self.organization),
                   can_change=self.can("exercises.change"),
                   annual_flag=checks.annual_exercise_flag(self.organization),
                   results=[check(self.organization) for check in (
                       checks.field_exercise, checks.test_schedule, checks.tested_coverage)])
        return ctx


def _exercise_data(form: forms.ExerciseForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


class ExerciseCreateView(ExercisesMixin, OrgFormView):
    capability = "exercises.change"
    template_name = "exercises/exercise_form.html"
    form_class = forms.ExerciseForm
    success_message = gettext_lazy("Exercise planned. Add its objectives, participants and chronogramme.")

    def get_form(self) -> Any:
        data = self.request.POST if self.request.method == "POST" else None
        initial: dict[str, Any] = {}
        scenario = Scenario.objects.filter(organization=self.organization, kind=Scenario.Kind.IS_UNAVAILABLE).first()
        if scenario is not None:
            initial["scenario"] = scenario.pk
        plan = self.request.GET.get("plan")
        if plan and plan.isdigit():
            initial["plan_versions"] = [v.pk for v in services.approved_versions(organization=self.organization)
                                        if v.plan_id == int(plan)]
        return forms.ExerciseForm(data, initial=initial, organization=self.organization)

    def perform(self, form: forms.ExerciseForm) -> None:
        self.exercise = services.exercise_create(organization=self.organization, actor=self.user,
                                                 data=_exercise_data(form))

    def get_success_url(self) -> str:
        return self.org_url("exercises:detail", pk=self.exercise.pk)


class ExerciseDetailView(ExerciseMixin, TemplateView):
    capability = "exercises.view"
    template_name = "exercises/exercise_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        exercise = self.get_exercise()
        parts = selectors.exercise_parts(exercise=exercise)
        state = checks.state_for(self.organization)
        verdict = next((v for v in state.verdicts if v.exercise.pk == exercise.pk), None)
        jobs = kits.kit_jobs(organization=self.organization, exercise=exercise) if self.can("exports.view") else []
        ctx.update(self.exercise_context(), parts=parts, verdict=verdict, tab="detail",
                   kit_names=kits.KITS, can_kits=self.can("exercises.change") and self.can("exports.view"),
                   kit_jobs=jobs, kits_running=any(not job.is_finished for job in jobs))
        return ctx


class ExerciseUpdateView(ExerciseMixin, OrgFormView):
    capability = "exercises.change"
    template_name = "exercises/exercise_form.html"
    success_message = gettext_lazy("Exercise saved.")

    def get_form(self) -> Any:
        data = self.request.POST if self.request.method == "POST" else None
        return forms.ExerciseForm(data, organization=self.organization, exercise=self.get_exercise())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **self.exercise_context()}

    def perform(self, form: forms.ExerciseForm) -> None:
        services.exercise_update(exercise=self.get_exercise(), actor=self.user, data=_exercise_data(form))

    def get_success_url(self) -> str:
        return self.org_url("exercises:detail", pk=self.get_exercise().pk)


class ExerciseFormPage(ExerciseMixin, OrgFormView):
    """A small form about one exercise (cancel, record the run), on the shared form template."""

    capability = "exercises.change"
    template_name = "exercises/object_form.html"
    title: ClassVar[str | Promise] = ""
    help_text: ClassVar[str | Promise] = ""

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"organization": self.organization}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **self.exercise_context(), "title": self.title,
                "help_text": self.help_text, "back_url": self.get_success_url()}

    def get_success_url(self) -> str:
        return self.org_url("exercises:detail", pk=self.get_exercise().pk)


class ExerciseCancelView(ExerciseFormPage):
    form_class = forms.CancelForm
    title = gettext_lazy("Cancel the exercise")
    help_text = gettext_lazy("A cancelled exercise stays in the history with its reason; it counts for nothing.")
    success_message = gettext_lazy("Exercise cancelled.")

    def perform(self, form: forms.CancelForm) -> None:
        services.exercise_cancel(exercise=self.get_exercise(), actor=self.user, reason=form.cleaned_data["reason"])


class RecordRunView(ExerciseFormPage):
    form_class = forms.RecordRunForm
    title = gettext_lazy("Record when the exercise was run")
    help_text = gettext_lazy("For an exercise run without the live page, or to correct DEBEX and FINEX.")
    success_message = gettext_lazy("Run recorded.")

    def get_form(self) -> Any:
        data = self.request.POST if self.request.method == "POST" else None
        exercise = self.get_exercise()
        return forms.RecordRunForm(data, initial={"debex_at": exercise.debex_at or exercise.planned_start,
                                                  "finex_at": exercise.finex_at})

    def perform(self, form: forms.RecordRunForm) -> None:
        services.exercise_record_run(exercise=self.get_exercise(), actor=self.user, **form.cleaned_data)


class ChildFormView(ExerciseMixin, OrgFormView):
    """Create (no ``item`` in the URL) or edit one row of the exercise through its service."""

    capability = "exercises.change"
    template_name = "exercises/object_form.html"
    model: type[Model]
    title_create: ClassVar[str | Promise] = ""
    title_update: ClassVar[str | Promise] = ""
    save: Callable[..., Any]  # the service, e.g. services.objective_save
    object_kwarg: ClassVar[str] = "objective"
    back: ClassVar[str] = "exercises:detail"

    def get_object(self) -> Model | None:
        if "item" not in self.kwargs:
            return None
        if not hasattr(self, "_object"):
            self._object = self.child(self.model._default_manager.all())
        return self._object

    def get_form(self) -> Any:
        data = self.request.POST if self.request.method == "POST" else None
        return self.form_class(data, instance=self.get_object(), organization=self.organization,
                               exercise=self.get_exercise())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        title = self.title_update if self.get_object() is not None else self.title_create
        return {**super().get_context_data(**kwargs), **self.exercise_context(), "title": title,
                "back_url": self.get_success_url()}

    def perform(self, form: Any) -> None:
        data = {k: v for k, v in form.cleaned_data.items()}
        type(self).save(exercise=self.get_exercise(), actor=self.user, data=data,
                        **{self.object_kwarg: self.fresh()})

    def fresh(self) -> Model | None:
        obj = self.get_object()
        return None if obj is None else self.model._default_manager.get(pk=obj.pk, organization=self.organization)

    def get_success_url(self) -> str:
        return self.org_url(self.back, pk=self.get_exercise().pk)


class ObjectiveFormView(ChildFormView):
    model = Objective
    form_class = forms.ObjectiveForm
    title_create = gettext_lazy("New objective")
    title_update = gettext_lazy("Edit the objective")
    save = staticmethod(services.objective_save)
    success_message = gettext_lazy("Objective saved.")


class ObjectiveSearchView(ExerciseMixin, SearchOptionsView):
    """The objective form's activities (or systems) matching the typed text: the same field the form shows,
    so the search offers exactly what the form accepts (the organization's rows, the member's establishments)."""

    capability = "exercises.change"
    field_name: ClassVar[str]

    def get_field(self) -> SearchChoiceField:
        form = forms.ObjectiveForm(organization=self.organization, exercise=self.get_exercise())
        return form_field(form, self.field_name, SearchChoiceField)


class ObjectiveActivitySearchView(ObjectiveSearchView):
    field_name = "activity"


class ObjectiveSystemSearchView(ObjectiveSearchView):
    field_name = "resource"


class ParticipantFormView(ChildFormView):
    model = Participant
    form_class = forms.ParticipantForm
    title_create = gettext_lazy("New participant")
    title_update = gettext_lazy("Edit the participant")
    save = staticmethod(services.participant_save)
    object_kwarg = "participant"
    success_message = gettext_lazy("Participant saved.")


class ChildDeleteView(ExerciseMixin, View):
    capability = "exercises.change"
    http_method_names = ["post"]
    model: type[Model]
    remove: Callable[..., None]
    object_kwarg: ClassVar[str] = "objective"
    back: ClassVar[str] = "exercises:detail"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.child(self.model._default_manager.all())
        try:
            type(self).remove(actor=self.user, **{self.object_kwarg: obj})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Removed."))
        return HttpResponseRedirect(self.org_url(self.back, pk=self.get_exercise().pk))


class ObjectiveDeleteView(ChildDeleteView):
    model = Objective
    remove = staticmethod(services.objective_delete)


class ParticipantDeleteView(ChildDeleteView):
    model = Participant
    remove = staticmethod(services.participant_delete)
    object_kwarg = "participant"


class KitRequestView(ExerciseMixin, View):
    """Print a kit (animateur / joueur / observateur): the export worker renders it."""

    capability = "exercises.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exercise = self.get_exercise()
        try:
            kits.kit_request(organization=self.organization, actor=self.user, exercise=exercise, kit=kwargs["kit"],
                             request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The kit is being printed: it appears below when ready."))
        return HttpResponseRedirect(self.org_url("exercises:detail", pk=exercise.pk) + "#kits")


class KitJobsView(ExerciseMixin, TemplateView):
    """The kits' jobs of the exercise, polled while one is being printed."""

    capability = "exports.view"
    template_name = "exercises/_kit_jobs.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        exercise = self.get_exercise()
        jobs = kits.kit_jobs(organization=self.organization, exercise=exercise)
        ctx.update(exercise=exercise, kit_names=kits.KITS, kit_jobs=jobs,
                   kits_running=any(not job.is_finished for job in jobs))
        return ctx
