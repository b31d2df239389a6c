"""CaRE compliance pages: the requirement list and the evidence library (upload, download, delete)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from apps.compliance import portfolio, selectors, services
from apps.compliance.catalogue import current_catalogue
from apps.compliance.forms import EvidenceEditForm, EvidenceUploadForm, PortfolioFilterForm
from apps.compliance.journey import progress_stages
from apps.compliance.models import Evidence
from apps.core import files
from apps.core.views import OrgFormView, OrgViewMixin
from apps.tenants import selectors as tenant_selectors


class RequirementListView(OrgViewMixin, TemplateView):
    capability = "compliance.view"
    nav_stage = "compliance"
    template_name = "compliance/requirement_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        rows = selectors.requirement_rows(organization=self.organization)
        ctx.update(rows=rows, summary=selectors.status_summary(rows), catalogue=current_catalogue(),
                   can_view_evidence=self.can("evidence.view"))
        return ctx


class EvidenceListView(OrgViewMixin, TemplateView):
    capability = "evidence.view"
    nav_stage = "compliance"
    template_name = "compliance/evidence_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        requirement = self.request.GET.get("exigence", "")
        if requirement not in {r.id for r in current_catalogue().requirements}:
            requirement = ""
        qs = selectors.evidence_list(organization=self.organization, query=query, requirement_id=requirement)
        ctx.update(page=Paginator(qs, 30).get_page(self.request.GET.get("page")), query=query,
                   requirement=requirement, requirements=current_catalogue().requirements,
                   can_change=self.can("evidence.change"))
        if ctx["can_change"]:
            ctx.setdefault("upload_form", EvidenceUploadForm(organization=self.organization,
                                                             initial={"requirement_ids": [requirement] if requirement else []}))
        return ctx


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
        return candidate
    return None


class EvidenceUploadView(OrgFormView):
    """The upload target of the reusable form (``compliance/evidence_upload_form.html``)."""

    capability = "evidence.change"
    nav_stage = "compliance"
    template_name = "compliance/evidence_upload.html"
    form_class = EvidenceUploadForm

    def get_form(self) -> EvidenceUploadForm:
        if self.request.method == "POST":
            return EvidenceUploadForm(self.request.POST, self.request.FILES, organization=self.organization)
        initial: dict[str, Any] = {
            k: self.request.GET.get(k) for k in ("link_model", "link_pk", "next") if self.request.GET.get(k)}
        if self.request.GET.get("exigence"):
            initial["requirement_ids"] = [self.request.GET["exigence"]]
            if self.request.GET["exigence"] == "D2.P1":
                initial["kind"] = Evidence.Kind.PSSI
        return EvidenceUploadForm(organization=self.organization, initial=initial)

    def perform(self, form: EvidenceUploadForm) -> None:
        data = form.cleaned_data
        linked = None
        if data.get("link_model") and data.get("link_pk"):
            linked = services.resolve_linked_object(organization=self.organization, label=data["link_model"],
                                                    pk=data["link_pk"])
        self.evidence = services.evidence_upload(
            organization=self.organization, actor=self.user, upload=data["file"], title=data["title"],
            description=data["description"], document_date=data["document_date"],
            requirement_ids=data["requirement_ids"], kind=data.get("kind", ""), linked_object=linked,
            request=self.request,
        )
        messages.success(self.request, _("File « %(title)s » added.") % {"title": self.evidence.title})
        self.next_url = _safe_next(self.request, data.get("next"))

    def get_success_url(self) -> str:
        return self.next_url or reverse("compliance:evidence-list", kwargs={"org_slug": self.organization.slug})


class EvidenceUpdateView(OrgFormView):
    capability = "evidence.change"
    nav_stage = "compliance"
    template_name = "compliance/evidence_form.html"
    form_class = EvidenceEditForm

    def get_object(self) -> Evidence:
        if not hasattr(self, "_object"):
            self._object = self.tenant_object(Evidence.objects.alive(), pk=self.kwargs["pk"])
        return self._object

    def get_form(self) -> EvidenceEditForm:
        obj = self.get_object()
        initial = {"title": obj.title, "kind": obj.kind, "description": obj.description,
                   "document_date": obj.document_date,
                   "requirement_ids": obj.requirement_ids}
        data = self.request.POST if self.request.method == "POST" else None
        return EvidenceEditForm(data, organization=self.organization, initial=initial)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.get_object()
        return ctx

    def perform(self, form: EvidenceEditForm) -> None:
        services.evidence_update(evidence=self.get_object(), actor=self.user, **form.cleaned_data)
        messages.success(self.request, _("File details saved."))

    def get_success_url(self) -> str:
        return reverse("compliance:evidence-list", kwargs={"org_slug": self.organization.slug})


class EvidenceDownloadView(OrgViewMixin, View):
    """The only way a stored file leaves the server: organization + capability checked, audited."""

    capability = "evidence.view"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        evidence = self.tenant_object(Evidence.objects.alive(), pk=kwargs["pk"])
        name = evidence.file.name or ""
        if not files.is_inside(name, "evidence", str(self.organization.pk)):
            raise Http404
        # Streamed from the storage (or a short-lived signed URL, S3_SIGNED_DOWNLOADS), only now that the
        # organization and the capability are checked; a file missing from the storage is a 404.
        response = files.download_response(name, filename=evidence.original_name, content_type=evidence.mime_type,
                                           storage=evidence.file.storage)
        services.evidence_record_download(evidence=evidence, actor=self.user, request=request)
        return response


class EvidenceDeleteView(OrgViewMixin, TemplateView):
    """GET asks for confirmation; POST removes the file from the lists (soft delete)."""

    capability = "evidence.change"
    nav_stage = "compliance"
    template_name = "compliance/evidence_delete.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.tenant_object(Evidence.objects.alive(), pk=self.kwargs["pk"])
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        evidence = self.tenant_object(Evidence.objects.alive(), pk=kwargs["pk"])
        services.evidence_delete(evidence=evidence, actor=self.user)
        messages.success(request, _("File « %(title)s » deleted.") % {"title": evidence.title})
        return HttpResponseRedirect(reverse("compliance:evidence-list", kwargs={"org_slug": self.organization.slug}))




def can_create_organizations(user: Any) -> bool:
    # « Nouvelle organisation » on the portfolio: the onboarding app's rule (platform admins, granted consultants).
    from apps.onboarding.services import can_create_organizations as allowed

    return allowed(user)


class PortfolioView(LoginRequiredMixin, TemplateView):
    """« Mon portefeuille »: the user's organizations and how far each is in its CaRE work.

    Rows come from the user's own memberships only. Each organization's progress is a cached
    summary (``apps.compliance.portfolio``); those still being computed by the worker show
    « calcul en cours » and the table reloads itself (htmx) until they are all there.
    """

    template_name = "compliance/portfolio.html"
    paginate_by = 50

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PortfolioFilterForm(request.GET or None)
        form.is_valid()  # a bad value in one filter (edited URL) leaves the others working
        filters = getattr(form, "cleaned_data", {})
        user = request.user
        assert user.is_authenticated  # LoginRequiredMixin
        memberships = tenant_selectors.portfolio_memberships(
            user=user, query=(filters.get("q") or "").strip(), region=filters.get("region") or "",
            kind=filters.get("kind") or "")
        filtering = any(filters.get(name) for name in ("q", "region", "kind"))
        sort = request.GET.get("sort", "name")
        descending = sort.startswith("-")
        if sort.lstrip("-") not in portfolio.SORTS:
            sort, descending = "name", False
        key = sort.lstrip("-")
        listed: Any = memberships
        if key != "name":
            # Sorting on the figures: the memberships in one query, their summaries in one cache round trip.
            everyone = list(memberships)
            cached = portfolio.cached_summaries(m.organization_id for m in everyone)
            today = timezone.localdate()
            known = [m for m in everyone if m.organization_id in cached]
            known.sort(key=lambda m: portfolio.sort_key(key, m.organization.name, cached[m.organization_id], today),
                       reverse=descending)
            listed = known + [m for m in everyone if m.organization_id not in cached]
        elif descending:
            listed = memberships.reverse()
        page = Paginator(listed, self.paginate_by).get_page(request.GET.get("page"))
        if page.paginator.count == 1 and not filtering and not request.GET.get("all"):
            return redirect("tenants:home", org_slug=page.object_list[0].organization.slug)
        if page.paginator.count == 0 and not filtering:
            from apps.declaration.selectors import reviewer_has_access

            if reviewer_has_access(user=user):  # an external reviewer, member of nothing: their own home
                return redirect("review:home")
        rows = tenant_selectors.portfolio_rows(memberships=list(page.object_list))
        summaries, pending = portfolio.summaries_for(portfolio.lock_behind_mfa(rows, user=user))
        columns = progress_stages()
        today = timezone.localdate()
        for row in rows:
            row["summary"] = summaries.get(row["organization"].pk)
            row["can_export"] = row["membership"].has_capability("exports.run") and not row["mfa_locked"]
            if row["summary"]:
                by_key = {s["key"]: s["percent"] for s in row["summary"]["stages"]}
                row["stage_percents"] = [by_key.get(stage.key) for stage in columns]
                row["deadline"] = portfolio.deadline_of(row["summary"], today=today)
        query = request.GET.copy()
        query.pop("page", None)
        sort_links = {}
        for name in portfolio.SORTS:
            query["sort"] = f"-{name}" if key == name and not descending else name
            sort_links[name] = {"url": f"?{query.urlencode()}",
                                "state": ("descending" if descending else "ascending") if key == name else "none"}
        return self.render_to_response(self.get_context_data(
            form=form, rows=rows, page=page, pending=pending, filtering=filtering, stage_columns=columns,
            sort_links=sort_links, any_export=any(row["can_export"] for row in rows),
            can_create_organizations=can_create_organizations(user)))


class PortfolioPrepareView(LoginRequiredMixin, View):
    """« Préparer les dossiers »: one CaRE dossier export (PDF) per chosen organization, queued for the user
    through the export pipeline, in each organization where their role may run exports (and MFA allows it);
    the others are left out and said so."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        assert user.is_authenticated  # LoginRequiredMixin
        chosen = {int(pk) for pk in request.POST.getlist("organization") if pk.isdigit()}
        queued, skipped = portfolio.prepare_dossiers(user=user, organization_ids=chosen, request=request)
        if queued:
            messages.success(request, ngettext(
                "%(count)s dossier is being prepared: find it on the organization's exports page.",
                "%(count)s dossiers are being prepared: find each on its organization's exports page.",
                len(queued)) % {"count": len(queued)})
        if skipped:
            messages.warning(request, _("Not prepared (your role does not allow exports there, or two-factor "
                                        "authentication is required): %(names)s.") % {"names": ", ".join(skipped)})
        if not queued and not skipped:
            messages.warning(request, _("Choose at least one organization."))
        return HttpResponseRedirect(reverse("portfolio") + "?all=1")
