"""Shared fixtures: two organizations, members of every role, an outsider, browser settings.

Test data is built with scopes disabled (``scopes_disabled`` autouse fixture); views still run
inside the tenant scope the middleware opens, exactly as in production.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from apps.tenants.roles import Role
from tests.cachehelpers import clear_own_cache_keys
from tests.factories import PASSWORD, EstablishmentFactory, MembershipFactory, OrganizationFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls of the test itself are fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _browser_idle_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """A browser test ends with its browser context closed and the live server's requests finished.

    Otherwise the database flush between tests can meet a request still running in a server thread (a
    favicon, an htmx poll) and fail with « Database … couldn't be flushed ». Requesting ``page`` and
    ``live_server`` here sets them up first, so this teardown runs before theirs and before the flush."""
    if not {"page", "live_server"} <= set(request.fixturenames):
        yield
        return
    page = request.getfixturevalue("page")
    request.getfixturevalue("live_server")
    yield
    import threading

    try:
        page.goto("about:blank")
        page.context.close()  # its kept-alive connections too: their server threads end (closing twice is a no-op)
    except Exception:  # noqa: BLE001, S110 - a closed tab or browser is already idle
        pass
    for thread in threading.enumerate():
        target = getattr(thread, "_target", None)
        if thread is not threading.current_thread() and getattr(target, "__name__", "") == "process_request_thread":
            thread.join(timeout=3)


@pytest.fixture(autouse=True)
def _scopes_off_for_setup() -> Iterator[None]:
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path_factory) -> None:
    """Uploaded and generated files of a test go to a temporary folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    clear_own_cache_keys()
    yield


@pytest.fixture
def org(db):
    organization = OrganizationFactory(name="CH de Valmont", slug="ch-valmont")
    EstablishmentFactory(organization=organization, name="CH de Valmont")
    return organization


@pytest.fixture
def other_org(db):
    organization = OrganizationFactory(name="Clinique voisine", slug="clinique-voisine")
    EstablishmentFactory(organization=organization, name="Clinique voisine")
    return organization


@pytest.fixture
def member_factory(db) -> Callable:
    def make(organization, role: str = Role.ADMINISTRATOR, **kwargs):
        return MembershipFactory(organization=organization, role=role, **kwargs).user

    return make


@pytest.fixture
def admin_user(org, member_factory):
    return member_factory(org, Role.ADMINISTRATOR)


@pytest.fixture
def reader_user(org, member_factory):
    return member_factory(org, Role.READER)


@pytest.fixture
def outsider_user(other_org, member_factory):
    """Administrator of *another* organization: must see nothing of ``org``."""
    return member_factory(other_org, Role.ADMINISTRATOR)


@pytest.fixture
def client_for() -> Callable[..., Client]:
    def make(user) -> Client:
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return client

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user_factory() -> type[UserFactory]:
    return UserFactory


# --- Browser tests: Debian's Chromium, never a downloaded browser. --------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "viewport": {"width": 1280, "height": 900}}
