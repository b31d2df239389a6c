"""The chronogramme (stimuli from DEBEX to FINEX) and the organization's stimulus library."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.accounts.models import User
from apps.continuity.models import Scenario
from apps.core.views import ObjectDeleteMixin, OrgFormView, TenantObjectFormMixin
from apps.exercises import forms, selectors, services
from apps.exercises.models import Stimulus, StimulusTemplate
from apps.exercises.views.base import ExerciseMixin, ExercisesMixin
from apps.exercises.views.planning import ChildDeleteView, ChildFormView


class ChronogrammeView(ExerciseMixin, TemplateView):
    capability = "exercises.view"
    template_name = "exercises/chronogramme.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        exercise = self.get_exercise()
        ctx.update(self.exercise_context(), tab="chronogramme",
                   stimuli=list(Stimulus.objects.filter(organization=self.organization, exercise=exercise)
                                .select_related("objective")),
                   pick_form=forms.TemplatePickForm(organization=self.organization,
                                                    scenario_kind=exercise.scenario.kind))
        return ctx


class StimulusFormView(ChildFormView):
    model = Stimulus
    form_class = forms.StimulusForm
    title_create = gettext_lazy("New stimulus")
    title_update = gettext_lazy("Edit the stimulus")
    save = staticmethod(services.stimulus_save)
    object_kwarg = "stimulus"
    back = "exercises:chronogramme"
    success_message = gettext_lazy("Stimulus saved.")


class StimulusDeleteView(ChildDeleteView):
    model = Stimulus
    remove = staticmethod(services.stimulus_delete)
    object_kwarg = "stimulus"
    back = "exercises:chronogramme"


class StimuliImportView(ExerciseMixin, View):
    """Copy stimuli of the library into the chronogramme."""

    capability = "exercises.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exercise = self.get_exercise()
        form = forms.TemplatePickForm(request.POST, organization=self.organization,
                                      scenario_kind=exercise.scenario.kind)
        if not form.is_valid():
            messages.error(request, _("Tick the stimuli to add."))
        else:
            try:
                added = services.stimuli_from_templates(exercise=exercise, actor=self.user,
                                                        templates=form.cleaned_data["templates"])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("%(count)s stimuli added to the chronogramme.") % {"count": len(added)})
        return HttpResponseRedirect(self.org_url("exercises:chronogramme", pk=exercise.pk))


class LibraryView(ExercisesMixin, TemplateView):
    capability = "exercises.view"
    template_name = "exercises/library.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        labels = dict(Scenario.Kind.choices)
        order = list(Scenario.Kind.values)
        templates = sorted(selectors.template_list(organization=self.organization),
                           key=lambda t: (order.index(t.scenario_kind), t.offset_minutes, t.order, t.pk))
        ctx.update(groups=[(labels[kind], list(items)) for kind, items in
                           groupby(templates, key=lambda t: t.scenario_kind)],
                   can_change=self.can("exercises.change"))
        return ctx


class TemplateFormView(ExercisesMixin, OrgFormView):
    capability = "exercises.change"
    template_name = "exercises/object_form.html"
    form_class = forms.StimulusTemplateForm
    success_message = gettext_lazy("Stimulus of the library saved.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": _("Stimulus of the library"),
                "back_url": self.get_success_url()}

    def perform(self, form: forms.StimulusTemplateForm) -> None:
        services.stimulus_template_save(organization=self.organization, actor=self.user, data=form.cleaned_data)

    def get_success_url(self) -> str:
        return self.org_url("exercises:library")


class TemplateUpdateView(TenantObjectFormMixin[StimulusTemplate], TemplateFormView):
    model = StimulusTemplate

    def perform(self, form: forms.StimulusTemplateForm) -> None:
        services.stimulus_template_save(organization=self.organization, actor=self.user, data=form.cleaned_data,
                                        template=self.fresh_object())


class TemplateDeleteView(ExercisesMixin, ObjectDeleteMixin, View):
    capability = "exercises.change"
    model = StimulusTemplate

    @staticmethod
    def remove(obj: StimulusTemplate, actor: User) -> None:
        services.stimulus_template_delete(template=obj, actor=actor)

    def get_back_url(self, obj: Any) -> str:
        return self.org_url("exercises:library")


class LibraryReloadView(ExercisesMixin, View):
    capability = "exercises.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        added = services.stimulus_library_reload(organization=self.organization, actor=self.user)
        messages.success(request, _("%(count)s starter stimuli added back to the library.") % {"count": added})
        return HttpResponseRedirect(self.org_url("exercises:library"))
