"""The « Déclaration » page, the signature (MFA re-authentication required) and the signed files' downloads;
the reviewers' accesses: their management by the direction (under ``/o/<slug>/declaration/relecteurs/``) and the
reviewer's own pages (under ``/relecture/``, outside the member pages: a reviewer is no member, the tenant
middleware answers them 404 on every ``/o/<slug>/`` address)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from apps.compliance.selectors import requirement_statuses, status_summary
from apps.core import files
from apps.core.models import AuditEvent
from apps.core.services import audit_log
from apps.core.views import OrgFormView, OrgViewMixin, form_errors_from
from apps.declaration import forms, services
from apps.declaration.models import DeclarationVersion, ReviewerGrant
from apps.tenants.views import InvitationAcceptBaseView

if TYPE_CHECKING:
    from apps.accounts.models import User


class DeclarationMixin(OrgViewMixin):
    nav_stage = "declaration"


class DeclarationPageView(DeclarationMixin, TemplateView):
    """Every requirement, met or not and why; the signed versions; what changed since the last one; « Signer »."""

    capability = "compliance.view"
    template_name = "declaration/page.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from apps.core import tenancy
        from apps.exports.snapshot import export_snapshot

        ctx = super().get_context_data(**kwargs)
        with export_snapshot():  # the statuses and the changes since the signed version: each check run once
            statuses = requirement_statuses(organization=self.organization)
            latest = services.latest_signed(organization=self.organization)
            changes = services.changes_since(organization=self.organization, version=latest)
        ctx.update(statuses=statuses, summary=status_summary(statuses), latest=latest,
                   versions=list(DeclarationVersion.objects.filter(organization=self.organization)
                                 .select_related("job")),
                   changes=changes,
                   can_sign=self.can("declaration.sign"),
                   can_invite=self.can("declaration.sign") and not tenancy.is_limited(), can_bundle=self.can("exports.run"), has_mfa=self.user.has_mfa,
                   fresh_mfa=services.recent_mfa(self.request, self.user))
        ctx.setdefault("form", forms.SignForm(organization=self.organization, initial={
            "text": services.default_text(self.organization), "signer_function": getattr(self.user, "job_title", "")}))
        return ctx


class DeclarationSignView(DeclarationMixin, TemplateView):
    capability = "declaration.sign"
    template_name = "declaration/page.html"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = forms.SignForm(request.POST, organization=self.organization)
        page = self.org_url("declaration:page")
        if form.is_valid():
            try:
                version = services.declaration_sign(
                    organization=self.organization, actor=self.user, request=request,
                    signer_function=form.cleaned_data["signer_function"], text=form.cleaned_data["text"])
            except services.SignatureRefused as refused:
                messages.error(request, refused.message)
                if refused.needs_reauth:
                    return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': page})}")
                return HttpResponseRedirect(page)
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(request, _signed_message(version))
                return HttpResponseRedirect(page)
        view = DeclarationPageView()
        view.setup(request, *args, **kwargs)
        view.organization, view.membership, view.user = self.organization, self.membership, self.user
        return view.render_to_response(view.get_context_data(form=form), status=400)


def _signed_message(version: DeclarationVersion) -> str:
    from django.utils.translation import gettext as _

    return _("Declaration v%(number)s signed: its files are being produced by the export worker.") % {
        "number": version.number}


class DeclarationFileView(DeclarationMixin, View):
    """A signed file of a version (PDF, XLSX, cost workbook), kept for good; every download audited."""

    capability = "compliance.view"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        from django.core.exceptions import PermissionDenied
        from django.utils.translation import gettext as _

        from apps.core import tenancy

        version = self.tenant_object(DeclarationVersion.objects.all(), pk=kwargs["pk"])
        if tenancy.is_limited():
            # The signed files cover the whole candidate: every establishment's data, never a limited member's.
            raise PermissionDenied(_("The signed declaration covers every establishment: a member limited to some "
                                     "establishments cannot download its files."))
        entry = version.file(kwargs["key"])
        if entry is None or not files.is_inside(entry["path"], "declarations", str(self.organization.pk)):
            raise Http404
        response = files.download_response(entry["path"], filename=entry["name"], content_type=_content_type(entry))
        audit_log(action=AuditEvent.Action.DOWNLOAD, actor=self.user, organization=self.organization,
                  target=entry["name"], details={"declaration": version.pk, "sha256": entry["sha256"]},
                  request=request)
        return response


class BundleRequestView(DeclarationMixin, View):
    """« Dossier complet (ZIP) »: built by the export worker, downloaded from the exports page like the others."""

    capability = "exports.run"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.utils.translation import gettext as _

        from apps.exports.models import ExportJob
        from apps.exports.services import export_request

        export_request(organization=self.organization, actor=self.user, kind=ExportJob.Kind.BUNDLE_ZIP,
                       request=request)
        messages.success(request, _("Export requested: it is being prepared, you can leave this page."))
        return HttpResponseRedirect(self.org_url("exports:list"))


# --- Reviewers' accesses, managed by the direction ---------------------------------------------------------

class ReviewerManageMixin(DeclarationMixin):
    """The signatory's holders (``declaration.sign``: direction, administrator) manage who reads the declaration
    from outside; never a member limited to some establishments (the declaration covers them all: 403)."""

    capability = "declaration.sign"

    def has_permission(self) -> bool:
        from apps.core import tenancy

        return super().has_permission() and not tenancy.is_limited()


class ReviewerListView(ReviewerManageMixin, OrgFormView):
    """« Relecteurs »: every access given (who, until when, last access, number of accesses, its state) and
    « Inviter un relecteur »."""

    template_name = "declaration/reviewers.html"
    form_class = forms.ReviewerInviteForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from apps.declaration import selectors

        ctx = super().get_context_data(**kwargs)
        ctx.update(grants=list(selectors.reviewer_grant_list(organization=self.organization)),
                   signed=services.latest_signed(organization=self.organization))
        return ctx

    def perform(self, form: forms.ReviewerInviteForm) -> None:
        from django.utils.translation import gettext as _

        services.reviewer_invite(organization=self.organization, actor=self.user, email=form.cleaned_data["email"],
                                 days=form.cleaned_data["days"], request=self.request)
        messages.success(self.request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})

    def get_success_url(self) -> str:
        return self.org_url("declaration:reviewers")


class ReviewerRevokeView(ReviewerManageMixin, TemplateView):
    """GET asks for confirmation; POST ends the access now."""

    template_name = "declaration/reviewer_revoke.html"

    def get_grant(self) -> ReviewerGrant:
        return self.tenant_object(ReviewerGrant.objects.all(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["grant"] = self.get_grant()
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.utils.translation import gettext as _

        grant = self.get_grant()
        try:
            services.reviewer_revoke(grant=grant, actor=self.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(email)s no longer has access to the declaration.") % {"email": grant.email})
        return HttpResponseRedirect(self.org_url("declaration:reviewers"))


# --- The reviewer's own pages (/relecture/…) -----------------------------------------------------------------

class ReviewerHomeView(LoginRequiredMixin, TemplateView):
    """The reviewer's home: the organizations whose signed declaration they may read, and the accesses ended."""

    template_name = "declaration/review/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from apps.declaration import selectors

        ctx = super().get_context_data(**kwargs)
        grants = selectors.reviewer_grants_for(user=self.request.user)  # type: ignore[arg-type]
        ctx.update(active=[g for g in grants if g.is_active], ended=[g for g in grants if not g.is_active])
        return ctx


class ReviewerAccessMixin(View):
    """Resolve the reviewer's access from the URL: bound to this account and still running, else 404 (an ended
    access: the page says so, still with 404). The organization's MFA policy applies as for its members. The view
    runs inside the organization's scope; ``request.organization`` stays unset: no member page, no menu."""

    grant: ReviewerGrant

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        from django.contrib.auth.views import redirect_to_login
        from django.shortcuts import redirect
        from django.utils.translation import gettext as _

        from apps.core.tenancy import tenant_scope
        from apps.declaration import selectors

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        grant = selectors.reviewer_grant_of(user=request.user, grant_id=kwargs["grant"])  # type: ignore[arg-type]
        if grant is None:
            raise Http404
        if not grant.is_active:
            return self.ended(request, grant)
        organization = grant.organization
        if organization.mfa_required and not request.user.has_mfa:
            messages.warning(request, _("%(org)s requires two-factor authentication. Please set up an "
                                        "authenticator app to continue.") % {"org": organization.name})
            return redirect("mfa_activate_totp")
        self.grant = grant
        with tenant_scope(organization):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    def ended(self, request: HttpRequest, grant: ReviewerGrant) -> HttpResponseBase:
        raise Http404


class ReviewerDeclarationView(ReviewerAccessMixin, TemplateView):
    """The signed versions of one organization's declaration, their files and SHA-256; each view audited."""

    template_name = "declaration/review/declaration.html"

    def ended(self, request: HttpRequest, grant: ReviewerGrant) -> HttpResponseBase:
        from django.shortcuts import render

        return render(request, "declaration/review/ended.html", {"grant": grant}, status=404)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from apps.declaration import selectors

        versions = list(selectors.reviewer_versions(grant=self.grant))
        services.reviewer_access_record(grant=self.grant, request=request,
                                        version=versions[0] if versions else None)
        return self.render_to_response(self.get_context_data(versions=versions, grant=self.grant,
                                                             review_organization=self.grant.organization))


class ReviewerFileView(ReviewerAccessMixin):
    """One frozen file of a signed version; each download audited (``AuditEvent.Action.DOWNLOAD`` with the grant)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        from django.shortcuts import get_object_or_404

        from apps.declaration import selectors

        version = get_object_or_404(selectors.reviewer_versions(grant=self.grant), pk=kwargs["pk"])
        entry = version.file(kwargs["key"])
        if entry is None or not files.is_inside(entry["path"], "declarations", str(self.grant.organization_id)):
            raise Http404
        response = files.download_response(entry["path"], filename=entry["name"], content_type=_content_type(entry))
        services.reviewer_access_record(grant=self.grant, request=request, version=version, file=entry)
        return response


def _content_type(entry: dict[str, str]) -> str:
    return "application/pdf" if entry["name"].endswith(".pdf") else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReviewerAcceptView(InvitationAcceptBaseView):
    """Accept a reviewer's invitation (the link works once): log in with the invited address, or create the
    account here. The access is then bound to that account."""

    template_name = "declaration/review/accept.html"
    context_name = "grant"

    def find(self, token: str) -> ReviewerGrant | None:
        return ReviewerGrant.objects.select_related("organization", "invited_by").filter(token=token).first()

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        grant = self.get_invitation(token)
        if grant.is_active and grant.user_id == request.user.pk:
            return HttpResponseRedirect(reverse("review:declaration", kwargs={"grant": grant.pk}))
        return self.render_page(request, grant)

    def accept(self, *, invitation: ReviewerGrant, user: User, request: HttpRequest) -> None:
        services.reviewer_accept(grant=invitation, user=user, request=request)

    def accepted(self, request: HttpRequest, invitation: ReviewerGrant) -> HttpResponse:
        from django.utils.translation import gettext as _

        messages.success(request, _("You can now read the signed declaration of %(org)s.") % {
            "org": invitation.organization.name})
        return HttpResponseRedirect(reverse("review:declaration", kwargs={"grant": invitation.pk}))
