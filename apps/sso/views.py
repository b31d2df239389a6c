"""Identity providers of the organization (its administrator, capability ``org.manage``) and the login page's
« Se connecter avec … » (public: an e-mail address → the providers of its domain)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from apps.core.views import OrgViewMixin, form_errors_from
from apps.sso import forms, services
from apps.sso.models import IdentityProvider


class ProviderListView(OrgViewMixin, TemplateView):
    capability = "org.manage"
    template_name = "sso/providers.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["providers"] = IdentityProvider.objects.filter(organization=self.organization).select_related("social_app")
        ctx.setdefault("form", forms.IdentityProviderForm())
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = forms.IdentityProviderForm(request.POST)
        if form.is_valid():
            try:
                services.identity_provider_save(
                    organization=self.organization, actor=self.user, name=form.cleaned_data["name"],
                    issuer_url=form.cleaned_data["issuer_url"], client_id=form.cleaned_data["client_id"],
                    client_secret=form.cleaned_data["client_secret"], email_domains=form.domains(),
                    is_active=form.cleaned_data["is_active"])
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(request, _("Identity provider saved."))
                return redirect("sso:providers", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ProviderUpdateView(OrgViewMixin, TemplateView):
    capability = "org.manage"
    template_name = "sso/provider_form.html"
    kwargs: dict[str, Any]

    def provider(self) -> IdentityProvider:
        return self.tenant_object(IdentityProvider.objects.select_related("social_app"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        provider = self.provider()
        ctx["provider"] = provider
        ctx["callback_url"] = self.request.build_absolute_uri(
            reverse("openid_connect_callback", kwargs={"provider_id": provider.provider_id}))
        ctx.setdefault("form", forms.IdentityProviderForm(initial={
            "name": provider.name, "issuer_url": provider.issuer_url, "client_id": provider.social_app.client_id,
            "email_domains": ", ".join(provider.email_domains), "is_active": provider.is_active}))
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider = self.provider()
        form = forms.IdentityProviderForm(request.POST)
        if form.is_valid():
            try:
                services.identity_provider_save(
                    organization=self.organization, actor=self.user, provider=provider,
                    name=form.cleaned_data["name"], issuer_url=form.cleaned_data["issuer_url"],
                    client_id=form.cleaned_data["client_id"], client_secret=form.cleaned_data["client_secret"],
                    email_domains=form.domains(), is_active=form.cleaned_data["is_active"])
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(request, _("Identity provider saved."))
                return redirect("sso:providers", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DiscoverView(TemplateView):
    """Public: the providers that answer for an e-mail's domain (nothing says whether the address has an account)."""

    template_name = "sso/discover.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        form = forms.DiscoverForm(self.request.GET or None)
        ctx["form"] = form
        ctx["providers"] = services.providers_for_email(form.cleaned_data["email"]) if form.is_valid() else []
        ctx["searched"] = form.is_bound
        return ctx
