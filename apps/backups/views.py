"""Backups pages: systems overview, control form per system, trajectories, restoration tests, policy.

Thin views: resolve through the organization, call a selector or a service, render.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.backups import checks, forms, selectors, services
from apps.backups.models import BackupControl, Milestone, RestoreTest, Trajectory
from apps.bia.models import Resource
from apps.core.views import ObjectDeleteMixin, OrgFormView, OrgViewMixin, tenant_object

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Organization

M = TypeVar("M", bound=Model)


class BackupsMixin(OrgViewMixin):
    nav_stage = "backups"


class UploadFormView(BackupsMixin, OrgFormView):
    """Forms with a file field: the request's files go to the form."""

    template_name = "backups/object_form.html"
    title: str | Promise = ""
    instance: Model | None = None

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"organization": self.organization, "instance": self.get_instance()}

    def get_instance(self) -> Model | None:
        return None

    def get_form(self) -> BaseForm:
        if self.request.method == "POST":
            return self.form_class(self.request.POST, self.request.FILES, **self.get_form_kwargs())
        return self.form_class(**self.get_form_kwargs())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("title", self.title)
        ctx.setdefault("back_url", self.get_success_url())
        return ctx


class OverviewView(BackupsMixin, TemplateView):
    """Every system with its 3-2-1 badge, frequency against the PDMA, missing controls and last restore test."""

    capability = "backups.view"
    template_name = "backups/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        snap = checks.snapshot_for(self.organization)
        query = self.request.GET.get("q", "").strip()
        rows = [r for r in snap.rows if query.casefold() in r.resource.name.casefold()] if query else snap.rows
        # A large GHT has hundreds of systems: 50 per page, critical ones first.
        ctx.update(rows=rows, page=Paginator(rows, 50).get_page(self.request.GET.get("page")), query=query,
                   total=len(snap.rows), results=[(c.__name__, c(self.organization)) for c in checks.CHECKS],
                   can_change=self.can("backups.change"))
        return ctx


class SupervisionView(BackupsMixin, TemplateView):
    """The job feed (D2.O3.D): last successful job per system, those without one within their PDMA, alerts."""

    capability = "backups.view"
    template_name = "backups/supervision.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from apps.backups.feed import feed_summary, thresholds

        ctx = super().get_context_data(**kwargs)
        snap = checks.snapshot_for(self.organization)
        summary = feed_summary(organization=self.organization, rows=snap.rows)
        failures, hours = thresholds(self.organization)
        ctx.update(summary=summary, page=Paginator(summary.rows, 50).get_page(self.request.GET.get("page")),
                   alert_after_failures=failures, alert_action_after_hours=hours)
        return ctx


class ControlFormView(UploadFormView):
    """The guided control form of one system; saved on submit."""

    capability = "backups.change"
    form_class = forms.ControlForm
    template_name = "backups/control_form.html"

    def get_resource(self) -> Resource:
        if not hasattr(self, "_resource"):
            self._resource = self.tenant_object(selectors.system_queryset(organization=self.organization),
                                                pk=self.kwargs["pk"])
        return self._resource

    def get_instance(self) -> Model | None:
        return BackupControl.objects.filter(organization=self.organization, resource=self.get_resource()).first()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        rto, pdma = selectors.requirements_for(organization=self.organization, resource=self.get_resource())
        ctx.update(resource=self.get_resource(), required_rto=rto, required_pdma=pdma, control=self.get_instance())
        return ctx

    def perform(self, form: forms.ControlForm) -> None:
        services.control_save(organization=self.organization, actor=self.user, resource=self.get_resource(),
                              data=form.cleaned_data, plan_upload=form.cleaned_data.get("plan_upload"))
        messages.success(self.request, _("Backup control saved."))

    def get_success_url(self) -> str:
        return self.org_url("backups:overview")


class PolicyView(UploadFormView):
    """The backup and restoration policy (D2.O2.A) and the ADS scores of dedicated backup directories."""

    capability = "backups.view"
    form_class = forms.PolicyForm
    template_name = "backups/policy.html"

    def get_instance(self) -> Model | None:
        return selectors.policy(organization=self.organization)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.can("backups.change"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(policy=self.get_instance(), ads=selectors.ads_controls(organization=self.organization),
                   can_change=self.can("backups.change"), check=checks.policy_check(self.organization))
        return ctx

    def perform(self, form: forms.PolicyForm) -> None:
        services.policy_save(organization=self.organization, actor=self.user, data=form.cleaned_data,
                             upload=form.cleaned_data.get("upload"))
        messages.success(self.request, _("Policy saved."))

    def get_success_url(self) -> str:
        return self.org_url("backups:policy")


class TrajectoryListView(BackupsMixin, TemplateView):
    capability = "backups.view"
    template_name = "backups/trajectories.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(trajectories=selectors.trajectory_list(organization=self.organization),
                   can_change=self.can("backups.change"))
        return ctx


class TrajectoryCreateView(UploadFormView):
    capability = "backups.change"
    form_class = forms.TrajectoryForm
    title = gettext_lazy("New trajectory")

    def perform(self, form: forms.TrajectoryForm) -> None:
        services.trajectory_create(organization=self.organization, actor=self.user, data=form.cleaned_data)

    def get_success_url(self) -> str:
        return self.org_url("backups:trajectories")


class TenantObjectMixin(Generic[M]):
    """Edit views: the URL's object, looked up through the organization (in front of an ``UploadFormView``)."""

    model: type[M]
    organization: Organization  # organization and kwargs: set by OrgViewMixin and View
    kwargs: dict[str, Any]

    def get_instance(self) -> M:
        if not hasattr(self, "_object"):
            self._object = tenant_object(self.model._default_manager.all(), self.organization, pk=self.kwargs["pk"])
        return self._object

    def fresh(self) -> M:
        # The ModelForm wrote the submitted values on its instance; services compare with the stored row.
        return self.model._default_manager.get(pk=self.get_instance().pk, organization=self.organization)


class TrajectoryUpdateView(TenantObjectMixin[Trajectory], UploadFormView):
    capability = "backups.change"
    form_class = forms.TrajectoryForm
    model = Trajectory
    title = gettext_lazy("Edit the trajectory")

    def perform(self, form: forms.TrajectoryForm) -> None:
        services.trajectory_update(trajectory=self.fresh(), actor=self.user, data=form.cleaned_data)

    def get_success_url(self) -> str:
        return self.org_url("backups:trajectories")


class MilestoneCreateView(UploadFormView):
    capability = "backups.change"
    form_class = forms.MilestoneForm
    title = gettext_lazy("New milestone")

    def get_trajectory(self) -> Trajectory:
        return self.tenant_object(Trajectory.objects.all(), pk=self.kwargs["pk"])

    def perform(self, form: forms.MilestoneForm) -> None:
        services.milestone_create(trajectory=self.get_trajectory(), actor=self.user, data=form.cleaned_data)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "parent": self.get_trajectory()}

    def get_success_url(self) -> str:
        return self.org_url("backups:trajectories")


class MilestoneUpdateView(TenantObjectMixin[Milestone], UploadFormView):
    capability = "backups.change"
    form_class = forms.MilestoneForm
    model = Milestone
    title = gettext_lazy("Edit the milestone")

    def perform(self, form: forms.MilestoneForm) -> None:
        services.milestone_update(milestone=self.fresh(), actor=self.user, data=form.cleaned_data)

    def get_success_url(self) -> str:
        return self.org_url("backups:trajectories")


class ObjectDeleteView(BackupsMixin, ObjectDeleteMixin, View):
    capability = "backups.change"
    back_url_name = "backups:overview"

    def get_back_url(self, obj: Model) -> str:
        return self.org_url(self.back_url_name)


class TrajectoryDeleteView(ObjectDeleteView):
    model = Trajectory
    back_url_name = "backups:trajectories"

    @staticmethod
    def remove(obj: Trajectory, actor: User) -> None:
        services.trajectory_delete(trajectory=obj, actor=actor)


class MilestoneDeleteView(ObjectDeleteView):
    model = Milestone
    back_url_name = "backups:trajectories"

    @staticmethod
    def remove(obj: Milestone, actor: User) -> None:
        services.milestone_delete(milestone=obj, actor=actor)


class RestoreTestListView(BackupsMixin, TemplateView):
    capability = "backups.view"
    template_name = "backups/tests.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        page = Paginator(selectors.restore_test_list(organization=self.organization), 25).get_page(
            self.request.GET.get("page"))
        ctx.update(page_obj=page, tests=page.object_list, can_change=self.can("backups.change"))
        return ctx


class RestoreTestCreateView(UploadFormView):
    capability = "backups.change"
    form_class = forms.RestoreTestForm
    title = gettext_lazy("Record a restoration test")

    def get_form(self) -> BaseForm:
        form = super().get_form()
        if self.request.method == "GET" and self.request.GET.get("system"):
            form.initial["resource"] = self.request.GET["system"]
        return form

    def perform(self, form: forms.RestoreTestForm) -> None:
        services.restore_test_record(organization=self.organization, actor=self.user, data=form.cleaned_data,
                                     report_upload=form.cleaned_data.get("report_upload"))
        messages.success(self.request, _("Restoration test recorded."))

    def get_success_url(self) -> str:
        return self.org_url("backups:tests")


class RestoreTestUpdateView(TenantObjectMixin[RestoreTest], UploadFormView):
    capability = "backups.change"
    form_class = forms.RestoreTestForm
    model = RestoreTest
    title = gettext_lazy("Edit the restoration test")

    def perform(self, form: forms.RestoreTestForm) -> None:
        services.restore_test_update(test=self.fresh(), actor=self.user, data=form.cleaned_data,
                                     report_upload=form.cleaned_data.get("report_upload"))
        messages.success(self.request, _("Restoration test saved."))

    def get_success_url(self) -> str:
        return self.org_url("backups:tests")


class RestoreTestDeleteView(ObjectDeleteView):
    model = RestoreTest
    back_url_name = "backups:tests"

    @staticmethod
    def remove(obj: RestoreTest, actor: User) -> None:
        services.restore_test_delete(test=obj, actor=actor)
