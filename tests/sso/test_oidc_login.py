"""Single sign-on through an OpenID Connect provider started by the test on 127.0.0.1: discovery, authorize,
token with a signed id_token, userinfo; the full login flow through Django's test client. Only existing
members log in; nobody is created; MFA still applies; local passwords keep working."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
import requests
from django.urls import reverse

from apps.accounts.models import User
from apps.sso.services import identity_provider_save
from apps.tenants.models import Membership
from apps.tenants.roles import Role
from tests.sso.oidc_provider import LocalOidcProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def idp():
    with LocalOidcProvider() as provider:
        yield provider


@pytest.fixture
def configured(org, idp):
    return identity_provider_save(organization=org, actor=None, name="Annuaire du GHT", issuer_url=idp.issuer,
                                  client_id=idp.client_id, client_secret=idp.client_secret,
                                  email_domains=["chu-valmont.fr"])


def sso_login(client, provider_id: str):
    """What the browser does: POST « Se connecter avec … », follow to the provider, come back with the code."""
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": provider_id}))
    assert response.status_code == 302, response.content[:500]
    authorize = response["Location"]
    back = requests.get(authorize, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    callback = urlparse(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_the_login_page_offers_the_directory_of_the_email_domain(client, configured) -> None:
    assert b'data-testid="sso-link"' in client.get(reverse("account_login")).content
    page = client.get(reverse("sso-discover"), {"email": "Marie.Curie@CHU-Valmont.fr"}).content.decode()
    assert "Se connecter avec Annuaire du GHT" in page
    assert reverse("openid_connect_login", kwargs={"provider_id": configured.provider_id}) in page
    other = client.get(reverse("sso-discover"), {"email": "x@ailleurs.fr"}).content.decode()
    assert "sso-button" not in other and "Aucun annuaire" in other


def test_a_member_logs_in_through_the_local_provider(org, client, idp, configured, member_factory) -> None:
    user = member_factory(org, Role.RPCRA, user__email="marie.curie@chu-valmont.fr")
    idp.email = "Marie.Curie@chu-valmont.fr"
    response = sso_login(client, configured.provider_id)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)
    assert {"/.well-known/openid-configuration", "/authorize", "/token"} <= set(idp.requests)
    assert client.get(reverse("tenants:home", kwargs={"org_slug": org.slug})).status_code == 200
    assert User.objects.count() == 1 and Membership.objects.filter(user=user).count() == 1


def test_an_unknown_email_is_refused_and_nothing_is_created(org, client, idp, configured) -> None:
    users, memberships = User.objects.count(), Membership.objects.count()
    idp.email = "nouveau@chu-valmont.fr"
    response = sso_login(client, configured.provider_id)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    page = client.get(response["Location"]).content.decode()
    assert "Aucun compte Resilis" in page


def test_a_user_of_another_organization_is_refused(org, other_org, client, idp, configured, member_factory) -> None:
    member_factory(other_org, Role.RPCRA, user__email="voisin@chu-valmont.fr")
    idp.email = "voisin@chu-valmont.fr"
    sso_login(client, configured.provider_id)
    assert "_auth_user_id" not in client.session


def test_a_member_of_several_organizations_logs_in_with_their_password(org, other_org, client, idp, configured,
                                                                       member_factory) -> None:
    """The directory of one organization never opens an account that reaches another one (a consultant's)."""
    user = member_factory(org, Role.CONSULTANT, user__email="consultant@chu-valmont.fr")
    Membership.objects.create(organization=other_org, user=user, role=Role.CONSULTANT)
    idp.email = "consultant@chu-valmont.fr"
    sso_login(client, configured.provider_id)
    assert "_auth_user_id" not in client.session


def test_a_platform_administrator_never_logs_in_through_an_organizations_directory(org, client, idp, configured,
                                                                                   member_factory) -> None:
    user = member_factory(org, Role.ADMINISTRATOR, user__email="plateforme@chu-valmont.fr")
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    idp.email = "plateforme@chu-valmont.fr"
    sso_login(client, configured.provider_id)
    assert "_auth_user_id" not in client.session


def test_mfa_still_applies_when_the_provider_does_not_assert_it(org, client, idp, configured, member_factory) -> None:
    from allauth.mfa.models import Authenticator

    user = member_factory(org, Role.RPCRA, user__email="secure@chu-valmont.fr")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    idp.email, idp.amr = "secure@chu-valmont.fr", ["pwd"]
    response = sso_login(client, configured.provider_id)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not logged in before the second factor


def test_local_passwords_stay_available(org, client, configured, member_factory, password) -> None:
    user = member_factory(org, Role.RPCRA, user__email="cellule@chu-valmont.fr")
    user.set_password(password)
    user.save()
    response = client.post(reverse("account_login"), {"login": "cellule@chu-valmont.fr", "password": password})
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(user.pk)


def test_the_administrator_configures_a_provider(org, client_for, admin_user) -> None:
    from apps.sso.models import IdentityProvider

    client = client_for(admin_user)
    url = reverse("sso:providers", kwargs={"org_slug": org.slug})
    response = client.post(url, {"name": "Annuaire", "issuer_url": "https://idp.chu-valmont.fr/realms/ght",
                                 "client_id": "resilis", "client_secret": "top-secret",
                                 "email_domains": "chu-valmont.fr, @ch-saint-aubin.fr", "is_active": "on"})
    assert response.status_code == 302
    provider = IdentityProvider.objects.get(organization=org)
    assert provider.email_domains == ["ch-saint-aubin.fr", "chu-valmont.fr"]
    assert provider.social_app.secret == "top-secret"
    assert b"top-secret" not in client.get(reverse("sso:provider-update", kwargs={
        "org_slug": org.slug, "pk": provider.pk})).content  # never shown again
