"""The client address trusts exactly ``TRUSTED_PROXY_COUNT`` proxies: a forged X-Forwarded-For changes nothing.

The same rule feeds the audit trail (``AuditEvent.ip_address``), django-axes' lockout and allauth's
rate limits.
"""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from apps.core.models import AuditEvent
from apps.core.services import client_ip
from tests.accounts.test_auth import post_login

pytestmark = pytest.mark.django_db


def _login_ip(user, password: str, **headers: str) -> str | None:
    client = Client(REMOTE_ADDR="192.0.2.10", **headers)
    assert post_login(client, user.email, password).status_code == 302
    return AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, actor=user).latest("created_at").ip_address


def test_without_trusted_proxy_a_forged_header_is_ignored_at_login(admin_user, password, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert _login_ip(admin_user, password, HTTP_X_FORWARDED_FOR="203.0.113.66") == "192.0.2.10"


def test_behind_one_proxy_the_right_most_entry_is_recorded(admin_user, password, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; our proxy appended the address it really saw.
    assert _login_ip(admin_user, password, HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.7") == "198.51.100.7"


def test_malformed_headers_fall_back_to_the_connection_address(admin_user, password, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # Before the fix a garbage value reached the inet column: a 500 at login.
    assert _login_ip(admin_user, password, HTTP_X_FORWARDED_FOR="not-an-ip") == "192.0.2.10"
    assert _login_ip(admin_user, password, HTTP_X_FORWARDED_FOR="1.2.3.4, ") == "192.0.2.10"


@pytest.mark.parametrize(("count", "header", "expected"), [
    (0, "203.0.113.66", "192.0.2.10"),
    (1, "", "192.0.2.10"),                                   # not through the proxy: the connection
    (1, "198.51.100.7", "198.51.100.7"),
    (1, "198.51.100.7:51234", "198.51.100.7"),               # a proxy that adds the port
    (1, "203.0.113.66, [2001:db8::7]:443", "2001:db8::7"),
    (2, "203.0.113.66, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
    (2, "198.51.100.7", "192.0.2.10"),                       # shorter than the proxy chain
    (1, "x" * 5000, "192.0.2.10"),
    (1, "1.2.3.4, 999.1.1.1", "192.0.2.10"),
])
def test_client_ip_rule(settings, count: int, header: str, expected: str) -> None:
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected


def test_forging_the_header_does_not_dodge_the_lockout(admin_user, password, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(5):  # a new forged address each time, through the same proxy-seen address
        client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}, 198.51.100.7")
        post_login(client, admin_user.email, "wrong-password")
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.200, 198.51.100.7")
    assert post_login(client, admin_user.email, password).status_code == 429
    lockouts = AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT)
    assert set(lockouts.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    # Another real client (a different address seen by the proxy) is not locked out.
    other = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert post_login(other, admin_user.email, password).status_code == 302


def test_without_proxy_forged_headers_do_not_dodge_the_lockout(admin_user, password, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(5):
        post_login(Client(REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}"),
                   admin_user.email, "wrong-password")
    forged = Client(REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.250")
    assert post_login(forged, admin_user.email, password).status_code == 429
