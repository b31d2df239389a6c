"""Shared pieces of the BIA pages: the app's view mixin and the delete confirmation view."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.views.generic import TemplateView

from apps.core import deletion
from apps.core.views import ObjectDeleteMixin, OrgViewMixin


class BiaViewMixin(OrgViewMixin):
    nav_stage = "bia"



class BiaDeleteView(BiaViewMixin, ObjectDeleteMixin, TemplateView):
    """GET: a confirmation page saying what goes with the object, or why it must stay; POST deletes."""

    capability = "bia.change"
    http_method_names = ["get", "post"]
    template_name = "bia/confirm_delete.html"
    detail_url_name: str
    list_url_name: str

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        obj = self.tenant_object(self.model._default_manager.all(), pk=self.kwargs["pk"])
        ctx.update(object=obj, blockers=deletion.blockers(obj), cancel_url=self.org_url(f"bia:{self.detail_url_name}", pk=obj.pk))
        return ctx

    def get_back_url(self, obj: Model) -> str:
        # Deleted, or refused (a page opened before the object joined a frozen plan): the list says which.
        return self.org_url(f"bia:{self.list_url_name}")
