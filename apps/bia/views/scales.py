"""BIA method pages: impact criteria, time horizons and the criticality settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.bia import selectors
from apps.bia.forms import BiaSettingsForm, CriterionForm, HorizonForm
from apps.bia.models import ImpactCriterion, TimeHorizon
from apps.bia.services.scales import bia_settings_update, criterion_update, horizon_create, horizon_delete
from apps.bia.views.base import BiaViewMixin
from apps.core.views import form_errors_from

# --- Scales ------------------------------------------------------------------------------------

class ScalesView(BiaViewMixin, TemplateView):
    capability = "bia.change"
    template_name = "bia/scales.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        scale = selectors.scales(organization=self.organization)
        ctx.update(scale=scale, horizon_form=HorizonForm())
        ctx.setdefault("form", BiaSettingsForm(instance=scale["settings"]))
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scale = selectors.scales(organization=self.organization)
        form = BiaSettingsForm(request.POST, instance=scale["settings"])
        if form.is_valid():
            try:
                bia_settings_update(organization=self.organization, actor=self.user, data=form.cleaned_data)
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(request, _("BIA method saved; every DMIA and criticality was recomputed."))
                return redirect("bia:scales", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CriterionUpdateView(BiaViewMixin, TemplateView):
    capability = "bia.change"
    template_name = "bia/criterion_form.html"

    def get_criterion(self) -> ImpactCriterion:
        return self.tenant_object(ImpactCriterion.objects.prefetch_related("levels"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        criterion = self.get_criterion()
        ctx["criterion"] = criterion
        ctx.setdefault("form", CriterionForm(levels=list(criterion.levels.all()),
                                             initial={"name": criterion.name, "order": criterion.order,
                                                      "is_active": criterion.is_active}))
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        criterion = self.get_criterion()
        form = CriterionForm(request.POST, levels=list(criterion.levels.all()))
        if form.is_valid():
            criterion_update(
                criterion=criterion, actor=self.user,
                data={"name": form.cleaned_data["name"], "order": form.cleaned_data.get("order") or 0,
                      "is_active": form.cleaned_data["is_active"]},
                level_descriptions=form.level_descriptions(),
            )
            messages.success(request, _("Criterion saved."))
            return redirect("bia:scales", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class HorizonCreateView(BiaViewMixin, View):
    capability = "bia.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = HorizonForm(request.POST)
        if form.is_valid():
            try:
                horizon_create(organization=self.organization, actor=self.user,
                                        label=form.cleaned_data["label"], hours=form.cleaned_data["hours"])
                messages.success(request, _("Time horizon added."))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        else:
            messages.error(request, _("Give the horizon a label and a number of hours."))
        return redirect("bia:scales", org_slug=self.organization.slug)


class HorizonDeleteView(BiaViewMixin, View):
    capability = "bia.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        horizon = self.tenant_object(TimeHorizon.objects.all(), pk=kwargs["pk"])
        try:
            horizon_delete(horizon=horizon, actor=self.user)
            messages.success(request, _("Time horizon deleted."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("bia:scales", org_slug=self.organization.slug)
