"""The search results page (the header's search box sends here)."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from apps.core.views import OrgViewMixin
from apps.search import selectors


class SearchView(OrgViewMixin, TemplateView):
    """Every member may search; each kind of result is shown only to the members who may open it."""

    capability = "org.view"
    template_name = "search/results.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        text = self.request.GET.get("q", "").strip()[:200]
        kind = self.request.GET.get("kind", "")
        if kind not in selectors.KINDS_BY_KEY:
            kind = ""
        groups = selectors.search(organization=self.organization, membership=self.membership, text=text,
                                  kind=kind, page=self.request.GET.get("page", 1))
        ctx.update(query=text, kind=kind, groups=groups, total=sum(g.count for g in groups),
                   searched=bool(text))
        return ctx
