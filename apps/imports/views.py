"""Import pages: upload, column mapping, preview and report, apply (capability ``bia.change``: the RPCRA
and the DSI's contributors)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.core import spreadsheets
from apps.core.views import OrgViewMixin, form_errors_from
from apps.imports import engine, forms, services
from apps.imports.models import ImportRun


class ImportsMixin(OrgViewMixin):
    capability = "bia.change"
    nav_stage = "bia"
    kwargs: dict[str, Any]

    def run(self) -> ImportRun:
        return self.tenant_object(ImportRun.objects.all(), pk=self.kwargs["pk"])


class ImportStartView(ImportsMixin, TemplateView):
    template_name = "imports/start.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", forms.UploadForm())
        ctx["runs"] = (ImportRun.objects.filter(organization=self.organization)
                       .defer("rows", "formula_cells", "report", "headers", "mapping")
                       .select_related("created_by")[:20])
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = forms.UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        try:
            run = services.import_upload(organization=self.organization, actor=self.user,
                                         kind=form.cleaned_data["kind"], filename=upload.name or "import",
                                         data=upload.read(), resource_kind=form.cleaned_data["resource_kind"])
        except spreadsheets.SpreadsheetError as error:
            form.add_error("file", str(error))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        except ValidationError as error:
            form_errors_from(error, form)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return redirect("imports:mapping", org_slug=self.organization.slug, pk=run.pk)


class ImportMappingView(ImportsMixin, TemplateView):
    template_name = "imports/mapping.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        run = kwargs.get("run") or self.run()
        ctx["run"] = run
        ctx.setdefault("form", forms.MappingForm(run=run))
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        run = self.run()
        form = forms.MappingForm(request.POST, run=run)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(run=run, form=form), status=400)
        try:
            services.import_map(run=run, actor=self.user, mapping=form.mapping())
        except (services.ImportRefused, spreadsheets.SpreadsheetError) as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(run=run, form=form), status=400)
        return redirect("imports:detail", org_slug=self.organization.slug, pk=run.pk)


class ImportDetailView(ImportsMixin, TemplateView):
    """The preview before applying, then the row-by-row report."""

    template_name = "imports/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        run = self.run()
        labels = engine.STATUS_LABELS
        ctx.update(run=run, rows=[{**r, "status_label": labels.get(r["status"], r["status"])} for r in run.report],
                   counts=[(s, labels[s], run.counts.get(s, 0)) for s in labels],
                   refused=run.counts.get(engine.REFUSED, 0),
                   can_apply=run.status == ImportRun.Status.PREVIEWED and not run.counts.get(engine.REFUSED)
                   and (run.counts.get(engine.NEW) or run.counts.get(engine.UPDATED)))
        return ctx


class ImportApplyView(ImportsMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        run = self.run()
        try:
            services.import_apply(run=run, actor=self.user)
        except (services.ImportRefused, spreadsheets.SpreadsheetError) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Import applied: %(new)s created, %(updated)s updated, %(unchanged)s "
                                        "unchanged.") % {"new": run.counts.get(engine.NEW, 0),
                                                         "updated": run.counts.get(engine.UPDATED, 0),
                                                         "unchanged": run.counts.get(engine.UNCHANGED, 0)})
        return redirect("imports:detail", org_slug=self.organization.slug, pk=run.pk)
