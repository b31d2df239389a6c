"""Helpers for Playwright browser tests (Debian's Chromium; see tests/conftest.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

from tests.factories import PASSWORD


def login(page, live_server, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    # Wait for the redirect itself: "networkidle" can be reached on the login page before the POST
    # answers, and a goto() then would cancel the login (seen under load with two xdist workers).
    # Under CI load (two xdist workers, Chromium, the worker rendering PDFs) the home page after a login once took
    # longer than Playwright's 30 s default: wait for the navigation to commit (longer bound), then for the page.
    try:
        page.wait_for_url(lambda url: "/compte/login/" not in url, wait_until="commit", timeout=60_000)
    except Exception as error:  # say what the browser shows instead of a bare time-out
        body = page.locator("body").inner_text(timeout=5_000)[:600]
        raise AssertionError(f"login as {email} did not leave {page.url}: {body!r}") from error
    page.wait_for_load_state("load", timeout=60_000)
    page.wait_for_load_state("networkidle")


def switch_user(page, live_server, email: str, password: str = PASSWORD) -> None:
    """Log in as another user in the same tab. The previous page is left for about:blank first: a response of
    that page still in flight when the cookies are cleared would set its ``csrftoken`` again after the login page
    set a new one, and the login would fail its CSRF check (seen once in CI: « La vérification CSRF a échoué »)."""
    page.goto("about:blank")
    page.context.clear_cookies()
    login(page, live_server, email, password)


def totp_now(secret: str, at: float | None = None) -> str:
    """RFC 6238 code for a base32 secret, as an authenticator app would show it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"
