"""The business owner's guided BIA questionnaire, one saved step at a time."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.bia import selectors
from apps.bia.dmia_override import activity_override_warning
from apps.bia.forms import (
    ActivityDependencyForm,
    ActivityLinkForm,
    DataLossStepForm,
    DegradedModeStepForm,
    DescriptionStepForm,
    ImpactGridForm,
    StaffStepForm,
)
from apps.bia.models import Activity, ActivityDependency, ActivityLink
from apps.bia.services.questionnaire import activity_save_step, activity_submit, impacts_save
from apps.bia.services.resources import (
    activity_dependency_remove,
    activity_dependency_set,
    activity_link_remove,
    activity_link_set,
)
from apps.bia.views.base import BiaViewMixin
from apps.core.forms import SearchChoiceField, form_field
from apps.core.views import SearchOptionsView, form_errors_from

# --- The guided questionnaire -------------------------------------------------------------------

STEPS: list[tuple[str, Any]] = [
    ("description", gettext_lazy("Description and critical periods")),
    ("impacts", gettext_lazy("Impacts over time")),
    ("data", gettext_lazy("Tolerable data loss")),
    ("dependencies", gettext_lazy("Dependencies")),
    ("staff", gettext_lazy("Minimum staff and key skills")),
    ("degraded", gettext_lazy("Existing degraded mode")),
    ("review", gettext_lazy("Review and submit")),
]
MODEL_STEP_FORMS = {"description": DescriptionStepForm, "data": DataLossStepForm, "staff": StaffStepForm,
                    "degraded": DegradedModeStepForm}


class QuestionnaireView(BiaViewMixin, TemplateView):
    """The business owner's guided questionnaire; each step is saved when submitted.

    Only the activity's owner (guardian ``bia.answer_activity``) or a BIA manager can open it; any
    other activity answers 404, as if it did not exist.
    """

    capability = "bia.answer"
    template_name = "bia/questionnaire.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not 1 <= kwargs["step"] <= len(STEPS):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @property
    def step_key(self) -> str:
        return STEPS[self.kwargs["step"] - 1][0]

    def get_activity(self) -> Activity:
        if not hasattr(self, "_activity"):
            qs = selectors.activity_queryset(organization=self.organization, membership=self.membership)
            self._activity = self.tenant_object(qs.select_related("establishment", "unit"),
                                                pk=self.kwargs["pk"])
        return self._activity

    def link_establishments(self) -> set[int] | None:
        if not hasattr(self, "_link_establishments"):
            self._link_establishments = selectors.link_establishments(organization=self.organization,
                                                                      membership=self.membership)
        return self._link_establishments

    def step_url(self, step: int) -> str:
        return self.org_url("bia:questionnaire", pk=self.get_activity().pk, step=step)

    def build_form(self, data: Any = None) -> Any:
        activity = self.get_activity()
        key = self.step_key
        if key in MODEL_STEP_FORMS:
            return MODEL_STEP_FORMS[key](data, instance=activity)
        if key == "impacts":
            scale = selectors.scales(organization=self.organization)
            cells = selectors.activity_detail(organization=self.organization, activity=activity)["cells"]
            form = ImpactGridForm(data, criteria=scale["criteria"], horizons=scale["horizons"], cells=cells,
                                  settings_row=scale["settings"], initial={"dmia_override_hours": activity.dmia_override_hours,
                                           "dmia_override_justification": activity.dmia_override_justification})
            return form
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        activity = self.get_activity()
        step = self.kwargs["step"]
        ctx.update(
            activity=activity, step=step, step_key=self.step_key, step_label=STEPS[step - 1][1],
            steps=[{"number": i + 1, "label": label, "url": self.step_url(i + 1),
                    "done": i + 1 <= activity.questionnaire_step} for i, (_k, label) in enumerate(STEPS)],
            previous_url=self.step_url(step - 1) if step > 1 else None,
            is_owner=activity.owner_id == self.request.user.pk,
        )
        ctx.setdefault("form", self.build_form())
        if self.step_key == "impacts":
            ctx["scale"] = selectors.scales(organization=self.organization)
            ctx["override_warning"] = activity_override_warning(activity, ctx["scale"]["settings"])
        if self.step_key in ("dependencies", "review"):
            ctx.update(selectors.activity_detail(organization=self.organization, activity=activity,
                                                 cells=self.step_key == "review"))
            ctx.setdefault("dependency_form", ActivityDependencyForm(
                organization=self.organization, establishment_ids=self.link_establishments()))
            ctx.setdefault("link_form", ActivityLinkForm(
                organization=self.organization, exclude=activity.pk, establishment_ids=self.link_establishments()))
        if self.step_key == "review":
            scale = selectors.scales(organization=self.organization)
            ctx["grid"] = selectors.impact_grid(scale=scale, cells=ctx["cells"])
            ctx["scale"] = scale
            ctx["override_warning"] = activity_override_warning(activity, scale["settings"])
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        activity = self.get_activity()
        step = kwargs["step"]
        key = self.step_key
        try:
            if key == "dependencies":
                response = self._post_dependencies(request, activity, step)
                if response is not None:
                    return response
            elif key == "review":
                activity_submit(activity=activity, actor=self.user)
                messages.success(request, _("Your BIA is submitted; the RPCRA will review it."))
                return redirect("bia:my-activities", org_slug=self.organization.slug)
            else:
                form = self.build_form(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form), status=400)
                if key == "impacts":
                    activity_save_step(
                        activity=activity, actor=self.user, step=step,
                        data={"dmia_override_hours": form.cleaned_data.get("dmia_override_hours"),
                              "dmia_override_justification": form.cleaned_data.get("dmia_override_justification") or ""},
                    )
                    impacts_save(activity=activity, actor=self.user, levels=form.levels(), step=step)
                else:
                    activity_save_step(activity=activity, actor=self.user, step=step,
                                                data=form.cleaned_data)
        except ValidationError as error:
            form = self.build_form(request.POST) if key not in ("dependencies", "review") else None
            if form is not None:
                form.is_valid()
                form_errors_from(error, form)
                return self.render_to_response(self.get_context_data(form=form), status=400)
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(self.step_url(step))
        messages.success(request, _("Step saved."))
        return HttpResponseRedirect(self.step_url(step + 1))

    def _post_dependencies(self, request: HttpRequest, activity: Activity, step: int) -> HttpResponse | None:
        action = request.POST.get("action", "next")
        if action == "add_dependency":
            form = ActivityDependencyForm(request.POST, organization=self.organization,
                                          establishment_ids=self.link_establishments())
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(dependency_form=form), status=400)
            activity_dependency_set(activity=activity, actor=self.user, **form.cleaned_data)
            messages.success(request, _("Dependency saved."))
            return HttpResponseRedirect(self.step_url(step))
        if action == "add_link":
            link_form = ActivityLinkForm(request.POST, organization=self.organization, exclude=activity.pk,
                                         establishment_ids=self.link_establishments())
            if not link_form.is_valid():
                return self.render_to_response(self.get_context_data(link_form=link_form), status=400)
            activity_link_set(activity=activity, actor=self.user, **link_form.cleaned_data)
            messages.success(request, _("Upstream activity saved."))
            return HttpResponseRedirect(self.step_url(step))
        if action == "remove_dependency":
            dependency = self.tenant_object(ActivityDependency.objects.filter(activity=activity),
                                            pk=request.POST.get("dependency") or 0)
            activity_dependency_remove(dependency=dependency, actor=self.user)
            messages.success(request, _("Dependency removed."))
            return HttpResponseRedirect(self.step_url(step))
        if action == "remove_link":
            link = self.tenant_object(ActivityLink.objects.filter(activity=activity), pk=request.POST.get("link") or 0)
            activity_link_remove(link=link, actor=self.user)
            messages.success(request, _("Upstream activity removed."))
            return HttpResponseRedirect(self.step_url(step))
        activity_save_step(activity=activity, actor=self.user, step=step, data={})
        return None


# --- The search fields of the long drop-downs (apps.core.forms.SearchChoiceField) ------------------


def _exclude(request: HttpRequest) -> int | None:
    value = request.GET.get("exclude", "")
    return int(value) if value.isdigit() else None


class ResourceSearchView(BiaViewMixin, SearchOptionsView):
    """Resources matching the typed text for the dependency forms (the questionnaire's, the resource
    page's): the questionnaire's own field, so a business owner finds only shared resources and those of
    their activities' establishments, a limited member only their establishments'."""

    capability = "bia.answer"

    def get_field(self) -> SearchChoiceField:
        form = ActivityDependencyForm(organization=self.organization, establishment_ids=selectors.link_establishments(
            organization=self.organization, membership=self.membership))
        field = form_field(form, "resource", SearchChoiceField)
        exclude = _exclude(self.request)
        if exclude is not None:
            field.queryset = field.queryset.exclude(pk=exclude)
        return field


class ActivitySearchView(BiaViewMixin, SearchOptionsView):
    """Activities matching the typed text for the questionnaire's « upstream activity » field."""

    capability = "bia.answer"

    def get_field(self) -> SearchChoiceField:
        form = ActivityLinkForm(organization=self.organization, exclude=_exclude(self.request),
                                establishment_ids=selectors.link_establishments(organization=self.organization,
                                                                                membership=self.membership))
        return form_field(form, "depends_on", SearchChoiceField)
