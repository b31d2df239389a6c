"""A SAML 2.0 identity provider for the tests, in the test process: its own RSA key and self-signed certificate,
it reads our AuthnRequest (HTTP-Redirect binding) and answers with a Response whose assertion it signs with xmlsec
(python3-saml's ``add_sign``), as a hospital's ADFS or Keycloak would. Every field can be spoiled to test a
refusal. No network at all: the browser's two hops are the test client's."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import zlib
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.utils import OneLogin_Saml2_Utils

NS = {"samlp": "urn:oasis:names:tc:SAML:2.0:protocol", "saml": "urn:oasis:names:tc:SAML:2.0:assertion"}


def _certificate(common_name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365)).sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class LocalSamlIdp:
    def __init__(self, entity_id: str = "https://idp.chu-valmont.test/adfs/services/trust") -> None:
        self.entity_id = entity_id
        self.sso_url = "https://idp.chu-valmont.test/adfs/ls/"
        self.key, self.certificate = _certificate("idp.chu-valmont.test")

    def metadata(self) -> str:
        body = "".join(line for line in self.certificate.splitlines() if "-----" not in line)
        return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{self.entity_id}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
      <ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{self.sso_url}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""

    @staticmethod
    def read_request(location: str) -> dict[str, str]:
        """Our AuthnRequest, from the redirect to the IdP: its ID, issuer (our entity ID) and ACS URL."""
        raw = parse_qs(urlparse(location).query)["SAMLRequest"][0]
        xml = etree.fromstring(zlib.decompress(base64.b64decode(raw), -15))
        return {"id": xml.get("ID"), "acs_url": xml.get("AssertionConsumerServiceURL"),
                "issuer": xml.findtext("saml:Issuer", namespaces=NS), "destination": xml.get("Destination")}

    def response(self, request: dict[str, str], email: str, *, audience: str | None = None,
                 assertion_id: str | None = None, sign: bool = True, tamper: bool = False,
                 issued: dt.datetime | None = None, key: str | None = None,
                 authn_context: str = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport") -> str:
        """The base64 ``SAMLResponse`` the browser posts to our ACS."""
        real = dt.datetime.now(dt.UTC)  # the conditions' window is always current; IssueInstant may be spoiled
        now = issued or real
        assertion_id = assertion_id or f"_a{secrets.token_hex(16)}"
        acs, audience = request["acs_url"], audience or request["issuer"]
        answers = f' InResponseTo="{request["id"]}"' if request["id"] else ""  # none when the IdP starts the login
        assertion = f"""<saml:Assertion xmlns:saml="{NS['saml']}" ID="{assertion_id}" Version="2.0" IssueInstant="{_instant(now)}">
<saml:Issuer>{self.entity_id}</saml:Issuer>
<saml:Subject><saml:NameID Format="{C.NAMEID_EMAIL_ADDRESS}">{email}</saml:NameID>
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData{answers} NotOnOrAfter="{_instant(real + dt.timedelta(minutes=5))}" Recipient="{acs}"/></saml:SubjectConfirmation></saml:Subject>
<saml:Conditions NotBefore="{_instant(real - dt.timedelta(seconds=30))}" NotOnOrAfter="{_instant(real + dt.timedelta(minutes=5))}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>
<saml:AuthnStatement AuthnInstant="{_instant(real)}" SessionIndex="{assertion_id}"><saml:AuthnContext><saml:AuthnContextClassRef>{authn_context}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>
<saml:AttributeStatement><saml:Attribute Name="mail"><saml:AttributeValue>{email}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>
</saml:Assertion>"""
        if sign:
            assertion = OneLogin_Saml2_Utils.add_sign(assertion, key or self.key, self.certificate,
                                                      sign_algorithm=C.RSA_SHA256, digest_algorithm=C.SHA256).decode()
            assertion = assertion.removeprefix('<?xml version="1.0"?>').strip()
        if tamper:  # after signing: the digest no longer matches
            assertion = assertion.replace(f">{email}<", ">intrus@chu-valmont.fr<")
        response = f"""<samlp:Response xmlns:samlp="{NS['samlp']}" xmlns:saml="{NS['saml']}" ID="_r{secrets.token_hex(16)}" Version="2.0" IssueInstant="{_instant(now)}" Destination="{acs}"{answers}>
<saml:Issuer>{self.entity_id}</saml:Issuer>
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
{assertion}
</samlp:Response>"""
        return base64.b64encode(response.encode()).decode()
