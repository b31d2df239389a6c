"""Single sign-on per organization: an OpenID Connect identity provider (the hospital directory), the e-mail
domains it answers for, and the allauth ``SocialApp`` that carries its client id and secret."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel


class IdentityProvider(TenantModel):
    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")

    name = models.CharField(_("name shown on the login page"), max_length=80,
                            help_text=_("« Se connecter avec … »: the directory's name, e.g. « Annuaire du GHT »."))
    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol.choices, default=Protocol.OIDC)
    issuer_url = models.URLField(_("issuer URL"), max_length=500,
                                 help_text=_("The provider's address; its discovery document is read from "
                                             "« /.well-known/openid-configuration » under it."))
    email_domains = ArrayField(models.CharField(max_length=120), verbose_name=_("e-mail domains"),
                               help_text=_("The addresses of these domains are offered this provider on the login "
                                           "page (e.g. chu-valmont.fr)."))
    is_active = models.BooleanField(_("active"), default=True)
    # allauth's provider record: client id, secret and issuer, looked up by ``provider_id`` at login.
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
