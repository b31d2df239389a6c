"""Identity providers of the organization (its administrator, capability ``org.manage``) and the login page's
« Se connecter avec … » (public: an e-mail address → the providers of its domain)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
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


def _saml_form_values(form: forms.SamlProviderForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {"name": data["name"], "entity_id": data["entity_id"], "sso_url": data["sso_url"],
            "certificate": data["certificate"], "email_domains": form.domains(), "is_active": data["is_active"]}


class SamlProviderCreateView(OrgViewMixin, TemplateView):
    """A SAML 2.0 provider: the IdP's metadata, or its entity ID, SSO URL and certificate."""

    capability = "org.manage"
    template_name = "sso/saml_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", forms.SamlProviderForm())
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = forms.SamlProviderForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                provider = services.saml_provider_save(organization=self.organization, actor=self.user,
                                                       **_saml_form_values(form))
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(request, _("Identity provider saved. Give the service provider's metadata below "
                                            "to the administrator of the identity provider."))
                return redirect("sso:provider-update", org_slug=self.organization.slug, pk=provider.pk)
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
        if provider.is_saml:
            from apps.sso.saml import parse_certificate, service_provider

            ctx["sp"] = service_provider(self.request, provider)
            ctx["certificate"] = parse_certificate(provider.certificate)
            ctx.setdefault("form", forms.SamlProviderForm(initial={
                "name": provider.name, "entity_id": provider.entity_id, "sso_url": provider.sso_url,
                "certificate": provider.certificate, "email_domains": ", ".join(provider.email_domains),
                "is_active": provider.is_active}))
            return ctx
        ctx["callback_url"] = self.request.build_absolute_uri(
            reverse("openid_connect_callback", kwargs={"provider_id": provider.provider_id}))
        ctx.setdefault("form", forms.IdentityProviderForm(initial={
            "name": provider.name, "issuer_url": provider.issuer_url, "client_id": provider.social_app.client_id,
            "email_domains": ", ".join(provider.email_domains), "is_active": provider.is_active}))
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider = self.provider()
        if provider.is_saml:
            return self.post_saml(request, provider)
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


    def post_saml(self, request: HttpRequest, provider: IdentityProvider) -> HttpResponse:
        saml_form = forms.SamlProviderForm(request.POST, request.FILES)
        if saml_form.is_valid():
            try:
                services.saml_provider_save(organization=self.organization, actor=self.user, provider=provider,
                                            **_saml_form_values(saml_form))
            except ValidationError as error:
                form_errors_from(error, saml_form)
            else:
                messages.success(request, _("Identity provider saved."))
                return redirect("sso:providers", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=saml_form), status=400)


class SamlMetadataView(OrgViewMixin, View):
    """Our service provider's metadata for this IdP (entity ID, ACS URL), as the XML file its administrator
    imports. The same document is public at allauth's ``saml_metadata`` URL for IdPs that fetch it."""

    capability = "org.manage"
    kwargs: dict[str, Any]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from apps.sso.saml import service_provider

        provider = self.tenant_object(IdentityProvider.objects.select_related("social_app"), pk=self.kwargs["pk"],
                                      protocol=IdentityProvider.Protocol.SAML)
        response = HttpResponse(service_provider(request, provider).metadata, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="resilis-sp-{provider.social_app.client_id}.xml"'
        return response


class DiscoverView(TemplateView):
    """Public: the providers that answer for an e-mail's domain (nothing says whether the address has an account).
    The login page asks it through htmx as the address is typed (``login``): only the buttons are returned."""

    template_name = "sso/discover.html"

    def get_template_names(self) -> list[str]:
        return ["sso/_offer.html"] if self.request.htmx else [self.template_name]  # type: ignore[attr-defined]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        query: dict[str, str] = self.request.GET.dict()
        if "login" in query and "email" not in query:
            query["email"] = query["login"]
        form = forms.DiscoverForm(query or None)
        ctx["form"] = form
        ctx["providers"] = services.providers_for_email(form.cleaned_data["email"]) if form.is_valid() else []
        ctx["searched"] = form.is_bound
        ctx["htmx"] = bool(self.request.htmx)  # type: ignore[attr-defined]
        return ctx


def saml_single_logout_refused(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """allauth's SAML single logout (``/compte/saml/<id>/sls/``) is not served: it would act on LogoutRequests that
    nobody signed (we require signed assertions, not signed messages: ADFS signs only the assertion), so any page
    could log a member out. Logging out of Resilis is its own « Se déconnecter »; this answers 404 and changes
    nothing (registered before allauth's URLs in ``resilis.urls``)."""
    raise Http404(_("Single logout is not available: log out from Resilis."))
