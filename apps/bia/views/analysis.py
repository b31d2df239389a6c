"""BIA analysis pages: gaps and single points of failure, the dependency map, the matrix."""

from __future__ import annotations

import gzip
import re
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.bia import selectors
from apps.bia.models import Criticality, Resource
from apps.bia.views.base import BiaViewMixin

# --- Gaps, map, matrix --------------------------------------------------------------------------

class GapListView(BiaViewMixin, TemplateView):
    capability = "bia.view"
    template_name = "bia/gap_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        graph, analysis = selectors.bia_analysis(organization=self.organization)
        page = Paginator(analysis.gaps, 50).get_page(self.request.GET.get("page"))
        spofs = analysis.spofs
        ctx.update(
            page=page, gap_count=len(analysis.gaps), gaps=selectors.gap_rows(graph, list(page.object_list)),
            missing=selectors.gap_rows(graph, analysis.missing_capabilities[:50]),
            missing_more=max(0, len(analysis.missing_capabilities) - 50),
            spofs=selectors.spof_rows(graph, analysis, limit=selectors.SPOF_LISTED,
                                      paths_limit=selectors.SPOF_PATHS_LISTED),
            spofs_more=max(0, len(spofs) - selectors.SPOF_LISTED),
            cycles=[[graph.label(k) for k in cycle] for cycle in analysis.cycles],
            **selectors.uncarried_listed(graph, analysis),
        )
        return ctx


class MapView(BiaViewMixin, TemplateView):
    capability = "bia.view"
    template_name = "bia/map.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        establishments = selectors.establishments(organization=self.organization)
        ctx.update(establishments=establishments,
                   criticalities=[c for c in Criticality.choices if c[0] != Criticality.UNKNOWN],
                   data_url=self.org_url("bia:map-data"))
        # What map.js shows in its side panel: translated labels and the pages' addresses ("/0/" → the pk).
        ctx["map_config"] = {
            "activityUrl": self.org_url("bia:activity-detail", pk=0), "resourceUrl": self.org_url("bia:resource-detail", pk=0),
            "establishments": {e.pk: e.name for e in establishments},
            "kinds": {"activity": str(_("Activity")), **{k: str(v) for k, v in Resource.Kind.choices}},
            "criticalities": {k: str(v) for k, v in Criticality.choices},
            "text": {
                "criticality": str(_("Criticality")), "dmia": str(_("DMIA")), "required": str(_("Required recovery time")),
                "promised": str(_("Promised RTO")), "measured": str(_("Measured RTO")),
                "requiredRpo": str(_("Required data loss (PDMA)")), "promisedRpo": str(_("Promised RPO")),
                "measuredRpo": str(_("Measured RPO")),
                "gap": str(_("Gap: the recovery capability (promised or measured) falls short of the need.")),
                "spof": str(_("Single point of failure")), "open": str(_("Open its page")),
                "dependsOn": str(_("Depends on")), "usedBy": str(_("Used by")), "hours": str(_("{hours} h")),
                "none": "—", "count": str(_("{nodes} elements, {edges} links. Click an element to isolate its chain.")),
                "focus": str(_("Chain of « {name} »: {nodes} elements.")),
                "empty": str(_("No activity matches these filters: choose « All criticalities » or another "
                               "establishment.")),
            },
        }
        return ctx


_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


class MapDataView(BiaViewMixin, View):
    """JSON elements for the dependency map (cytoscape), filtered by establishment and criticality.

    Sent gzipped to browsers that accept it (344 KiB of JSON at 300 activities, 29 KiB compressed), from
    bytes compressed once per analysis (``selectors.map_json_gzip``). Safe from BREACH-style attacks: the
    body holds no secret or CSRF token and reflects nothing from the request (the filters are checked
    against fixed lists). Only this view: the HTML pages carry the CSRF token and stay uncompressed.
    """

    capability = "bia.view"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        establishment = request.GET.get("establishment", "")
        criticality = request.GET.get("criticality", "")
        allowed = {e.pk for e in selectors.establishments(organization=self.organization)}
        establishment_id = int(establishment) if establishment.isdigit() else None
        if establishment_id is not None and establishment_id not in allowed:
            raise Http404
        graph, analysis = selectors.bia_analysis(organization=self.organization)
        body = selectors.map_json_gzip(graph=graph, analysis=analysis, establishment_id=establishment_id,
                                       criticality=criticality if criticality in Criticality.values else "")
        if _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
            response = HttpResponse(body, content_type="application/json")
            response.headers["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(gzip.decompress(body), content_type="application/json")
        patch_vary_headers(response, ("Accept-Encoding",))
        return response


class MatrixView(BiaViewMixin, TemplateView):
    capability = "bia.view"
    template_name = "bia/matrix.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        establishments = selectors.establishments(organization=self.organization)
        establishment = self.request.GET.get("establishment", "")
        establishment_id = int(establishment) if establishment.isdigit() else None
        ctx.update(establishments=establishments, establishment_id=establishment_id,
                   **selectors.matrix(organization=self.organization, membership=self.membership,
                                      establishment_id=establishment_id, page=self.request.GET.get("page")))
        return ctx
