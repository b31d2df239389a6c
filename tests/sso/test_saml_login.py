"""Single sign-on through SAML 2.0 (allauth's saml provider with ``apps.sso.saml``), against the local IdP of
tests/sso/saml_idp.py: our AuthnRequest goes out by redirect, its signed Response is posted to our ACS through
Django's test client. Only existing members log in, nobody is created; unsigned, tampered, replayed, unsolicited,
stale or mis-addressed assertions are refused; MFA still applies; local passwords keep working."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.core.models import AuditEvent
from apps.sso.models import IdentityProvider
from apps.sso.services import saml_provider_save
from apps.tenants.models import Membership
from apps.tenants.roles import Role
from tests.sso.saml_idp import LocalSamlIdp

pytestmark = pytest.mark.django_db
HOST = "127.0.0.1"  # python3-saml refuses single-label hosts (« testserver ») in its URLs


@pytest.fixture
def client():
    """A browser sends its Host header: python3-saml builds the current URL from it (the test client sends none)."""
    from django.test import Client

    return Client(HTTP_HOST=HOST)


@pytest.fixture(scope="module")
def idp():
    return LocalSamlIdp()


@pytest.fixture
def configured(org, idp):
    return saml_provider_save(organization=org, actor=None, name="ADFS du GHT", entity_id=idp.entity_id,
                              sso_url=idp.sso_url, certificate=idp.certificate, email_domains=["chu-valmont.fr"])


def start(client, provider: IdentityProvider) -> dict[str, str]:
    """« Se connecter avec … »: our AuthnRequest, read by the IdP from the redirect."""
    response = client.post(provider.login_url)
    assert response.status_code == 302, response.content[:500]
    assert response["Location"].startswith(LocalSamlIdp().sso_url.rsplit("/", 2)[0])
    return LocalSamlIdp.read_request(response["Location"])


def post_to_acs(client, request: dict[str, str], saml_response: str):
    """What the browser does with the IdP's auto-submitting form: POST to the ACS, then allauth's finish step."""
    response = client.post(request["acs_url"], {"SAMLResponse": saml_response})
    assert response.status_code == 302, response.content[:500]
    return client.get(response["Location"])


def saml_login(client, idp, provider, email: str, **spoil):
    request = start(client, provider)
    return post_to_acs(client, request, idp.response(request, email, **spoil))


def logged_in(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_a_member_logs_in_through_the_idp(org, client, idp, configured, member_factory) -> None:
    user = member_factory(org, Role.RPCRA, user__email="marie.curie@chu-valmont.fr")
    request = start(client, configured)
    assert request["acs_url"] == f"http://{HOST}" + reverse("saml_acs", args=[configured.social_app.client_id])
    assert request["issuer"] == f"http://{HOST}" + reverse("saml_metadata", args=[configured.social_app.client_id])
    response = post_to_acs(client, request, idp.response(request, "Marie.Curie@chu-valmont.fr"))
    assert response.status_code == 302
    assert logged_in(client) == str(user.pk)
    assert client.get(reverse("tenants:home", kwargs={"org_slug": org.slug})).status_code == 200
    assert User.objects.count() == 1 and Membership.objects.filter(user=user).count() == 1
    assert user.socialaccount_set.get().provider == configured.provider_id
    client.logout()
    saml_login(client, idp, configured, "Marie.Curie@chu-valmont.fr")  # the directory identity is linked now
    assert logged_in(client) == str(user.pk) and user.socialaccount_set.count() == 1


def test_an_idp_initiated_login_is_refused(org, client, idp, configured, member_factory) -> None:
    """No request of ours to answer (``InResponseTo`` absent): an assertion pushed by the IdP is not accepted."""
    member_factory(org, Role.RPCRA, user__email="marie.curie@chu-valmont.fr")
    slug = configured.social_app.client_id
    request = {"id": "", "acs_url": f"http://{HOST}" + reverse("saml_acs", args=[slug]),
               "issuer": f"http://{HOST}" + reverse("saml_metadata", args=[slug])}
    response = post_to_acs(client, request, idp.response(request, "marie.curie@chu-valmont.fr"))
    assert logged_in(client) is None and response["Location"] == reverse("account_login")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, details__reason="unsolicited").exists()


def test_an_unknown_email_is_refused_and_nothing_is_created(org, client, idp, configured) -> None:
    users, memberships = User.objects.count(), Membership.objects.count()
    response = saml_login(client, idp, configured, "nouveau@chu-valmont.fr")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert logged_in(client) is None
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    assert "Aucun compte Resilis" in client.get(response["Location"]).content.decode()


def test_an_email_outside_the_providers_domains_is_refused(org, client, idp, configured, member_factory) -> None:
    member_factory(org, Role.RPCRA, user__email="marie@ailleurs.fr")
    saml_login(client, idp, configured, "marie@ailleurs.fr")
    assert logged_in(client) is None


@pytest.mark.parametrize(("spoil", "reason"), [
    ({"sign": False}, "The Assertion of the Response is not signed"),
    ({"tamper": True}, "Signature validation failed"),
    ({"key": "other"}, "Signature validation failed"),
], ids=["unsigned", "tampered", "signed-by-another-key"])
def test_an_assertion_not_signed_by_the_idp_is_refused(org, client, idp, configured, member_factory, spoil, reason,
                                                       caplog) -> None:
    member_factory(org, Role.RPCRA, user__email="marie.curie@chu-valmont.fr")
    member_factory(org, Role.READER, user__email="intrus@chu-valmont.fr")  # what the tampered assertion names
    if spoil.get("key") == "other":
        spoil = {"key": LocalSamlIdp().key}
    response = saml_login(client, idp, configured, "marie.curie@chu-valmont.fr", **spoil)
    assert logged_in(client) is None
    assert response.status_code == 401 and reason in caplog.text
    page = response.content.decode()
    assert "La connexion par l'annuaire a échoué" in page and 'data-testid="password-login"' in page


def test_a_replayed_assertion_is_refused(org, client, idp, configured, member_factory) -> None:
    member_factory(org, Role.RPCRA, user__email="marie.curie@chu-valmont.fr")
    request = start(client, configured)
    captured = idp.response(request, "marie.curie@chu-valmont.fr")
    post_to_acs(client, request, captured)
    assert logged_in(client)
    client.logout()
    # The same response again: its request was answered already.
    response = post_to_acs(client, request, captured)
    assert logged_in(client) is None and response["Location"] == reverse("account_login")
    # A new response to a fresh request of this browser, carrying the same assertion ID: the Redis cache says no.
    again = start(client, configured)
    response = post_to_acs(client, again, idp.response(again, "marie.curie@chu-valmont.fr",
                                                       assertion_id=_assertion_id(captured)))
    assert logged_in(client) is None and response["Location"] == reverse("account_login")
    assert "déjà été utilisée" in client.get(reverse("account_login")).content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, details__reason="replayed").exists()


def _assertion_id(saml_response: str) -> str:
    import base64

    from lxml import etree

    xml = etree.fromstring(base64.b64decode(saml_response))
    return xml.find("{urn:oasis:names:tc:SAML:2.0:assertion}Assertion").get("ID")


def test_a_response_to_another_browsers_request_is_refused(org, client, client_for, idp, configured,
                                                          member_factory) -> None:
    """A response stolen from another browser (its InResponseTo is a request this browser never made)."""
    from django.test import Client

    member_factory(org, Role.RPCRA, user__email="marie.curie@chu-valmont.fr")
    victim = Client(HTTP_HOST=HOST)
    request = start(victim, configured)
    response = post_to_acs(client, request, idp.response(request, "marie.curie@chu-valmont.fr"))
    assert logged_in(client) is None and response["Location"] == reverse("account_login")


def test_a_wrong_audience_is_refused(org, client, idp, configured, member_factory) -> None:
    member_factory(org, Role.RPCRA, user__email="marie.curie@chu-valmont.fr")
    saml_login(client, idp, configured, "marie.curie@chu-valmont.fr", audience="https://autre-appli.example/sp")
    assert logged_in(client) is None


def test_a_stale_assertion_is_refused(org, client, idp, configured, member_factory) -> None:
    """Issued 20 minutes ago (its own conditions would still let it through): past the age we accept."""
    member_factory(org, Role.RPCRA, user__email="marie.curie@chu-valmont.fr")
    request = start(client, configured)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    post_to_acs(client, request, idp.response(request, "marie.curie@chu-valmont.fr", issued=old))
    assert logged_in(client) is None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, details__reason="stale").exists()
    future = start(client, configured)
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)  # past python3-saml's 300 s clock drift
    post_to_acs(client, future, idp.response(future, "marie.curie@chu-valmont.fr", issued=ahead))
    assert logged_in(client) is None


def test_a_platform_administrator_is_refused(org, client, idp, configured, member_factory) -> None:
    user = member_factory(org, Role.ADMINISTRATOR, user__email="plateforme@chu-valmont.fr")
    User.objects.filter(pk=user.pk).update(is_staff=True)
    saml_login(client, idp, configured, "plateforme@chu-valmont.fr")
    assert logged_in(client) is None


def test_the_mfa_of_the_account_is_asked_after_the_idp(org, client, idp, configured, member_factory) -> None:
    from allauth.mfa.models import Authenticator

    org.mfa_required = True
    org.save()
    user = member_factory(org, Role.RPCRA, user__email="secure@chu-valmont.fr")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    response = saml_login(client, idp, configured, "secure@chu-valmont.fr")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert logged_in(client) is None  # not logged in before the second factor


def test_an_mfa_enforced_organization_sends_a_member_without_mfa_to_enrol(org, client, idp, configured,
                                                                         member_factory) -> None:
    """The IdP asserts a password only: the organization's « MFA required » policy still applies."""
    org.mfa_required = True
    org.save()
    user = member_factory(org, Role.RPCRA, user__email="sans.mfa@chu-valmont.fr")
    saml_login(client, idp, configured, "sans.mfa@chu-valmont.fr")
    assert logged_in(client) == str(user.pk)
    home = client.get(reverse("tenants:home", kwargs={"org_slug": org.slug}))
    assert home.status_code == 302 and home["Location"] == reverse("mfa_activate_totp")


def test_an_inactive_provider_logs_nobody_in(org, client, idp, configured, member_factory) -> None:
    member_factory(org, Role.RPCRA, user__email="marie.curie@chu-valmont.fr")
    request = start(client, configured)
    IdentityProvider.objects.filter(pk=configured.pk).update(is_active=False)
    post_to_acs(client, request, idp.response(request, "marie.curie@chu-valmont.fr"))
    assert logged_in(client) is None


def test_the_login_page_offers_the_idp_of_the_typed_domain(client, configured) -> None:
    page = client.get(reverse("account_login")).content.decode()
    assert 'hx-get="/compte/sso/"' in page and 'id="sso-offer"' in page
    offer = client.get(reverse("sso-discover"), {"login": "Marie.Curie@CHU-Valmont.fr"}, HTTP_HX_REQUEST="true")
    html = offer.content.decode()
    assert "Se connecter avec ADFS du GHT" in html and configured.login_url in html and "<article" not in html
    assert "mot de passe" in html  # the password stays offered
    assert "sso-button" not in client.get(reverse("sso-discover"), {"login": "x@ailleurs.fr"},
                                          HTTP_HX_REQUEST="true").content.decode()
    # Without JavaScript: the two-step page.
    assert configured.login_url in client.get(reverse("sso-discover"), {"email": "a@chu-valmont.fr"}).content.decode()


def test_local_passwords_stay_available(org, client, configured, member_factory, password) -> None:
    user = member_factory(org, Role.RPCRA, user__email="cellule@chu-valmont.fr")
    user.set_password(password)
    user.save()
    response = client.post(reverse("account_login"), {"login": "cellule@chu-valmont.fr", "password": password})
    assert response.status_code == 302 and logged_in(client) == str(user.pk)


def test_the_administrator_configures_saml_from_pasted_metadata(org, client_for, admin_user, idp) -> None:
    client = client_for(admin_user)
    response = client.post(reverse("sso:saml-create", kwargs={"org_slug": org.slug}), {
        "name": "ADFS", "metadata": idp.metadata(), "email_domains": "chu-valmont.fr", "is_active": "on"})
    provider = IdentityProvider.objects.get(organization=org)
    assert response.status_code == 302 and response["Location"] == reverse(
        "sso:provider-update", kwargs={"org_slug": org.slug, "pk": provider.pk})
    assert (provider.protocol, provider.entity_id, provider.sso_url) == ("saml", idp.entity_id, idp.sso_url)
    assert provider.social_app.settings["idp"]["x509cert"] in idp.certificate.replace("\n", "")
    assert provider.social_app.settings["advanced"]["want_assertion_signed"] is True
    page = client.get(response["Location"]).content.decode()
    acs = "http://testserver" + reverse("saml_acs", args=[provider.social_app.client_id])
    assert acs in page and "CN=idp.chu-valmont.test" in page
    metadata = client.get(reverse("sso:saml-metadata", kwargs={"org_slug": org.slug, "pk": provider.pk}))
    assert metadata["Content-Type"] == "application/xml" and "attachment" in metadata["Content-Disposition"]
    assert f'Location="{acs}"' in metadata.content.decode() and "SPSSODescriptor" in metadata.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SETTINGS_CHANGED, details__protocol="saml").exists()


def test_the_administrator_uploads_the_metadata_file(org, client_for, admin_user, idp) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(admin_user)
    upload = SimpleUploadedFile("idp.xml", idp.metadata().encode(), content_type="application/xml")
    response = client.post(reverse("sso:saml-create", kwargs={"org_slug": org.slug}), {
        "name": "ADFS", "metadata_file": upload, "email_domains": "chu-valmont.fr", "is_active": "on"})
    assert response.status_code == 302
    assert IdentityProvider.objects.get(organization=org).entity_id == idp.entity_id


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"metadata": "<pas du xml"}, "metadata", "Ce ne sont pas des métadonnées SAML"),
    ({"metadata": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'},
     "metadata", "Ce ne sont pas des métadonnées SAML"),
    ({"entity_id": "https://idp", "sso_url": "https://idp.example.test/sso",
      "certificate": "pas un certificat"}, "certificate",
     "Ce n&#x27;est pas un certificat X.509"),
    ({"entity_id": "https://idp"}, "sso_url", "Indiquez l&#x27;URL d&#x27;authentification unique"),
], ids=["not-xml", "external-entity", "bad-certificate", "missing-sso-url"])
def test_bad_saml_settings_are_refused_next_to_the_field(org, client_for, admin_user, fields, field, message) -> None:
    client = client_for(admin_user)
    data = {"name": "ADFS", "email_domains": "chu-valmont.fr", **fields}
    response = client.post(reverse("sso:saml-create", kwargs={"org_slug": org.slug}), data)
    assert response.status_code == 400 and not IdentityProvider.objects.exists()
    form = response.context["form"]
    assert field in form.errors
    page = response.content.decode()
    assert message in page and "chu-valmont.fr" in page  # nothing typed is lost


def test_the_administrator_changes_the_certificate(org, client_for, admin_user, configured) -> None:
    other = LocalSamlIdp()
    client = client_for(admin_user)
    url = reverse("sso:provider-update", kwargs={"org_slug": org.slug, "pk": configured.pk})
    response = client.post(url, {"name": "ADFS", "entity_id": other.entity_id, "sso_url": other.sso_url,
                                 "certificate": other.certificate, "email_domains": "chu-valmont.fr",
                                 "is_active": "on"})
    assert response.status_code == 302
    configured.refresh_from_db()
    configured.social_app.refresh_from_db()
    assert configured.certificate in other.certificate.replace("\n", "")
    assert configured.social_app.settings["idp"]["x509cert"] == configured.certificate
    assert configured.events.count() >= 2  # the history (pghistory) keeps the previous certificate


def test_single_logout_is_not_served_so_no_page_can_log_a_member_out(org, client, idp, configured,
                                                                      member_factory) -> None:
    """An unsigned LogoutRequest would be acted upon by allauth's SLS view: the route answers 404 instead."""
    member_factory(org, Role.RPCRA, user__email="marie.curie@chu-valmont.fr")
    saml_login(client, idp, configured, "marie.curie@chu-valmont.fr")
    user_id = logged_in(client)
    assert user_id is not None
    sls = f"/compte/saml/{configured.social_app.client_id}/sls/"
    assert client.get(sls, {"SAMLRequest": "forged"}).status_code == 404
    assert client.post(sls, {"SAMLRequest": "forged"}).status_code == 404
    assert logged_in(client) == user_id
