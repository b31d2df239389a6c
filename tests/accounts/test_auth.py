"""Login by e-mail, brute-force lockout, password reset, TOTP enrolment, per-organization MFA."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.tenants.roles import Role
from tests.browser.helpers import totp_now

LOGIN_URL = "/compte/login/"


def post_login(client: Client, email: str, password: str):
    return client.post(LOGIN_URL, {"login": email, "password": password})


@pytest.mark.django_db
def test_login_by_email_lands_on_the_single_organization(admin_user, org, password) -> None:
    client = Client()
    response = post_login(client, admin_user.email, password)
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == reverse("tenants:home", kwargs={"org_slug": org.slug})
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, actor=admin_user).exists()


@pytest.mark.django_db
def test_wrong_password_shows_a_french_error(admin_user) -> None:
    response = post_login(Client(), admin_user.email, "not-the-password")
    assert response.status_code == 200
    assert "mot de passe" in response.content.decode().lower()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, target=admin_user.email).exists()


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_ip_pair(admin_user, password) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(5):
        post_login(client, admin_user.email, "wrong-password")
    # Even the right password is refused now, with the lockout page.
    response = post_login(client, admin_user.email, password)
    assert response.status_code == 429
    assert "verrouill" in response.content.decode().lower()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT).exists()
    # Another address is not locked out for that account (account/IP pair).
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert post_login(other, admin_user.email, password).status_code == 302


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_works(admin_user) -> None:
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": admin_user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/compte/password/reset/key/[^\s]+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    new_password = "Une-nouvelle-phrase-de-passe-2026"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.check_password(new_password)


def logged_in(user, password: str) -> Client:
    """A client logged in through the real form (MFA pages ask for a recent authentication)."""
    client = Client()
    assert post_login(client, user.email, password).status_code == 302
    return client


def _activate_totp(client: Client, password: str) -> str:
    response = client.get(reverse("mfa_activate_totp"))
    # allauth asks for the password again before a security change, even right after login.
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": password})
    assert response.status_code == 302
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = response.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


@pytest.mark.django_db(transaction=True)  # allauth sends its MFA signals on commit
def test_totp_enrolment_and_recovery_codes(admin_user, password) -> None:
    client = logged_in(admin_user, password)
    _activate_totp(client, password)
    assert admin_user.has_mfa
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MFA_ENABLED, actor=admin_user).exists()
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 200
    codes = response.context["unused_codes"]
    assert len(codes) >= 8


@pytest.mark.django_db
def test_login_with_totp_asks_for_the_code(admin_user, password) -> None:
    secret = _activate_totp(logged_in(admin_user, password), password)
    client = Client()
    response = post_login(client, admin_user.email, password)
    assert response.status_code == 302 and "2fa" in response["Location"]
    response = client.post(response["Location"], {"code": totp_now(secret)})
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200


@pytest.mark.django_db
def test_organization_requiring_mfa_forces_enrolment(org, member_factory, password) -> None:
    user = member_factory(org, Role.READER)
    org.mfa_required = True
    org.save()
    client = logged_in(user, password)
    home = reverse("tenants:home", kwargs={"org_slug": org.slug})
    response = client.get(home)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    _activate_totp(client, password)
    assert client.get(home).status_code == 200


@pytest.mark.django_db
def test_open_signup_is_closed() -> None:
    response = Client().get(reverse("account_signup"))
    assert response.status_code == 200
    assert "inscription" in response.content.decode().lower() or "sign up" in response.content.decode().lower()
    response = Client().post(reverse("account_signup"), {"email": "x@y.example", "password1": "Abcdefgh1234!x",
                                                         "password2": "Abcdefgh1234!x"})
    from apps.accounts.models import User

    assert not User.objects.filter(email="x@y.example").exists()


@pytest.mark.django_db
def test_session_cookie_is_http_only(admin_user, password) -> None:
    client = Client()
    post_login(client, admin_user.email, password)
    assert client.cookies["sessionid"]["httponly"]
