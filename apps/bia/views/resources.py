"""BIA pages: resources (applications, infrastructure, suppliers…) and their dependencies."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.bia import selectors
from apps.bia.forms import ResourceDependencyForm, ResourceForm
from apps.bia.models import Resource, ResourceDependency
from apps.bia.services.resources import (
    resource_create,
    resource_delete,
    resource_dependency_remove,
    resource_dependency_set,
    resource_update,
)
from apps.bia.views.base import BiaDeleteView, BiaViewMixin
from apps.core.views import OrgFormView

# --- Resources ---------------------------------------------------------------------------------

class ResourceListView(BiaViewMixin, TemplateView):
    capability = "bia.view"
    template_name = "bia/resource_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in Resource.Kind.values else ""
        query = self.request.GET.get("q", "").strip()
        qs = selectors.resource_list(organization=self.organization, kind=kind, query=query)
        ctx.update(page=Paginator(qs, 50).get_page(self.request.GET.get("page")), kind=kind, query=query,
                   kinds=Resource.Kind.choices, can_change=self.can("bia.change"))
        return ctx


class ResourceDetailView(BiaViewMixin, TemplateView):
    capability = "bia.view"
    template_name = "bia/resource_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        resource = self.tenant_object(Resource.objects.select_related("establishment"), pk=self.kwargs["pk"])
        graph, analysis = selectors.bia_analysis(organization=self.organization)
        key = ("resource", resource.pk)
        ctx.update(
            resource=resource, can_change=self.can("bia.change"),
            dependency_form=ResourceDependencyForm(organization=self.organization, exclude=resource.pk),
            requirement=analysis.rto_requirements.get(key), rpo_requirement=analysis.rpo_requirements.get(key),
            requirement_parts=selectors.requirement_parts(graph, analysis.rto_requirements.get(key), "rto"),
            rpo_requirement_parts=selectors.requirement_parts(graph, analysis.rpo_requirements.get(key), "rpo"),
            **selectors.uncarried_listed(graph, analysis, node=key),
            spof=selectors.spof_chain_page(graph, analysis, resource_id=resource.pk,
                                           page_number=self.request.GET.get("page")),
            **selectors.resource_detail(organization=self.organization, resource=resource),
        )
        return ctx


class ResourceCreateView(BiaViewMixin, OrgFormView):
    capability = "bia.change"
    template_name = "bia/resource_form.html"
    form_class = ResourceForm

    def get_form(self) -> ResourceForm:
        form = super().get_form()
        if self.request.method == "GET" and self.request.GET.get("kind") in Resource.Kind.values:
            form.initial["kind"] = self.request.GET["kind"]
        return form

    def perform(self, form: ResourceForm) -> None:
        self.object = resource_create(organization=self.organization, actor=self.user,
                                               data=form.cleaned_data)
        messages.success(self.request, _("Resource added."))

    def get_success_url(self) -> str:
        return self.org_url("bia:resource-detail", pk=self.object.pk)


class ResourceUpdateView(ResourceCreateView):
    def get_object(self) -> Resource:
        if not hasattr(self, "_object"):
            self._object = self.tenant_object(Resource.objects.all(), pk=self.kwargs["pk"])
        return self._object

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"organization": self.organization, "instance": self.get_object()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.get_object()
        return ctx

    def perform(self, form: ResourceForm) -> None:
        resource = Resource.objects.get(pk=self.get_object().pk, organization=self.organization)
        self.object = resource_update(resource=resource, actor=self.user, data=form.cleaned_data)
        messages.success(self.request, _("Resource saved."))


class ResourceDeleteView(BiaDeleteView):
    model = Resource
    remove = staticmethod(lambda resource, actor: resource_delete(resource=resource, actor=actor))
    deleted_message = gettext_lazy("Resource deleted.")
    detail_url_name, list_url_name = "resource-detail", "resources"


class ResourceDependencyAddView(BiaViewMixin, View):
    capability = "bia.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        resource = self.tenant_object(Resource.objects.all(), pk=kwargs["pk"])
        form = ResourceDependencyForm(request.POST, organization=self.organization, exclude=resource.pk)
        if form.is_valid():
            try:
                resource_dependency_set(resource=resource, actor=self.user, **form.cleaned_data)
                messages.success(request, _("Dependency saved."))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        elif "depends_on" in form.errors:
            messages.error(request, _("Choose the resource this one depends on."))
        else:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("bia:resource-detail", org_slug=self.organization.slug, pk=resource.pk)


class ResourceDependencyRemoveView(BiaViewMixin, View):
    capability = "bia.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        dependency = self.tenant_object(ResourceDependency.objects.all(), pk=kwargs["pk"])
        resource_dependency_remove(dependency=dependency, actor=self.user)
        messages.success(request, _("Dependency removed."))
        return redirect("bia:resource-detail", org_slug=self.organization.slug, pk=dependency.resource_id)
