"""SAML 2.0 through django-allauth's ``saml`` provider (python3-saml underneath), one allauth ``SocialApp`` per
identity provider of an organization: the app's ``client_id`` is the path segment of its URLs
(``/compte/saml/<client_id>/acs/``…), its ``settings`` hold the IdP's entity ID, SSO URL and signing certificate.

allauth and python3-saml already check, in strict mode: the XML signature against the configured certificate
(``wantAssertionsSigned``: an unsigned assertion is refused, a tampered one fails its digest), the audience (our
entity ID), the destination and recipient (our ACS URL), the NotBefore/NotOnOrAfter windows (python3-saml's
300 s clock drift), deprecated algorithms (SHA-1) and IdP-initiated logins (refused). ``ResilisSAMLProvider``
adds, once the signature is valid:

- the response answers a request made **by this browser** (``InResponseTo`` is a state stashed in its session);
- the assertion was issued at most ``SSO_SAML_MAX_ASSERTION_AGE`` seconds ago (and not in the future past the
  drift);
- its ID was never seen: IDs are kept in Redis (``cache.add``, atomic) for that age plus the drift, so a replayed
  assertion is refused even in another session.

Which account opens is still decided by ``apps.accounts.adapters.SocialAccountAdapter`` (existing members only)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.internal import statekit
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from cryptography import x509
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

if TYPE_CHECKING:
    from apps.sso.models import IdentityProvider

EMAIL_ATTRIBUTES = [
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "mail",
    "email",
]
ATTRIBUTE_MAPPING: dict[str, list[str]] = {
    "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
    "email": EMAIL_ATTRIBUTES,
    "first_name": ["urn:oid:2.5.4.42", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
                   "givenName"],
    "last_name": ["urn:oid:2.5.4.4", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "sn"],
}
MAX_METADATA_BYTES = 1_000_000


def app_settings(*, entity_id: str, sso_url: str, certificate: str) -> dict[str, Any]:
    """The ``SocialApp.settings`` allauth's saml provider reads (``build_saml_config``)."""
    return {
        "idp": {"entity_id": entity_id, "sso_url": sso_url, "x509cert": certificate},
        "attribute_mapping": ATTRIBUTE_MAPPING,
        "advanced": {
            "strict": True,
            "want_assertion_signed": True,
            "want_message_signed": False,  # many IdPs sign the assertion only; the assertion is what we trust
            "want_attribute_statement": False,  # the e-mail may come as the NameID (emailAddress format)
            "reject_deprecated_algorithm": True,
            # python3-saml refuses single-label hosts in URLs (« localhost », an intranet « adfs »): syntax only.
            "allow_single_label_domains": True,
            "reject_idp_initiated_sso": True,
            "authn_request_signed": False,
            "digest_algorithm": OneLogin_Saml2_Constants.SHA256,
            "signature_algorithm": OneLogin_Saml2_Constants.RSA_SHA256,
        },
    }


@dataclass(frozen=True)
class Certificate:
    pem_body: str  # base64 DER, one line (what python3-saml takes)
    subject: str
    not_after: datetime
    sha256: str


def parse_certificate(text: str) -> Certificate:
    """An X.509 certificate pasted as PEM (with or without its BEGIN/END lines) or as base64 DER."""
    body = "".join(line.strip() for line in text.strip().splitlines() if line.strip() and "-----" not in line)
    try:
        der = base64.b64decode(body, validate=True)
        cert = x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError) as error:
        raise ValidationError({"certificate": _("This is not an X.509 certificate: paste the IdP's signing "
                                                "certificate in PEM format (-----BEGIN CERTIFICATE-----…).")}) from error
    return Certificate(pem_body=base64.b64encode(der).decode(), subject=cert.subject.rfc4514_string(),
                       not_after=cert.not_valid_after_utc,
                       sha256=":".join(f"{b:02X}" for b in hashlib.sha256(der).digest()))


def parse_metadata(xml: str | bytes, entity_id: str = "") -> dict[str, str]:
    """The IdP's entity ID, SSO URL (HTTP-Redirect binding, the one our login uses) and signing certificate, read
    from its metadata XML (python3-saml's parser: no DTD, no external entities)."""
    if len(xml) > MAX_METADATA_BYTES:
        raise ValidationError({"metadata": _("The metadata file is too large (1 MB at most).")})
    try:
        data = OneLogin_Saml2_IdPMetadataParser.parse(xml, entity_id=entity_id or None)
    except Exception as error:  # lxml's syntax errors, python3-saml's refusals (DTD, entities)
        raise ValidationError({"metadata": _("This is not SAML metadata XML: paste or upload the metadata "
                                             "document of the identity provider.")}) from error
    idp = data.get("idp") or {}
    certificate = idp.get("x509cert") or next(iter((idp.get("x509certMulti") or {}).get("signing") or []), "")
    sso_url = (idp.get("singleSignOnService") or {}).get("url", "")
    if not idp.get("entityId"):
        raise ValidationError({"metadata": _("The metadata describes no identity provider (IDPSSODescriptor).")})
    if not sso_url:
        raise ValidationError({"metadata": _("The metadata gives no single sign-on URL with the HTTP-Redirect "
                                             "binding.")})
    if not certificate:
        raise ValidationError({"metadata": _("The metadata gives no signing certificate.")})
    return {"entity_id": idp["entityId"], "sso_url": sso_url, "certificate": certificate}


@dataclass(frozen=True)
class ServiceProvider:
    """What the IdP's administrator declares for us, computed by allauth itself (the values its ACS checks)."""

    entity_id: str
    acs_url: str
    metadata_url: str
    metadata: str


def service_provider(request: HttpRequest, provider: IdentityProvider) -> ServiceProvider:
    from allauth.socialaccount.providers.saml.utils import build_saml_config
    from onelogin.saml2.settings import OneLogin_Saml2_Settings

    slug = provider.social_app.client_id
    config = build_saml_config(request, provider.social_app.settings, slug)
    metadata = OneLogin_Saml2_Settings(settings=config, sp_validation_only=True).get_sp_metadata()
    return ServiceProvider(entity_id=config["sp"]["entityId"], acs_url=config["sp"]["assertionConsumerService"]["url"],
                           metadata_url=request.build_absolute_uri(reverse("saml_metadata", args=[slug])),
                           metadata=metadata.decode() if isinstance(metadata, bytes) else metadata)


def _refuse(request: HttpRequest, reason: str, provider: SAMLProvider) -> ImmediateHttpResponse:
    from apps.core.models import AuditEvent
    from apps.core.services import audit_log
    from apps.sso.services import provider_for_app

    identity_provider = provider_for_app(provider.app)
    audit_log(action=AuditEvent.Action.LOGIN_FAILED, request=request, target=provider.app.name,
              organization=identity_provider.organization if identity_provider else None,
              details={"sso": "saml", "reason": reason})
    messages.error(request, _("The directory's answer was refused (%(reason)s): start again from « Se connecter "
                              "avec … », or log in with your Resilis password.") % {"reason": _REASONS[reason]()})
    return ImmediateHttpResponse(redirect("account_login"))


_REASONS = {
    "unsolicited": lambda: _("it answers no login started from this browser"),
    "replayed": lambda: _("this assertion was already used"),
    "stale": lambda: _("the assertion is too old, or dated in the future: check the clocks"),
}


class ResilisSAMLProvider(SAMLProvider):
    """allauth's SAML provider with the checks above; its URLs stay allauth's (``package``)."""

    package = "allauth.socialaccount.providers.saml"

    def sociallogin_from_response(self, request: HttpRequest, response: Any) -> Any:
        state_id = response.get_last_response_in_response_to()
        stashed = statekit.get_states(request).get(state_id) if state_id else None
        if not stashed or len(stashed) != 3 or stashed[2] != self.sub_id:
            raise _refuse(request, "unsolicited", self)
        drift = OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT
        max_age: int = settings.SSO_SAML_MAX_ASSERTION_AGE
        issued = response.get_last_assertion_issue_instant()
        now = time.time()
        if not issued or issued < now - max_age - drift or issued > now + drift:
            raise _refuse(request, "stale", self)
        assertion_id = response.get_last_assertion_id()
        key = f"sso:saml:assertion:{self.app.pk}:{hashlib.sha256(str(assertion_id).encode()).hexdigest()}"
        if not assertion_id or not cache.add(key, 1, timeout=max_age + 2 * drift):
            raise _refuse(request, "replayed", self)
        return super().sociallogin_from_response(request, response)

