"""Exports page, request and retry, the polled status fragment, and the audited download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.core import files
from apps.core.models import AuditEvent
from apps.core.services import audit_log
from apps.core.views import OrgViewMixin
from apps.exports import selectors, services
from apps.exports.models import DEFAULT_DOSSIER_LANGUAGE, DOSSIER_LANGUAGES, ExportJob

PAGE_SIZE = 20


class ExportListView(OrgViewMixin, TemplateView):
    capability = "exports.view"
    nav_stage = "dossier"
    template_name = "exports/export_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        paginator = Paginator(selectors.export_list(organization=self.organization), PAGE_SIZE)
        ctx["page"] = page = paginator.get_page(self.request.GET.get("page"))
        # A job asked by a limited member covers their establishments only: the list says which (one query).
        perimeters = selectors.job_perimeters(organization=self.organization, jobs=list(page))
        ctx["rows"] = [(job, perimeters.get(job.pk)) for job in page]
        ctx["active_jobs"] = list(selectors.export_active(organization=self.organization))
        ctx["can_run"] = self.can("exports.run")
        ctx["kinds"] = ExportJob.Kind
        ctx["languages"] = DOSSIER_LANGUAGES
        ctx["default_language"] = DEFAULT_DOSSIER_LANGUAGE
        return ctx


class ExportRequestView(OrgViewMixin, View):
    capability = "exports.run"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        kind = request.POST.get("kind", "")
        if kind not in (ExportJob.Kind.DOSSIER_PDF, ExportJob.Kind.WORKBOOK_XLSX):  # documents: their own apps
            return HttpResponse(_("Unknown kind of export."), status=400, content_type="text/plain; charset=utf-8")
        language = request.POST.get("language") or DEFAULT_DOSSIER_LANGUAGE
        if language not in dict(DOSSIER_LANGUAGES):
            return HttpResponse(_("Unknown language."), status=400, content_type="text/plain; charset=utf-8")
        services.export_request(organization=self.organization, actor=self.user, kind=kind, request=request,
                                language=language)
        messages.success(request, _("Export requested: it is being prepared, you can leave this page."))
        return HttpResponseRedirect(reverse("exports:list", kwargs={"org_slug": self.organization.slug}))


class ExportStatusView(OrgViewMixin, TemplateView):
    """The job's row, polled by HTMX every second until it is ready or failed."""

    capability = "exports.view"
    template_name = "exports/_job_status.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["job"] = self.tenant_object(ExportJob.objects.all(), pk=self.kwargs["pk"])
        ctx["can_run"] = self.can("exports.run")
        return ctx


class ExportRetryView(OrgViewMixin, View):
    capability = "exports.run"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = self.tenant_object(ExportJob.objects.all(), pk=kwargs["pk"])
        try:
            services.export_retry(organization=self.organization, actor=self.user, job=job, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The export has been started again."))
        return HttpResponseRedirect(reverse("exports:list", kwargs={"org_slug": self.organization.slug}))


def download_filename(job: ExportJob) -> str:
    """``dossier-care-d2-<organization>-v<version>-<date>.pdf``: ASCII, no user-controlled punctuation."""
    from apps.exports.registry import document

    registered = document(job.kind)
    if registered is not None:
        return registered.filename(job)
    stem = "dossier-care-d2" if job.kind == ExportJob.Kind.DOSSIER_PDF else "classeur-care-d2"
    org = slugify(job.organization.name)[:50] or job.organization.slug
    date = timezone.localtime(job.finished_at or job.created_at).strftime("%Y-%m-%d")
    return f"{stem}-{org}-v{job.dossier_version}-{date}.{job.extension}"


class ExportDownloadView(OrgViewMixin, View):
    capability = "exports.view"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        job = self.tenant_object(ExportJob.objects.select_related("organization"), pk=kwargs["pk"])
        if not job.is_downloadable or not files.is_inside(job.file_path, "exports", str(self.organization.pk)):
            raise Http404
        # Streamed from the storage (or a short-lived signed URL, S3_SIGNED_DOWNLOADS), only now that the
        # organization, the capability and the establishment limit are checked; a missing file is a 404.
        response = files.download_response(job.file_path, filename=download_filename(job),
                                           content_type=job.content_type)
        audit_log(action=AuditEvent.Action.DOWNLOAD, actor=self.user, organization=self.organization,
                  target=download_filename(job), details={"job": str(job.pk), "sha256": job.sha256}, request=request)
        return response
