"""The offline BIA workbook: download, upload with its preview, apply."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.bia import workbook
from apps.bia.views.base import BiaViewMixin
from apps.core.models import AuditEvent
from apps.core.services import audit_log

# --- The BIA workbook --------------------------------------------------------------------------

class WorkbookView(BiaViewMixin, TemplateView):
    """Download the workbook; upload it back → error report or preview of the changes."""

    capability = "bia.change"
    template_name = "bia/workbook.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        upload = request.FILES.get("file")
        if upload is None:
            return self.render_to_response(self.get_context_data(
                file_error=_("Choose the workbook to import.")), status=400)
        if (upload.size or 0) > workbook.MAX_UPLOAD_BYTES:  # always set on an uploaded file
            return self.render_to_response(self.get_context_data(file_error=_(
                "The file is too big (more than 5 MB). Download a fresh workbook and fill it in.")), status=400)
        audit_log(action=AuditEvent.Action.UPLOAD, actor=self.user, organization=self.organization,
                  target=upload.name or "", details={"kind": "bia_workbook", "size": upload.size}, request=request)
        try:
            parsed = workbook.parse(data=upload.read(), organization=self.organization, membership=self.membership)
        except workbook.WorkbookError as error:
            return self.render_to_response(self.get_context_data(file_error=str(error)), status=400)
        if parsed.errors:
            return self.render_to_response(self.get_context_data(errors=parsed.errors), status=400)
        payload = workbook.payload_dumps(organization=self.organization, user=self.user, changes=parsed.changes,
                                         dependencies=parsed.dependency_changes)
        return self.render_to_response(self.get_context_data(
            preview=parsed.preview, dependency_preview=parsed.dependency_preview, payload=payload,
            apply_url=self.org_url("bia:workbook-apply")))


class WorkbookDownloadView(BiaViewMixin, View):
    capability = "bia.change"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = workbook.build(organization=self.organization, membership=self.membership)
        audit_log(action=AuditEvent.Action.DOWNLOAD, actor=self.user, organization=self.organization,
                  target="bia-workbook.xlsx", details={"kind": "bia_workbook"}, request=request)
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        name = f"bia-{self.organization.slug}-{timezone.localdate().isoformat()}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class WorkbookApplyView(BiaViewMixin, View):
    capability = "bia.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            changes, dependencies = workbook.payload_loads(organization=self.organization, user=self.user,
                                                           payload=request.POST.get("payload", ""))
            count, dependency_count = workbook.apply(organization=self.organization, membership=self.membership,
                                                     actor=self.user, changes=changes, dependencies=dependencies)
        except (workbook.WorkbookError, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("bia:workbook", org_slug=self.organization.slug)
        if dependency_count:
            messages.success(request, _("Workbook imported: %(count)s activities and %(dependencies)s dependencies "
                                        "updated.") % {"count": count, "dependencies": dependency_count})
        else:
            messages.success(request, _("Workbook imported: %(count)s activities updated.") % {"count": count})
        return redirect("bia:activities", org_slug=self.organization.slug)
