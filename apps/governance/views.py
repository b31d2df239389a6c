"""Governance pages: the guided steps (each saved on submit), the crisis cell, the COPIL, approval."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.compliance.catalogue import current_catalogue
from apps.compliance.forms import EvidenceUploadForm
from apps.core.navigation import link_allowed
from apps.core.views import ObjectDeleteMixin, OrgFormView, OrgViewMixin, TenantObjectFormMixin, tenant_object
from apps.governance import forms, selectors, services
from apps.governance.checks import snapshot_for
from apps.governance.models import (
    CopilMeeting,
    CrisisAssignment,
    CrisisRole,
    Decision,
    GovernanceMember,
    ReportingDuty,
)

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Organization

M = TypeVar("M", bound=Model)

# The guided steps, in order: (key, label, url name).
STEPS: list[tuple[str, Promise, str]] = [
    ("organisation", gettext_lazy("Project organisation"), "governance:step-organisation"),
    ("members", gettext_lazy("Project team and COPIL"), "governance:step-members"),
    ("crisis-cell", gettext_lazy("Cellule de crise"), "governance:crisis-cell"),
    ("logistics", gettext_lazy("Crisis logistics and activation"), "governance:step-logistics"),
    ("signalement", gettext_lazy("Reporting of incidents"), "governance:step-signalement"),
    ("documents", gettext_lazy("Governing documents"), "governance:step-documents"),
    ("meetings", gettext_lazy("COPIL meetings and decisions"), "governance:meetings"),
    ("priorities", gettext_lazy("Direction priorities and approval"), "governance:step-priorities"),
]
STEP_KEYS = [key for key, _label, _url in STEPS]


class GovernanceMixin(OrgViewMixin):
    nav_stage = "governance"
    step: str | None = None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        slug = self.organization.slug
        # A step whose page the member may not open (the direction's priorities for an RPCRA, the forms for a
        # reader) stays in the list, as text: the numbering holds and no link ends on a 403.
        steps = ctx["steps"] = [{"key": k, "label": label, "url": reverse(url, kwargs={"org_slug": slug}),
                                 "current": k == self.step, "allowed": link_allowed(self.membership, url)}
                                for k, label, url in STEPS]
        if self.step in STEP_KEYS:
            index = STEP_KEYS.index(self.step)
            ctx["step_number"] = index + 1
            ctx["step_total"] = len(STEPS)
            ctx["next_step"] = next((s for s in steps[index + 1:] if s["allowed"]), None)
            ctx["previous_step"] = next((s for s in reversed(steps[:index]) if s["allowed"]), None)
        ctx["can_change"] = self.can("governance.change")
        ctx["can_approve"] = self.can("governance.approve")
        return ctx


class OverviewView(GovernanceMixin, TemplateView):
    capability = "governance.view"
    template_name = "governance/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        snap = snapshot_for(self.organization)
        groups = []
        for requirement_id in ("D2.P1", "D2.P2", "D2.O1.A", "D2.O1.B"):
            groups.append({"id": requirement_id, "label": current_catalogue().get(requirement_id).label,
                           "criteria": snap.for_requirement(requirement_id)})
        ctx.update(snapshot=snap, profile=snap.profile, groups=groups,
                   decisions=selectors.decision_list(organization=self.organization)[:20])
        return ctx


class ProfileStepView(GovernanceMixin, OrgFormView):
    """One guided step of the governance scheme; saving goes on to the next step."""

    capability = "governance.change"
    template_name = "governance/step_form.html"
    step: str  # every step view sets it
    upload_requirements: tuple[str, ...] = ()
    upload_kind = ""

    def get_form_kwargs(self) -> dict[str, Any]:
        profile = selectors.governance_profile(organization=self.organization)
        return {"organization": self.organization, "instance": profile}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        if self.upload_requirements and self.can("evidence.change"):
            ctx["upload_form"] = EvidenceUploadForm(
                organization=self.organization, initial={"requirement_ids": list(self.upload_requirements),
                                                         "kind": self.upload_kind})
        return ctx

    def perform(self, form: Any) -> None:
        services.governance_profile_update(organization=self.organization, actor=self.user,
                                           step=self.step.replace("-", "_"), data=form.cleaned_data)
        messages.success(self.request, _("Step saved."))

    def get_success_url(self) -> str:
        index = STEP_KEYS.index(self.step)
        if index + 1 < len(STEPS):
            return self.org_url(STEPS[index + 1][2])
        return self.org_url("governance:overview")


class OrganisationStepView(ProfileStepView):
    step = "organisation"
    form_class = forms.OrganisationStepForm
    upload_requirements = ("D2.P2",)


class LogisticsStepView(ProfileStepView):
    step = "logistics"
    form_class = forms.LogisticsStepForm


class SignalementStepView(ProfileStepView):
    step = "signalement"
    form_class = forms.SignalementStepForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["duties"] = selectors.duty_list(organization=self.organization)
        return ctx


class DocumentsStepView(ProfileStepView):
    step = "documents"
    form_class = forms.DocumentsStepForm
    upload_requirements = ("D2.P1",)
    upload_kind = "pssi"  # Evidence.Kind.PSSI: the file D2.P1 asks for


class PrioritiesStepView(ProfileStepView):
    capability = "governance.approve"
    step = "priorities"
    form_class = forms.PrioritiesStepForm

    def get_success_url(self) -> str:
        return self.org_url("governance:overview")


class MembersStepView(GovernanceMixin, TemplateView):
    capability = "governance.view"
    step = "members"
    template_name = "governance/members.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        members = list(selectors.member_list(organization=self.organization))
        ctx["team"] = [m for m in members if m.body == GovernanceMember.Body.PROJECT_TEAM]
        ctx["copil"] = [m for m in members if m.body == GovernanceMember.Body.COPIL]
        return ctx


class CrisisCellView(GovernanceMixin, TemplateView):
    capability = "governance.view"
    step = "crisis-cell"
    template_name = "governance/crisis_cell.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["roles"] = selectors.crisis_roles(organization=self.organization)
        ctx["profile"] = selectors.governance_profile(organization=self.organization)
        return ctx


class MeetingListView(GovernanceMixin, TemplateView):
    capability = "governance.view"
    step = "meetings"
    template_name = "governance/meeting_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["meetings"] = selectors.meeting_list(organization=self.organization)
        return ctx


class MeetingDetailView(GovernanceMixin, TemplateView):
    capability = "governance.view"
    step = "meetings"
    template_name = "governance/meeting_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["meeting"] = self.tenant_object(CopilMeeting.objects.all(), pk=self.kwargs["pk"])
        ctx["meeting"] = selectors.meeting_detail(organization=self.organization, pk=ctx["meeting"].pk)
        return ctx


class ApproveView(GovernanceMixin, View):
    capability = "governance.approve"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        services.governance_approve(organization=self.organization, actor=self.user, request=request)
        messages.success(request, _("Governance scheme approved."))
        return HttpResponseRedirect(self.org_url("governance:overview"))


class CrisisRolesStandardView(GovernanceMixin, View):
    capability = "governance.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        created = services.crisis_roles_create_standard(organization=self.organization, actor=self.user)
        messages.success(request, _("%(count)d role(s) added.") % {"count": len(created)})
        return HttpResponseRedirect(self.org_url("governance:crisis-cell"))


# --- Generic create / update / delete of governance objects -----------------------------------------

class ObjectFormView(GovernanceMixin, OrgFormView):
    """Create (no ``pk``) or update (``pk``) one object through a service, then go back to a list page."""

    capability = "governance.change"
    template_name = "governance/object_form.html"
    title: Promise = gettext_lazy("Edit")
    back_url_name = "governance:overview"
    saved_message: Promise = gettext_lazy("Saved.")

    def get_object(self) -> Model | None:
        """The object edited: none here (create); update views put ``TenantObjectFormMixin[M]`` in front."""
        return None

    def get_parent(self) -> Model | None:
        """The object created in: none here; views in a parent put ``ParentObjectMixin[M]`` in front."""
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"organization": self.organization, "instance": self.get_object()}
        if self.request.method == "GET" and self.get_object() is None:
            kwargs["initial"] = {k: v for k, v in self.request.GET.items() if k in self.form_class.base_fields}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        self.get_parent()
        ctx = super().get_context_data(**kwargs)
        ctx.update(object=self.get_object(), parent=self.get_parent(), title=self.title,
                   back_url=self.get_success_url())
        return ctx

    def perform(self, form: Any) -> None:
        self.save(form.cleaned_data)
        messages.success(self.request, str(self.saved_message))

    def save(self, data: dict[str, Any]) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_success_url(self) -> str:
        return self.org_url(self.back_url_name)


class ParentObjectMixin(Generic[M]):
    """Create views inside a parent object: the URL's ``pk`` is the parent, looked up through the organization.

    ``ParentObjectMixin[CrisisRole]`` types ``get_parent`` as ``CrisisRole``."""

    parent_model: type[M]
    organization: Organization
    kwargs: dict[str, Any]

    def get_parent(self) -> M:
        if not hasattr(self, "_parent"):
            self._parent = tenant_object(self.parent_model._default_manager.all(), self.organization,
                                         pk=self.kwargs["pk"])
        return self._parent


class ObjectDeleteView(GovernanceMixin, ObjectDeleteMixin, View):
    capability = "governance.change"
    back_url_name = "governance:overview"

    def get_back_url(self, obj: Any) -> str:
        return self.back_url(obj)

    def back_url(self, obj: Any) -> str:
        return self.org_url(self.back_url_name)


class MemberCreateView(ObjectFormView):
    step = "members"
    form_class = forms.GovernanceMemberForm
    title = gettext_lazy("Add a person to the project team or the COPIL")
    back_url_name = "governance:step-members"

    def save(self, data: dict[str, Any]) -> Any:
        return services.governance_member_create(organization=self.organization, actor=self.user, data=data)


class MemberUpdateView(TenantObjectFormMixin[GovernanceMember], MemberCreateView):
    model = GovernanceMember
    title = gettext_lazy("Edit a person of the project team or the COPIL")

    def save(self, data: dict[str, Any]) -> Any:
        return services.governance_member_update(member=self.get_object(), actor=self.user, data=data)


class MemberDeleteView(ObjectDeleteView):
    model = GovernanceMember
    back_url_name = "governance:step-members"

    @staticmethod
    def remove(obj: Any, actor: User | None) -> None:
        services.governance_member_delete(member=obj, actor=actor)


class RoleCreateView(ObjectFormView):
    step = "crisis-cell"
    form_class = forms.CrisisRoleForm
    title = gettext_lazy("Add a role to the cellule de crise")
    back_url_name = "governance:crisis-cell"

    def save(self, data: dict[str, Any]) -> Any:
        return services.crisis_role_create(organization=self.organization, actor=self.user, data=data)


class RoleUpdateView(TenantObjectFormMixin[CrisisRole], RoleCreateView):
    model = CrisisRole
    title = gettext_lazy("Edit a role of the cellule de crise")

    def save(self, data: dict[str, Any]) -> Any:
        return services.crisis_role_update(role=self.get_object(), actor=self.user, data=data)


class RoleDeleteView(ObjectDeleteView):
    model = CrisisRole
    back_url_name = "governance:crisis-cell"

    @staticmethod
    def remove(obj: Any, actor: User | None) -> None:
        services.crisis_role_delete(role=obj, actor=actor)


class AssignmentFormView(ObjectFormView):
    step = "crisis-cell"
    form_class = forms.CrisisAssignmentForm
    back_url_name = "governance:crisis-cell"


class AssignmentCreateView(ParentObjectMixin[CrisisRole], AssignmentFormView):
    parent_model = CrisisRole
    title = gettext_lazy("Name a holder or a deputy")

    def save(self, data: dict[str, Any]) -> Any:
        return services.crisis_assignment_create(role=self.get_parent(), actor=self.user, data=data)


class AssignmentUpdateView(TenantObjectFormMixin[CrisisAssignment], AssignmentFormView):
    model = CrisisAssignment
    title = gettext_lazy("Edit a holder or a deputy")

    def save(self, data: dict[str, Any]) -> Any:
        return services.crisis_assignment_update(assignment=self.get_object(), actor=self.user, data=data)


class AssignmentDeleteView(ObjectDeleteView):
    model = CrisisAssignment
    back_url_name = "governance:crisis-cell"

    @staticmethod
    def remove(obj: Any, actor: User | None) -> None:
        services.crisis_assignment_delete(assignment=obj, actor=actor)


class DutyCreateView(ObjectFormView):
    step = "signalement"
    form_class = forms.ReportingDutyForm
    title = gettext_lazy("Add a reporting duty")
    back_url_name = "governance:step-signalement"

    def save(self, data: dict[str, Any]) -> Any:
        return services.reporting_duty_create(organization=self.organization, actor=self.user, data=data)


class DutyUpdateView(TenantObjectFormMixin[ReportingDuty], DutyCreateView):
    model = ReportingDuty
    title = gettext_lazy("Edit a reporting duty")

    def save(self, data: dict[str, Any]) -> Any:
        return services.reporting_duty_update(duty=self.get_object(), actor=self.user, data=data)


class DutyDeleteView(ObjectDeleteView):
    model = ReportingDuty
    back_url_name = "governance:step-signalement"

    @staticmethod
    def remove(obj: Any, actor: User | None) -> None:
        services.reporting_duty_delete(duty=obj, actor=actor)


class MeetingCreateView(ObjectFormView):
    step = "meetings"
    form_class = forms.CopilMeetingForm
    title = gettext_lazy("Record a COPIL meeting")
    saved_message = gettext_lazy("COPIL meeting saved. You can now record its decisions.")

    def save(self, data: dict[str, Any]) -> Any:
        self.saved = services.copil_meeting_create(organization=self.organization, actor=self.user, data=data)
        return self.saved

    def get_success_url(self) -> str:
        saved = getattr(self, "saved", None) or self.get_object()
        if saved is not None:
            return self.org_url("governance:meeting-detail", pk=saved.pk)
        return self.org_url("governance:meetings")


class MeetingUpdateView(TenantObjectFormMixin[CopilMeeting], MeetingCreateView):
    model = CopilMeeting
    title = gettext_lazy("Edit a COPIL meeting")
    saved_message = gettext_lazy("COPIL meeting saved.")

    def save(self, data: dict[str, Any]) -> Any:
        self.saved = services.copil_meeting_update(meeting=self.get_object(), actor=self.user, data=data)
        return self.saved


class MeetingDeleteView(ObjectDeleteView):
    model = CopilMeeting
    back_url_name = "governance:meetings"

    @staticmethod
    def remove(obj: Any, actor: User | None) -> None:
        services.copil_meeting_delete(meeting=obj, actor=actor)


class DecisionFormView(ObjectFormView):
    step = "meetings"
    form_class = forms.DecisionForm


class DecisionCreateView(ParentObjectMixin[CopilMeeting], DecisionFormView):
    parent_model = CopilMeeting
    title = gettext_lazy("Record a decision")

    def save(self, data: dict[str, Any]) -> Any:
        return services.decision_create(meeting=self.get_parent(), actor=self.user, data=data)

    def get_success_url(self) -> str:
        return self.org_url("governance:meeting-detail", pk=self.get_parent().pk)


class DecisionUpdateView(TenantObjectFormMixin[Decision], DecisionFormView):
    model = Decision
    title = gettext_lazy("Edit a decision")

    def save(self, data: dict[str, Any]) -> Any:
        return services.decision_update(decision=self.get_object(), actor=self.user, data=data)

    def get_success_url(self) -> str:
        return self.org_url("governance:meeting-detail", pk=self.get_object().meeting.pk)


class DecisionDeleteView(ObjectDeleteView):
    model = Decision

    @staticmethod
    def remove(obj: Any, actor: User | None) -> None:
        services.decision_delete(decision=obj, actor=actor)

    def back_url(self, obj: Any) -> str:
        return self.org_url("governance:meeting-detail", pk=obj.meeting_id)
