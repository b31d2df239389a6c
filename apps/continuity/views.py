"""Continuity plan pages: list, guided flow, approval, versions and comparison, printable crisis kit,
coverage matrix, scenarios. Views are thin: resolve through the organization, check, call a
selector or a service, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.continuity import selectors, services
from apps.continuity.forms import (
    ApproverForm,
    CompareForm,
    DegradedModeForm,
    NotApplicableForm,
    PerimeterForm,
    RecoveryMoveForm,
    ReflexSheetForm,
    ReturnCommunicationForm,
    ScenarioForm,
)
from apps.continuity.models import DegradedMode, NotApplicable, Plan, PlanVersion, RecoveryStep, ReflexSheet, Scenario
from apps.core import tenancy
from apps.core.tenancy import EstablishmentLimitError
from apps.core.views import OrgFormView, OrgViewMixin, form_errors_from

if TYPE_CHECKING:
    pass

STEP_LABELS = {
    1: gettext_lazy("Perimeter and scenarios"), 2: gettext_lazy("What the BIA says"),
    3: gettext_lazy("Degraded modes"), 4: gettext_lazy("Fiches réflexes"), 5: gettext_lazy("Recovery sequence"),
    6: gettext_lazy("Return to nominal and communication"), 7: gettext_lazy("Approval"),
}


class PlanViewMixin(OrgViewMixin):
    nav_stage = "plans"
    kwargs: dict[str, Any]  # the URL's arguments, set by View.setup()
    _plan: Plan

    def get_plan(self) -> Plan:
        if not hasattr(self, "_plan"):
            self._plan = self.tenant_object(
                selectors.plan_queryset(organization=self.organization).select_related(
                    "current_version", "establishment", "unit"), pk=self.kwargs["pk"])
        if self.capability == "plans.change" and not self.plan_writable(self._plan):
            # A plan spanning an establishment the member is not allowed on is read-only for them.
            raise EstablishmentLimitError(_("This plan also covers an establishment you do not have access to: "
                                            "you can read it, not change it."))
        return self._plan

    def plan_writable(self, plan: Plan) -> bool:
        return not tenancy.is_limited() or Plan.objects.writable().filter(pk=plan.pk).exists()

    def current_version(self) -> PlanVersion:
        """The version the plan pages show. ``services.plan_create`` gives a plan its first version in the same
        transaction, so it is always there (the column is nullable only so the plan can be inserted first)."""
        version = self.get_plan().current_version
        assert version is not None, "a plan always has a current version"
        return version

    def plan_context(self, step: int | None = None) -> dict[str, Any]:
        plan = self.get_plan()
        writable = self.plan_writable(plan)
        return {"plan": plan, "version": plan.current_version, "step": step,
                "steps": [(n, STEP_LABELS[n]) for n, _key in selectors.STEPS],
                "can_change": self.can("plans.change") and writable, "read_only_limit": not writable}


class PlanListView(PlanViewMixin, TemplateView):
    capability = "plans.view"
    template_name = "continuity/plan_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(plans=selectors.plan_list(organization=self.organization), can_change=self.can("plans.change"))
        return ctx


class PlanCreateView(PlanViewMixin, OrgFormView):
    """Step 1: perimeter (CaRE minimum perimeters proposed first) and scenarios."""

    capability = "plans.change"
    success_message = gettext_lazy("Plan created. Check below what the BIA says about its perimeter.")
    template_name = "continuity/plan_perimeter.html"
    form_class = PerimeterForm

    def get_form(self) -> Any:
        scenarios = selectors.scenario_list(organization=self.organization)
        initial: dict[str, Any] = {"scenarios": [s.pk for s in scenarios if s.is_mandatory]}
        perimeter = self.request.GET.get("perimeter")
        if perimeter:
            initial["care_perimeter"] = perimeter
        data = self.request.POST if self.request.method == "POST" else None
        return self.form_class(data, initial=initial, organization=self.organization)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["perimeters"] = selectors.perimeter_choices(organization=self.organization)
        return ctx

    def perform(self, form: Any) -> None:
        self.plan = services.plan_create(organization=self.organization, actor=self.user,
                                         **{k: form.cleaned_data[k] for k in ("title", "care_perimeter",
                                                                             "establishment", "unit")},
                                         activities=list(form.cleaned_data["activities"]),
                                         scenarios=list(form.cleaned_data["scenarios"]))

    def get_success_url(self) -> str:
        return self.org_url("continuity:plan-step", pk=self.plan.pk, step=2)


class PlanDetailView(PlanViewMixin, TemplateView):
    capability = "plans.view"
    template_name = "continuity/plan_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        plan = self.get_plan()
        activities, scenarios = selectors.plan_members(plan=plan)
        versions = selectors.plan_versions(plan=plan)
        approved = next((v for v in versions if v.status == PlanVersion.Status.APPROVED), None)
        membership = self.membership
        parts = selectors.version_parts(version=self.current_version())
        ctx.update(self.plan_context(), activities=activities, scenarios=scenarios, versions=versions,
                   approved=approved, review_changes=selectors.review_changes(plan=plan, approved=approved),
                   missing=selectors.completeness(version=self.current_version()),
                   recovery_warnings=selectors.recovery_warnings(organization=self.organization,
                                                                 steps=parts["recovery_steps"]),
                   can_approve=services.can_approve(plan=plan, membership=membership),
                   approver=services.named_approver(plan=plan), can_name_approver=self.can("plans.approve"), **parts)
        return ctx


class PlanStepView(PlanViewMixin, OrgFormView):
    """Steps 1–7 of the guided flow; each step is saved when submitted."""

    capability = "plans.change"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if kwargs.get("step") not in STEP_LABELS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @property
    def step(self) -> int:
        return self.kwargs["step"]

    def get_template_names(self) -> list[str]:
        return [f"continuity/step_{dict(selectors.STEPS)[self.step]}.html"]

    def members(self) -> tuple[list[Any], list[Any]]:
        if not hasattr(self, "_members"):
            self._members = selectors.plan_members(plan=self.get_plan())
        return self._members

    def get_form(self) -> Any:
        data = self.request.POST if self.request.method == "POST" else None
        plan = self.get_plan()
        if self.step == 1:
            activities, scenarios = self.members()
            initial = {"title": plan.title, "care_perimeter": plan.care_perimeter, "establishment": plan.establishment,
                       "unit": plan.unit, "activities": [a.pk for a in activities],
                       "scenarios": [s.pk for s in scenarios]}
            return PerimeterForm(data, initial=initial, organization=self.organization)
        if self.step == 3 and "not_applicable" in self.request.POST:
            activities, scenarios = self.members()
            return NotApplicableForm(data, prefix="na", organization=self.organization, activities=activities,
                                     scenarios=scenarios)
        if self.step == 3:
            activities, scenarios = self.members()
            initial = {}
            if self.request.GET.get("activity"):
                initial["activity"] = self.request.GET.get("activity")
            if self.request.GET.get("scenario"):
                initial["scenario"] = self.request.GET.get("scenario")
            return DegradedModeForm(data, initial=initial, organization=self.organization, activities=activities,
                                    scenarios=scenarios)
        if self.step == 4:
            return ReflexSheetForm(data)
        if self.step == 6:
            return ReturnCommunicationForm(data, instance=plan.current_version)
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        plan = self.get_plan()
        activities, scenarios = self.members()
        ctx.update(self.plan_context(self.step), activities=activities, scenarios=scenarios,
                   **selectors.version_parts(version=self.current_version()))
        if self.step == 1:
            ctx["perimeters"] = selectors.perimeter_choices(organization=self.organization)
        if self.step in (2, 5):
            ctx["prefill"] = selectors.prefill(plan=plan, activities=activities)
            ctx["move_form"] = RecoveryMoveForm()
        if self.step == 3:
            form = ctx.get("form")
            ctx["na_form"] = form if isinstance(form, NotApplicableForm) else NotApplicableForm(
                prefix="na", initial={"activity": self.request.GET.get("activity"),
                                      "scenario": self.request.GET.get("scenario")},
                organization=self.organization, activities=activities, scenarios=scenarios)
            if isinstance(form, NotApplicableForm):
                ctx["form"] = self.degraded_form_unbound()
        if self.step == 5:
            ctx["recovery_warnings"] = selectors.recovery_warnings(organization=self.organization,
                                                                   steps=ctx["recovery_steps"])
        if self.step == 7:
            ctx["missing"] = selectors.completeness(version=self.current_version())
        return ctx

    def degraded_form_unbound(self) -> DegradedModeForm:
        activities, scenarios = self.members()
        return DegradedModeForm(organization=self.organization, activities=activities, scenarios=scenarios)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            next_step = self.save_step(form)
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return HttpResponseRedirect(self.org_url("continuity:plan-step", pk=self.get_plan().pk, step=self.step))
            form_errors_from(error, form)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, _("Saved."))
        if next_step is None:
            return HttpResponseRedirect(self.org_url("continuity:plan-detail", pk=self.get_plan().pk))
        return HttpResponseRedirect(self.org_url("continuity:plan-step", pk=self.get_plan().pk, step=next_step))

    def save_step(self, form: Any) -> int | None:
        """Save the step through its service; the step to show next (None: the plan page)."""
        plan, actor = self.get_plan(), self.user
        if self.step == 1:
            services.plan_update_perimeter(plan=plan, actor=actor, **{k: form.cleaned_data[k] for k in (
                "title", "care_perimeter", "establishment", "unit")}, activities=list(form.cleaned_data["activities"]),
                scenarios=list(form.cleaned_data["scenarios"]))
            return 2
        if self.step == 2:
            services.plan_confirm_prefill(plan=plan, actor=actor)
            return 3
        if self.step == 3 and isinstance(form, NotApplicableForm):
            services.not_applicable_save(plan=plan, actor=actor, activity=form.cleaned_data["activity"],
                                         scenario=form.cleaned_data["scenario"], reason=form.cleaned_data["reason"])
            return 3
        if self.step == 3:
            data = dict(form.cleaned_data)
            services.degraded_mode_save(plan=plan, actor=actor, activity=data.pop("activity"),
                                        scenario=data.pop("scenario"), data=data)
            return 3 if "add_another" in self.request.POST else 4
        if self.step == 4:
            services.reflex_sheet_save(plan=plan, actor=actor, data=form.cleaned_data)
            return 4 if "add_another" in self.request.POST else 5
        if self.step == 5:
            services.recovery_propose(plan=plan, actor=actor)
            return 5
        if self.step == 6:
            services.return_and_communication_save(plan=plan, actor=actor, data=form.cleaned_data)
            return 7
        services.plan_submit(plan=plan, actor=actor)
        return None

    def get_success_url(self) -> str:  # pragma: no cover - post() redirects itself
        return self.org_url("continuity:plan-detail", pk=self.get_plan().pk)


class DegradedModeUpdateView(PlanViewMixin, OrgFormView):
    capability = "plans.change"
    success_message = gettext_lazy("Degraded mode saved.")
    template_name = "continuity/degraded_mode_form.html"

    def get_object(self) -> DegradedMode:
        plan = self.get_plan()
        return self.tenant_object(DegradedMode.objects.filter(version__plan=plan).select_related("activity", "scenario"),
                                  pk=self.kwargs["item"])

    def get_form(self) -> Any:
        activities, scenarios = selectors.plan_members(plan=self.get_plan())
        data = self.request.POST if self.request.method == "POST" else None
        obj = self.get_object()
        return DegradedModeForm(data, instance=obj, organization=self.organization, activities=activities,
                                scenarios=scenarios)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.plan_context(3), object=self.get_object())
        return ctx

    def perform(self, form: Any) -> None:
        data = dict(form.cleaned_data)
        services.degraded_mode_save(plan=self.get_plan(), actor=self.user, activity=data.pop("activity"),
                                    scenario=data.pop("scenario"), data=data, degraded_mode=self.get_object())

    def get_success_url(self) -> str:
        return self.org_url("continuity:plan-step", pk=self.get_plan().pk, step=3)


class ReflexSheetUpdateView(PlanViewMixin, OrgFormView):
    capability = "plans.change"
    success_message = gettext_lazy("Fiche réflexe saved.")
    template_name = "continuity/reflex_sheet_form.html"

    def get_object(self) -> ReflexSheet:
        return self.tenant_object(ReflexSheet.objects.filter(version__plan=self.get_plan()), pk=self.kwargs["item"])

    def get_form(self) -> Any:
        data = self.request.POST if self.request.method == "POST" else None
        return ReflexSheetForm(data, instance=self.get_object())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.plan_context(4), object=self.get_object())
        return ctx

    def perform(self, form: Any) -> None:
        services.reflex_sheet_save(plan=self.get_plan(), actor=self.user, data=form.cleaned_data,
                                   sheet=self.get_object())

    def get_success_url(self) -> str:
        return self.org_url("continuity:plan-step", pk=self.get_plan().pk, step=4)


class ItemDeleteView(PlanViewMixin, View):
    """Remove a degraded mode or a fiche réflexe from the draft (a copy is made if the plan was approved)."""

    capability = "plans.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = self.get_plan()
        kind = kwargs["kind"]
        try:
            if kind == "mode":
                mode = self.tenant_object(DegradedMode.objects.filter(version__plan=plan), pk=kwargs["item"])
                services.degraded_mode_delete(plan=plan, actor=self.user, degraded_mode=mode)
                step = 3
            elif kind == "fiche":
                sheet = self.tenant_object(ReflexSheet.objects.filter(version__plan=plan), pk=kwargs["item"])
                services.reflex_sheet_delete(plan=plan, actor=self.user, sheet=sheet)
                step = 4
            elif kind == "sans-objet":
                item = self.tenant_object(NotApplicable.objects.filter(version__plan=plan), pk=kwargs["item"])
                services.not_applicable_delete(plan=plan, actor=self.user, item=item)
                step = 3
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(self.org_url("continuity:plan-detail", pk=plan.pk))
        messages.success(request, _("Removed."))
        return HttpResponseRedirect(self.org_url("continuity:plan-step", pk=plan.pk, step=step))


class RecoveryMoveView(PlanViewMixin, View):
    capability = "plans.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = self.get_plan()
        step = self.tenant_object(RecoveryStep.objects.filter(version__plan=plan), pk=kwargs["item"])
        form = RecoveryMoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the new position and the reason for the change."))
            return HttpResponseRedirect(self.org_url("continuity:plan-step", pk=plan.pk, step=5))
        try:
            services.recovery_step_move(plan=plan, actor=self.user, step=step,
                                        position=form.cleaned_data["position"], reason=form.cleaned_data["reason"],
                                        confirm_dependency=form.cleaned_data["confirm_dependency"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The recovery sequence was adjusted."))
        return HttpResponseRedirect(self.org_url("continuity:plan-step", pk=plan.pk, step=5))


class PlanDecisionView(PlanViewMixin, View):
    """Approve or send back the submitted version: the direction (plans.approve) or the named approver."""

    capability = "plans.view"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = self.get_plan()
        if not services.can_approve(plan=plan, membership=self.membership):
            raise PermissionDenied
        try:
            if kwargs["decision"] == "approuver":
                version = services.plan_approve(plan=plan, actor=self.user,
                                                acknowledge_incomplete=request.POST.get("acknowledge_incomplete") == "on")
                messages.success(request, _("Version %(number)s is approved and frozen.") % {"number": version.number})
            elif kwargs["decision"] == "renvoyer":
                services.plan_send_back(plan=plan, actor=self.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("The plan was sent back to its authors."))
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(self.org_url("continuity:plan-detail", pk=plan.pk))


class ApproverView(PlanViewMixin, OrgFormView):
    """The direction names who else may approve this plan (never the RPCRA: they would approve their own work)."""

    capability = "plans.approve"
    success_message = gettext_lazy("Approver saved.")
    template_name = "continuity/approver_form.html"
    form_class = ApproverForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.plan_context(), approver=services.named_approver(plan=self.get_plan()))
        return ctx

    def perform(self, form: Any) -> None:
        membership = form.cleaned_data["approver"]
        services.plan_set_approver(plan=self.get_plan(), actor=self.user,
                                   approver=membership.user if membership else None)

    def get_success_url(self) -> str:
        return self.org_url("continuity:plan-detail", pk=self.get_plan().pk)


class CompareView(PlanViewMixin, TemplateView):
    capability = "plans.view"
    template_name = "continuity/compare.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        plan = self.get_plan()
        versions = selectors.plan_versions(plan=plan)
        by_number = {v.number: v for v in versions}
        default = {"a": versions[1].number if len(versions) > 1 else versions[0].number, "b": versions[0].number}
        form = CompareForm(self.request.GET or default, versions=versions)
        numbers = form.cleaned_data if form.is_valid() else default
        old, new = by_number[numbers["a"]], by_number[numbers["b"]]
        only = self.request.GET.get("tout") != "1"
        ctx.update(self.plan_context(), form=form, old=old, new=new, only_changes=only,
                   rows=selectors.version_diff(old=selectors.version_content(version=old),
                                               new=selectors.version_content(version=new), only_changes=only))
        return ctx


class PrintView(PlanViewMixin, TemplateView):
    """The offline crisis kit: the last approved version (or the draft, marked as such) for printing."""

    capability = "plans.view"
    template_name = "continuity/print.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        plan = self.get_plan()
        versions = selectors.plan_versions(plan=plan)
        version = next((v for v in versions if v.status == PlanVersion.Status.APPROVED), plan.current_version)
        if self.request.GET.get("version"):
            version = next((v for v in versions if str(v.number) == self.request.GET["version"]), version)
        assert version is not None, "a plan always has a current version"
        # The cellule de crise's numbers as recorded now (the governance is not part of a plan version): the
        # paper kit is what is left when the IT is down, so who to call is on it.
        from apps.governance import selectors as governance_selectors

        ctx.update(plan=plan, version=version, content=selectors.version_content(version=version),
                   now=timezone.now(), crisis_roles=governance_selectors.crisis_roles(organization=self.organization),
                   crisis_profile=governance_selectors.governance_profile(organization=self.organization))
        return ctx


class CoverageView(PlanViewMixin, TemplateView):
    capability = "plans.view"
    template_name = "continuity/coverage.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        matrix = selectors.coverage_matrix(organization=self.organization)
        # 300 critical activities in a large GHT: 50 rows per page (the gap count stays the total).
        ctx["page"] = Paginator(matrix["rows"], 50).get_page(self.request.GET.get("page"))
        ctx["matrix"] = matrix
        return ctx


class ScenarioListView(PlanViewMixin, TemplateView):
    capability = "plans.view"
    template_name = "continuity/scenarios.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(scenarios=selectors.scenario_list(organization=self.organization),
                   can_change=self.can("plans.change"))
        return ctx


class ScenarioUpdateView(PlanViewMixin, OrgFormView):
    capability = "plans.change"
    success_message = gettext_lazy("Scenario saved.")
    template_name = "continuity/scenario_form.html"

    def get_object(self) -> Scenario:
        return self.tenant_object(Scenario.objects.all(), pk=self.kwargs["pk"])

    def get_form(self) -> Any:
        data = self.request.POST if self.request.method == "POST" else None
        return ScenarioForm(data, instance=self.get_object())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.get_object()
        return ctx

    def perform(self, form: Any) -> None:
        services.scenario_update(scenario=self.get_object(), actor=self.user,
                                 description=form.cleaned_data["description"])

    def get_success_url(self) -> str:
        return self.org_url("continuity:scenarios")
