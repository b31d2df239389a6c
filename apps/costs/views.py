"""Pages of the expense lines: the list, a line's form, its deletion, the totals, the invoice, the workbook.

Thin views: resolve through the organization (the limited manager hides another establishment's lines: 404),
call a selector or a service, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.accounts.models import User
from apps.compliance.services import evidence_record_download
from apps.core import files
from apps.core.views import ObjectDeleteMixin, OrgFormView, OrgViewMixin, TenantObjectFormMixin
from apps.costs import forms, selectors, services
from apps.costs.models import CostLine


class CostsMixin(OrgViewMixin):
    nav_stage = "costs"
    tab = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {"tab": self.tab, **super().get_context_data(**kwargs)}


class CostListView(CostsMixin, TemplateView):
    capability = "compliance.view"
    template_name = "costs/list.html"
    tab = "list"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        form = forms.FilterForm(self.request.GET or None, organization=self.organization)
        form.is_valid()
        qs = selectors.cost_list(organization=self.organization, filters=form.filters())
        page = Paginator(qs, selectors.PER_PAGE).get_page(self.request.GET.get("page"))
        ctx.update(form=form, page=page, lines=page.object_list, can_change=self.can("compliance.change"),
                   can_export=self.can("exports.run"), totals=selectors.cost_totals(organization=self.organization))
        return ctx


class CostTotalsView(CostsMixin, TemplateView):
    capability = "compliance.view"
    template_name = "costs/totals.html"
    tab = "totals"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "totals": selectors.cost_totals(organization=self.organization),
                "can_export": self.can("exports.run")}


class CostFormMixin(CostsMixin):

    def get_form(self) -> forms.CostLineForm:
        kwargs = self.get_form_kwargs()  # type: ignore[attr-defined]
        if self.request.method == "POST":
            return forms.CostLineForm(self.request.POST, self.request.FILES, **kwargs)
        return forms.CostLineForm(**kwargs)

    def get_success_url(self) -> str:
        return self.org_url("costs:list")


class CostCreateView(CostFormMixin, OrgFormView):
    capability = "compliance.change"
    template_name = "costs/form.html"
    success_message = gettext_lazy("Expense line saved.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": _("New expense line")}

    def perform(self, form: forms.CostLineForm) -> None:
        data = form.cleaned_data
        services.cost_line_create(organization=self.organization, actor=self.user, data=data,
                                  proof_upload=data.get("proof_upload"),
                                  mission_letter_upload=data.get("mission_letter_upload"), request=self.request)


class CostUpdateView(CostFormMixin, TenantObjectFormMixin[CostLine], OrgFormView):
    capability = "compliance.change"
    template_name = "costs/form.html"
    model = CostLine
    success_message = gettext_lazy("Expense line saved.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": _("Edit the expense line"), "line": self.get_object()}

    def perform(self, form: forms.CostLineForm) -> None:
        data = form.cleaned_data
        services.cost_line_update(line=self.fresh_object(), actor=self.user, data=data,
                                  proof_upload=data.get("proof_upload"),
                                  mission_letter_upload=data.get("mission_letter_upload"), request=self.request)


class CostDeleteView(CostsMixin, ObjectDeleteMixin, View):
    capability = "compliance.change"
    model = CostLine
    deleted_message = gettext_lazy("Expense line deleted.")

    @staticmethod
    def remove(obj: CostLine, actor: User) -> None:
        services.cost_line_delete(line=obj, actor=actor)

    def get_back_url(self, obj: Model) -> str:
        return self.org_url("costs:list")


class CostProofView(CostsMixin, View):
    """The invoice (or the lettre de mission) of a line, for readers of the evidence library (audited)."""

    capability = "evidence.view"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        line = self.tenant_object(CostLine.objects.select_related("proof", "mission_letter"), pk=kwargs["pk"])
        evidence = line.mission_letter if kwargs.get("which") == "lettre" else line.proof
        if evidence is None or evidence.is_deleted or not evidence.file.name:
            raise Http404
        response = files.download_response(str(evidence.file.name), filename=evidence.original_name,
                                           content_type=evidence.mime_type, storage=evidence.file.storage)
        evidence_record_download(evidence=evidence, actor=self.user, request=request)
        return response


class CostWorkbookRequestView(CostsMixin, View):
    """« Classeur des coûts (XLSX) »: rendered by the export worker like the dossier."""

    capability = "exports.run"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from apps.exports.models import ExportJob
        from apps.exports.services import export_request

        export_request(organization=self.organization, actor=self.user, kind=ExportJob.Kind.COST_WORKBOOK,
                       request=request)
        messages.success(request, _("Export requested: it is being prepared, you can leave this page."))
        return HttpResponseRedirect(self.org_url("exports:list"))
