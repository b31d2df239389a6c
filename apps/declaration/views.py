"""The « Déclaration » page, the signature (MFA re-authentication required) and the signed files' downloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
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
from apps.core.views import OrgViewMixin, form_errors_from
from apps.declaration import forms, services
from apps.declaration.models import DeclarationVersion


class DeclarationMixin(OrgViewMixin):
    nav_stage = "declaration"


class DeclarationPageView(DeclarationMixin, TemplateView):
    """Every requirement, met or not and why; the signed versions; what changed since the last one; « Signer »."""

    capability = "compliance.view"
    template_name = "declaration/page.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
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
                   can_sign=self.can("declaration.sign"), can_bundle=self.can("exports.run"), has_mfa=self.user.has_mfa,
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
        content_type = "application/pdf" if entry["name"].endswith(".pdf") else \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = files.download_response(entry["path"], filename=entry["name"], content_type=content_type)
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
