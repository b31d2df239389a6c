"""Organization pages: home, settings, establishments and sites, members, invitations, history."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.apps import apps as django_apps
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_scopes import scopes_disabled

from apps.accounts.models import User
from apps.core import tenancy
from apps.core.history import history_for, history_readable, readable_history
from apps.core.models import AuditEvent, TenantModel
from apps.core.views import OrgFormView, OrgViewMixin, TenantObjectFormMixin
from apps.tenants import selectors, services
from apps.tenants.forms import (
    EstablishmentForm,
    InvitationAcceptForm,
    InvitationForm,
    MembershipForm,
    OrganizationForm,
    SiteForm,
)
from apps.tenants.models import Establishment, Invitation, Membership, Organization, Site
from apps.tenants.roles import ROLE_HELP, Role


class OrganizationHomeView(OrgViewMixin, TemplateView):
    capability = "org.view"
    nav_stage = "home"
    template_name = "tenants/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # The member's home: sections and links their capabilities allow (apps.workspace.home), the CaRE journey
        # among them.
        from apps.workspace.home import home_context

        ctx = super().get_context_data(**kwargs)
        ctx.update(home_context(organization=self.organization, membership=self.membership))
        return ctx


class OrganizationSettingsView(OrgFormView):
    capability = "org.manage"
    nav_stage = "organization"
    template_name = "tenants/settings.html"

    def get_form(self) -> OrganizationForm:
        data = self.request.POST if self.request.method == "POST" else None
        return OrganizationForm(data, instance=Organization.objects.get(pk=self.organization.pk))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        if form.is_valid():
            services.organization_update(
                organization=self.organization, actor=self.user, data=form.cleaned_data, request=request
            )
            messages.success(request, _("Organization settings saved."))
            return redirect("tenants:settings", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EstablishmentListView(OrgViewMixin, TemplateView):
    capability = "org.view"
    nav_stage = "organization"
    template_name = "tenants/establishment_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        establishments = list(selectors.establishment_list(organization=self.organization, membership=self.membership))
        sites = selectors.site_list(organization=self.organization, establishment_ids=[e.pk for e in establishments])
        by_establishment: dict[int, list[Site]] = {}
        for site in sites:
            by_establishment.setdefault(site.establishment_id, []).append(site)
        for establishment in establishments:
            establishment.site_rows = by_establishment.get(establishment.pk, [])  # type: ignore[attr-defined]  # for the template
        ctx["establishments"] = establishments
        # The 66 % rule's weights (which level, their total, what is missing): apps.compliance.coverage's rule.
        from apps.compliance.coverage import coverage_share

        ctx["weights"] = coverage_share(self.organization, [])
        ctx["can_manage"] = self.can("org.manage")
        return ctx


class EstablishmentCreateView(OrgFormView):
    capability = "org.manage"
    nav_stage = "organization"
    template_name = "tenants/establishment_form.html"
    form_class = EstablishmentForm

    def perform(self, form: EstablishmentForm) -> None:
        services.establishment_create(organization=self.organization, actor=self.user, data=form.cleaned_data)
        messages.success(self.request, _("Establishment added."))

    def get_success_url(self) -> str:
        return reverse("tenants:establishments", kwargs={"org_slug": self.organization.slug})


class EstablishmentUpdateView(TenantObjectFormMixin[Establishment], EstablishmentCreateView):
    model = Establishment

    def perform(self, form: EstablishmentForm) -> None:
        services.establishment_update(establishment=self.fresh_object(), actor=self.user,
                                      data=form.cleaned_data)
        messages.success(self.request, _("Establishment saved."))


class SiteCreateView(OrgFormView):
    capability = "org.manage"
    nav_stage = "organization"
    template_name = "tenants/site_form.html"
    form_class = SiteForm

    def get_form(self) -> SiteForm:
        form = super().get_form()
        if self.request.method == "GET" and self.request.GET.get("establishment"):
            form.initial["establishment"] = self.request.GET["establishment"]
        return form

    def perform(self, form: SiteForm) -> None:
        services.site_create(organization=self.organization, actor=self.user, data=form.cleaned_data)
        messages.success(self.request, _("Site added."))

    def get_success_url(self) -> str:
        return reverse("tenants:establishments", kwargs={"org_slug": self.organization.slug})


class SiteUpdateView(TenantObjectFormMixin[Site], SiteCreateView):
    model = Site

    def perform(self, form: SiteForm) -> None:
        services.site_update(site=self.fresh_object(), actor=self.user, data=form.cleaned_data)
        messages.success(self.request, _("Site saved."))


class MemberListView(OrgViewMixin, TemplateView):
    capability = "org.manage"
    nav_stage = "organization"
    template_name = "tenants/member_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        members = selectors.member_list(organization=self.organization)
        if query:
            from django.db.models import Q

            members = members.filter(
                Q(user__email__icontains=query) | Q(user__first_name__icontains=query) | Q(user__last_name__icontains=query)
            )
        page = Paginator(members, 50).get_page(self.request.GET.get("page"))
        ctx.update(
            page=page, query=query, invitations=selectors.invitation_list(organization=self.organization),
            roles=[(Role(value).label, ROLE_HELP[Role(value)]) for value, _label in Role.choices],
        )
        return ctx


class InvitationCreateView(OrgFormView):
    capability = "org.manage"
    nav_stage = "organization"
    template_name = "tenants/invitation_form.html"
    form_class = InvitationForm

    def perform(self, form: InvitationForm) -> None:
        services.invitation_create(
            organization=self.organization, actor=self.user, email=form.cleaned_data["email"],
            role=form.cleaned_data["role"], establishments=form.cleaned_data.get("establishments") or [],
            request=self.request,
        )
        messages.success(self.request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})

    def get_success_url(self) -> str:
        return reverse("tenants:members", kwargs={"org_slug": self.organization.slug})


class InvitationRevokeView(OrgViewMixin, View):
    capability = "org.manage"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        invitation = self.tenant_object(Invitation.objects.all(), pk=kwargs["pk"])
        services.invitation_revoke(invitation=invitation, actor=self.user, request=request)
        messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
        return redirect("tenants:members", org_slug=self.organization.slug)


class MemberUpdateView(OrgFormView):
    capability = "org.manage"
    nav_stage = "organization"
    template_name = "tenants/member_form.html"
    form_class = MembershipForm

    def get_member(self) -> Membership:
        if not hasattr(self, "_member"):
            self._member = self.tenant_object(Membership.objects.select_related("user"), pk=self.kwargs["pk"])
        return self._member

    def get_form(self) -> MembershipForm:
        member = self.get_member()
        initial = {
            "role": member.role,
            "restricted": member.restricted_to_establishments,
            "establishments": sorted(selectors.granted_establishment_ids(membership=member)),
        }
        data = self.request.POST if self.request.method == "POST" else None
        return MembershipForm(data, organization=self.organization, initial=initial)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["member"] = self.get_member()
        return ctx

    def perform(self, form: MembershipForm) -> None:
        services.membership_update(
            membership=self.get_member(), actor=self.user, role=form.cleaned_data["role"],
            restricted=form.cleaned_data["restricted"], establishments=form.cleaned_data["establishments"],
            request=self.request,
        )
        messages.success(self.request, _("Member updated."))

    def get_success_url(self) -> str:
        return reverse("tenants:members", kwargs={"org_slug": self.organization.slug})


class MemberRemoveView(OrgViewMixin, TemplateView):
    """GET asks for confirmation; POST removes the member."""

    capability = "org.manage"
    nav_stage = "organization"
    template_name = "tenants/member_remove.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["member"] = self.tenant_object(Membership.objects.select_related("user"), pk=self.kwargs["pk"])
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = self.tenant_object(Membership.objects.select_related("user"), pk=kwargs["pk"])
        try:
            services.membership_remove(membership=member, actor=self.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s no longer has access to the organization.") % {"name": member.user})
            if member.user_id == request.user.pk:
                return redirect("portfolio")
        return redirect("tenants:members", org_slug=self.organization.slug)


class AuditLogView(OrgViewMixin, TemplateView):
    capability = "audit.view"
    nav_stage = "organization"
    template_name = "tenants/audit_log.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        events = AuditEvent.objects.filter(organization=self.organization).select_related("actor")
        limit = tenancy.allowed_establishments()
        if limit is not None:
            events = events.filter(Q(actor=self.user) | Q(establishment_ids__contained_by=sorted(limit),
                                                            establishment_ids__len__gt=0))
        action = self.request.GET.get("action", "")
        if action in AuditEvent.Action.values:
            events = events.filter(action=action)
        ctx.update(page=Paginator(events, 50).get_page(self.request.GET.get("page")), action=action,
                   actions=AuditEvent.Action.choices)
        return ctx


class ObjectHistoryView(OrgViewMixin, TemplateView):
    """« Historique »: every change of one object, with who and when (pghistory events)."""

    capability = "history.view"
    template_name = "core/history.html"

    def get_object(self) -> Model:
        label = self.kwargs["model"]
        if not history_readable(label):
            raise Http404
        model = django_apps.get_model(label)
        if model is Organization:
            if str(self.kwargs["pk"]) != str(self.organization.pk):
                raise Http404
            return self.organization
        if not issubclass(model, TenantModel):
            raise Http404
        return self.tenant_object(model.objects.all(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        obj = self.get_object()
        page = Paginator(history_for(obj), 30).get_page(self.request.GET.get("page"))
        events = list(page.object_list)
        # Business events between this page's oldest change and the previous page's (the first page: up to now).
        oldest = events[-1].pgh_created_at if events and page.has_next() else None
        newest = events[0].pgh_created_at if events and page.has_previous() else None
        rows = readable_history(obj, events, newest_first_window=(oldest, newest))
        ctx.update(object=obj, object_verbose_name=obj._meta.verbose_name, page=page, rows=rows)
        return ctx


# --- Pages outside an organization -------------------------------------------------------------

class InvitationAcceptBaseView(View):
    """Accept an invitation by its link (it works once): a logged-in account accepts at once, an address that
    already has an account logs in first, otherwise the account is created here. Subclasses say which invitation
    the token names (``find``, read unscoped), what accepting does (``accept``) and where it leads (``accepted``);
    the member invitation below and the reviewer's (``apps.declaration.views.ReviewerAcceptView``) share the rest."""

    template_name: str
    context_name = "invitation"

    def find(self, token: str) -> Any:
        raise NotImplementedError

    def accept(self, *, invitation: Any, user: User, request: HttpRequest) -> None:
        raise NotImplementedError

    def accepted(self, request: HttpRequest, invitation: Any) -> HttpResponse:
        raise NotImplementedError

    def extra_context(self, invitation: Any) -> dict[str, Any]:
        return {}

    def get_invitation(self, token: str) -> Any:
        with scopes_disabled():
            invitation = self.find(token)
        if invitation is None:
            raise Http404
        return invitation

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self.render_page(request, self.get_invitation(token))

    def render_page(self, request: HttpRequest, invitation: Any, form: Any = None, status: int = 200) -> HttpResponse:
        with scopes_disabled():
            existing = User.objects.filter(email__iexact=invitation.email).exists()
        if form is None and not existing and not request.user.is_authenticated:
            form = InvitationAcceptForm(email=invitation.email)
        return render(request, self.template_name, {
            self.context_name: invitation, "form": form, "existing": existing, **self.extra_context(invitation),
        }, status=status)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = self.get_invitation(token)
        if not invitation.is_pending:
            return self.render_page(request, invitation, status=400)
        with tenancy.tenant_scope(invitation.organization):
            if request.user.is_authenticated:
                try:
                    self.accept(invitation=invitation, user=request.user, request=request)  # type: ignore[arg-type]
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                    return self.render_page(request, invitation, status=400)
            else:
                with scopes_disabled():
                    if User.objects.filter(email__iexact=invitation.email).exists():
                        return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
                form = InvitationAcceptForm(request.POST, email=invitation.email)
                if not form.is_valid():
                    return self.render_page(request, invitation, form=form, status=400)
                user = User.objects.create_user(
                    email=invitation.email, password=form.cleaned_data["password1"],
                    first_name=form.cleaned_data["first_name"], last_name=form.cleaned_data["last_name"],
                )
                self.accept(invitation=invitation, user=user, request=request)
                login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return self.accepted(request, invitation)


class InvitationAcceptView(InvitationAcceptBaseView):
    """Accept an invitation to become a member: log in with the invited address, or create the account here."""

    template_name = "tenants/invitation_accept.html"

    def find(self, token: str) -> Invitation | None:
        return Invitation.objects.select_related("organization").filter(token=token).first()

    def extra_context(self, invitation: Invitation) -> dict[str, Any]:
        return {"role_help": ROLE_HELP.get(Role(invitation.role))}

    def accept(self, *, invitation: Invitation, user: User, request: HttpRequest) -> None:
        services.invitation_accept(invitation=invitation, user=user, request=request)

    def accepted(self, request: HttpRequest, invitation: Invitation) -> HttpResponse:
        messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organization.name})
        return redirect("tenants:home", org_slug=invitation.organization.slug)
