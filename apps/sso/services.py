"""Identity provider writes (the organization's administrator) and the lookups the login page and the allauth
adapter use. A login through a provider never creates a user or a membership: it opens an existing account whose
e-mail belongs to one of the provider's domains and which is a member of the provider's organization."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

from allauth.socialaccount.models import SocialApp
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from apps.core.models import AuditEvent
from apps.core.services import audit_log
from apps.sso.models import IdentityProvider
from apps.tenants.models import Membership, Organization

if TYPE_CHECKING:
    from apps.accounts.models import User

PROVIDER = "openid_connect"
SAML_PROVIDER = "saml"
_DOMAIN = re.compile(r"^(?=.{3,120}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


def clean_domains(values: list[str]) -> list[str]:
    domains = sorted({v.strip().lower().lstrip("@") for v in values if v.strip()})
    bad = [d for d in domains if not _DOMAIN.match(d)]
    if bad or not domains:
        raise ValidationError({"email_domains": _("Give one or more e-mail domains, e.g. chu-valmont.fr.")})
    return domains


@transaction.atomic
def identity_provider_save(*, organization: Organization, actor: User | None, name: str, issuer_url: str,
                           client_id: str, client_secret: str, email_domains: list[str], is_active: bool = True,
                           provider: IdentityProvider | None = None) -> IdentityProvider:
    """Create or change the organization's provider; an empty ``client_secret`` keeps the stored one."""
    domains = clean_domains(email_domains)
    if provider is None:
        if not client_secret:
            raise ValidationError({"client_secret": _("Give the client secret.")})
        app = SocialApp.objects.create(provider=PROVIDER, provider_id=f"org{organization.pk}-{secrets.token_hex(4)}",
                                       name=name, client_id=client_id, secret=client_secret,
                                       settings={"server_url": issuer_url.rstrip("/")})
        provider = IdentityProvider(organization=organization, social_app=app)
    else:
        app = provider.social_app
        app.name, app.client_id, app.settings = name, client_id, {"server_url": issuer_url.rstrip("/")}
        if client_secret:
            app.secret = client_secret
        app.save()
    provider.name, provider.issuer_url, provider.email_domains = name, issuer_url, domains
    provider.is_active = is_active
    provider.full_clean()
    provider.save()
    audit_log(action=AuditEvent.Action.SETTINGS_CHANGED, actor=actor, organization=organization, target=name,
              details={"kind": "identity_provider", "issuer": issuer_url, "domains": domains})
    return provider


@transaction.atomic
def saml_provider_save(*, organization: Organization, actor: User | None, name: str, entity_id: str, sso_url: str,
                       certificate: str, email_domains: list[str], is_active: bool = True,
                       provider: IdentityProvider | None = None) -> IdentityProvider:
    """Create or change a SAML 2.0 provider: the IdP's entity ID, SSO URL and signing certificate (validated), kept
    on the provider and in the allauth ``SocialApp`` whose ``client_id`` names its URLs (ACS, metadata)."""
    from apps.sso.saml import app_settings, parse_certificate

    domains = clean_domains(email_domains)
    entity_id = entity_id.strip()
    if not entity_id:
        raise ValidationError({"entity_id": _("Give the entity ID of the identity provider.")})
    cert = parse_certificate(certificate)
    config = app_settings(entity_id=entity_id, sso_url=sso_url, certificate=cert.pem_body)
    if provider is None:
        ident = f"org{organization.pk}-{secrets.token_hex(4)}"
        app = SocialApp.objects.create(provider=SAML_PROVIDER, provider_id=ident, client_id=ident, name=name,
                                       settings=config)
        provider = IdentityProvider(organization=organization, social_app=app, protocol=IdentityProvider.Protocol.SAML)
    else:
        app = provider.social_app
        app.name, app.settings = name, config
        app.save()
    provider.name, provider.entity_id, provider.sso_url, provider.certificate = name, entity_id, sso_url, cert.pem_body
    provider.email_domains, provider.is_active = domains, is_active
    provider.full_clean()
    provider.save()
    audit_log(action=AuditEvent.Action.SETTINGS_CHANGED, actor=actor, organization=organization, target=name,
              details={"kind": "identity_provider", "protocol": "saml", "entity_id": entity_id,
                       "certificate_sha256": cert.sha256, "domains": domains})
    return provider


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def providers_for_email(email: str) -> list[IdentityProvider]:
    """The active providers configured for this address's domain (the login page offers them)."""
    domain = email_domain(email)
    if not domain:
        return []
    with scopes_disabled():  # the login page runs outside any organization
        return list(IdentityProvider.objects.filter(is_active=True, email_domains__contains=[domain])
                    .select_related("social_app", "organization"))


def provider_for_app(app: SocialApp) -> IdentityProvider | None:
    with scopes_disabled():
        return IdentityProvider.objects.filter(social_app=app, is_active=True).select_related("organization").first()


def member_for_login(*, provider: IdentityProvider, email: str) -> User | None:
    """The existing account this provider may open: same e-mail (case ignored), a domain of the provider, a
    membership in its organization and in no other one. Never creates anything.

    A provider is configured by one organization's administrator: it must not open an account that also reaches
    other organizations (a consultant's, a platform administrator's), whose administrators never trusted that
    directory. Those accounts log in with their password."""
    from apps.accounts.models import User

    if email_domain(email) not in provider.email_domains:
        return None
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or user.is_staff or user.is_superuser:
        return None  # a platform administrator reaches every organization: never through one's directory
    with scopes_disabled():
        organizations = set(Membership.objects.filter(user=user).values_list("organization_id", flat=True))
    if organizations != {provider.organization_id}:
        return None
    return user
