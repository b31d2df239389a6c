"""« Nouvelle organisation » (from the portfolio, outside any organization) and « Copier depuis un autre client »
(inside the organization that receives the copies)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from apps.core.views import OrgViewMixin
from apps.onboarding import services, templates_copy
from apps.onboarding.forms import (
    CopyForm,
    EstablishmentFormSet,
    EstablishmentRows,
    OnboardOrganizationForm,
    SiteFormSet,
    SiteRows,
)


class OrganizationOnboardView(LoginRequiredMixin, TemplateView):
    """The guided creation of a client organization (platform administrators and consultants with the right).

    Everything typed comes back with the errors next to their fields; nothing is created until all of it is
    accepted (``services.organization_onboard`` is one transaction)."""

    template_name = "onboarding/organization_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not services.can_create_organizations(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", OnboardOrganizationForm())
        ctx.setdefault("establishments", EstablishmentRows(prefix="establishments"))
        ctx.setdefault("sites", SiteRows(prefix="sites"))
        ctx.setdefault("errors", [])
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = OnboardOrganizationForm(request.POST)
        establishments = cast(EstablishmentFormSet, EstablishmentRows(request.POST, prefix="establishments"))
        sites = cast(SiteFormSet, SiteRows(request.POST, prefix="sites"))
        errors: list[str] = []
        # Every part is checked on every submission, so all the errors show at once.
        valid = all([form.is_valid(), establishments.is_valid(), sites.is_valid()])
        valid = _sites_match_establishments(establishments, sites) and valid
        if valid:
            user = request.user
            assert user.is_authenticated  # LoginRequiredMixin
            try:
                organization = services.organization_onboard(
                    actor=user, organization=form.cleaned_data, establishments=establishments.rows(),
                    sites=sites.rows(), first_admin_email=form.cleaned_data["first_admin_email"], request=request)
            except ValidationError as error:
                errors = _attach(error, form, establishments, sites)
            else:
                messages.success(request, _("%(org)s created; its first administrator is invited (%(email)s).") % {
                    "org": organization.name, "email": form.cleaned_data["first_admin_email"]})
                if user.is_staff:
                    return HttpResponseRedirect(reverse("portfolio") + "?all=1")
                return redirect("tenants:home", org_slug=organization.slug)
        return self.render_to_response(self.get_context_data(
            form=form, establishments=establishments, sites=sites, errors=errors), status=400)


def _sites_match_establishments(establishments: EstablishmentFormSet, sites: SiteFormSet) -> bool:
    """Each site names the FINESS EJ of an establishment typed above (the service checks it again)."""
    known = {f.cleaned_data.get("finess_ej") for f in establishments.forms if getattr(f, "cleaned_data", None)}
    ok = True
    for row in sites.forms:
        wanted = getattr(row, "cleaned_data", {}).get("establishment_finess")
        if row.has_changed() and wanted and wanted not in known:
            row.add_error("establishment_finess", _("No establishment above has this FINESS EJ."))
            ok = False
    return ok


def _attach(error: ValidationError, form: Any, establishments: Any, sites: Any) -> list[str]:
    """Put each of the service's errors next to its field (``establishments-<i>-<field>``), the rest on top."""
    loose: list[str] = []
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    for key, errors in error.error_dict.items():
        messages_ = [m for e in errors for m in e.messages]
        prefix, _sep, rest = key.partition("-")
        formset = {"establishments": establishments, "sites": sites}.get(prefix)
        if formset is not None and rest:
            index, _sep, field = rest.partition("-")
            row = formset.forms[int(index)] if index.isdigit() and int(index) < len(formset.forms) else None
            if row is not None:
                row.add_error(field if field in row.fields else None, messages_)
                continue
        if key in form.fields:
            form.add_error(key, messages_)
        else:
            loose += messages_
    return loose


class TemplateCopyView(OrgViewMixin, TemplateView):
    """Choose a client and what to copy (GET), see what will be created and skipped, then confirm (POST)."""

    capability = "templates.copy"
    nav_stage = "organization"
    template_name = "onboarding/copy.html"

    def _form(self, data: Any) -> CopyForm:
        sources = templates_copy.copy_sources(user=self.user, target=self.organization)
        slug = data.get("source") if data else None
        if slug and slug not in {o.slug for o in sources}:
            raise Http404("Not one of the consultant's organizations")  # the same answer as a missing one
        return CopyForm(data or None, sources=sources, organization=self.organization)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self._form(request.GET)
        preview = None
        if form.is_bound and form.is_valid():
            try:
                preview = templates_copy.copy_preview(
                    actor=self.user, source=form.source_organization(), target=self.organization,
                    kinds=form.cleaned_data["kinds"], establishment=form.cleaned_data["establishment"])
            except ValidationError as error:
                _form_errors(error, form)
        return self.render_to_response(self.get_context_data(form=form, preview=preview),
                                       status=400 if form.is_bound and form.errors else 200)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            try:
                result = templates_copy.copy_apply(
                    actor=self.user, source=form.source_organization(), target=self.organization,
                    kinds=form.cleaned_data["kinds"], establishment=form.cleaned_data["establishment"],
                    request=request)
            except ValidationError as error:
                _form_errors(error, form)
            else:
                count = len(result.created)
                messages.success(request, ngettext("%(count)s item copied; items already here were left as they were.",
                                                   "%(count)s items copied; items already here were left as they were.",
                                                   count) % {"count": count})
                return redirect("onboarding:copy", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form, preview=None), status=400)


def _form_errors(error: ValidationError, form: CopyForm) -> None:
    from apps.core.views import form_errors_from

    form_errors_from(error, form)
