"""Import typical hospital activities and resources from the reference catalogue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from apps.bia import selectors
from apps.bia.services.catalogue import catalogue_import
from apps.bia.views.base import BiaViewMixin

# --- Reference catalogue -----------------------------------------------------------------------

class CatalogueView(BiaViewMixin, TemplateView):
    """Import typical hospital activities (and the resources they use) into an establishment."""

    capability = "bia.change"
    template_name = "bia/catalogue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from apps.bia import catalogue

        ctx = super().get_context_data(**kwargs)
        ctx.update(activities=catalogue.activities(), resources=catalogue.resources(),
                   establishments=selectors.establishments(organization=self.organization))
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        allowed = {e.pk: e for e in selectors.establishments(organization=self.organization)}
        establishment_id = request.POST.get("establishment", "")
        establishment = allowed.get(int(establishment_id)) if establishment_id.isdigit() else None
        codes = request.POST.getlist("activity")
        resource_codes = request.POST.getlist("resource")
        if establishment is None or not (codes or resource_codes):
            messages.error(request, _("Choose an establishment and at least one activity or resource."))
            return self.render_to_response(self.get_context_data(), status=400)
        counts = catalogue_import(organization=self.organization, actor=self.user,
                                           establishment=establishment, activity_codes=codes,
                                           resource_codes=resource_codes)
        messages.success(request, _("Imported %(activities)s activities, %(resources)s resources and "
                                    "%(dependencies)s dependencies. Adapt them to your organization.") % counts)
        return redirect("bia:activities", org_slug=self.organization.slug)
