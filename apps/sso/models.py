"""Single sign-on per organization: an identity provider (the hospital directory) speaking OpenID Connect or SAML
2.0, the e-mail domains it answers for, and the allauth ``SocialApp`` that carries its configuration (client id and
secret for OpenID Connect; the IdP's entity ID, SSO URL and signing certificate for SAML)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.history import track_history
from apps.core.models import TenantModel


@track_history()
class IdentityProvider(TenantModel):
    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    name = models.CharField(_("name shown on the login page"), max_length=80,
                            help_text=_("« Se connecter avec … »: the directory's name, e.g. « Annuaire du GHT »."))
    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol.choices, default=Protocol.OIDC)
    issuer_url = models.URLField(_("issuer URL"), max_length=500, blank=True,
                                 help_text=_("The provider's address; its discovery document is read from "
                                             "« /.well-known/openid-configuration » under it."))
    # SAML 2.0: what the IdP's metadata says (also copied into the SocialApp's settings, which allauth reads).
    entity_id = models.CharField(_("IdP entity ID"), max_length=500, blank=True)
    sso_url = models.URLField(_("IdP single sign-on URL"), max_length=500, blank=True)
    certificate = models.TextField(_("IdP signing certificate"), blank=True)
    email_domains = ArrayField(models.CharField(max_length=120), verbose_name=_("e-mail domains"),
                               help_text=_("The addresses of these domains are offered this provider on the login "
                                           "page (e.g. chu-valmont.fr)."))
    is_active = models.BooleanField(_("active"), default=True)
    # allauth's provider record, looked up by ``provider_id`` (OIDC) or ``client_id`` (SAML) at login.
    social_app = models.OneToOneField("socialaccount.SocialApp", on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("provider record"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self) -> str:
        return self.name

    @property
    def provider_id(self) -> str:
        return self.social_app.provider_id

    @property
    def is_saml(self) -> bool:
        return self.protocol == self.Protocol.SAML

    @property
    def login_url(self) -> str:
        """Where « Se connecter avec … » posts (allauth's login view of the provider)."""
        if self.is_saml:
            return reverse("saml_login", kwargs={"organization_slug": self.social_app.client_id})
        return reverse("openid_connect_login", kwargs={"provider_id": self.provider_id})
