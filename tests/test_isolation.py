"""The isolation matrix: every view under /o/<org_slug>/, found by introspecting the URLconf.

For each tenant URL:
- an anonymous visitor is sent to the login page;
- a member of another organization gets 404 (same answer as "does not exist");
- a member whose role lacks the view's capability gets 403, for GET and POST;
- a member *with* the capability who asks for another organization's object gets 404;
- a member with the capability reaches the page (no 403/404/500);
- an external reviewer of the organization's signed declaration (``ReviewerGrant``, no membership) gets 404.
Views added later are covered automatically; a view without a declared capability or a URL
without a kwargs factory fails here.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.tenants.roles import CAPABILITIES, Role, all_capabilities
from tests.htmlhelpers import duplicate_ids, page_html
from tests.isolation import kwargs_factories, tenant_urls

URLS = tenant_urls()
ROLE_PREFERENCE = [Role.READER, Role.BUSINESS_OWNER, Role.CONTRIBUTOR, Role.DIRECTION, Role.CONSULTANT, Role.RPCRA,
                   Role.ADMINISTRATOR]


def role_without(capability: str) -> str | None:
    return next((r for r in ROLE_PREFERENCE if capability not in CAPABILITIES[r]), None)


def role_with(capability: str) -> str:
    return next(r for r in reversed(ROLE_PREFERENCE) if capability in CAPABILITIES[r])


def build_url(url, org) -> str:
    extra = kwargs_factories()[url.name](org) if url.kwargs else {}
    return reverse(url.name, kwargs={"org_slug": org.slug, **extra})


def test_the_matrix_found_the_tenant_views() -> None:
    names = {u.name for u in URLS}
    assert {"tenants:home", "tenants:members", "tenants:history"} <= names


@pytest.mark.parametrize("url", URLS, ids=str)
def test_view_declares_a_known_capability(url) -> None:
    assert url.capability, f"{url.name} must declare the capability it needs"
    assert url.capability in all_capabilities(), f"{url.name}: unknown capability {url.capability!r}"


@pytest.mark.parametrize("url", [u for u in URLS if u.kwargs], ids=str)
def test_url_with_objects_has_a_kwargs_factory(url) -> None:
    assert url.name in kwargs_factories(), f"register {url.name} in tests/<app>/isolation.py URL_KWARGS"


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS, ids=str)
def test_anonymous_is_sent_to_login(url, org, client) -> None:
    response = client.get(build_url(url, org))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS, ids=str)
def test_outsider_gets_404(url, org, outsider_user, client_for) -> None:
    client = client_for(outsider_user)
    target = build_url(url, org)
    for method in ("get", "post"):
        assert getattr(client, method)(target).status_code == 404, f"{method.upper()} {target}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS, ids=str)
def test_member_without_capability_gets_403(url, org, member_factory, client_for) -> None:
    role = role_without(url.capability)
    if role is None:
        pytest.skip(f"every role has {url.capability}")
    client = client_for(member_factory(org, role))
    target = build_url(url, org)
    for method in ("get", "post"):
        assert getattr(client, method)(target).status_code == 403, f"{role} {method.upper()} {target}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in URLS if u.kwargs], ids=str)
def test_object_of_another_organization_gets_404(url, org, other_org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, role_with(url.capability)))
    foreign = kwargs_factories()[url.name](other_org)
    target = reverse(url.name, kwargs={"org_slug": org.slug, **foreign})
    for method in url.methods:
        assert getattr(client, method)(target).status_code == 404, f"{method.upper()} {target}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS, ids=str)
def test_member_with_capability_reaches_the_view(url, org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, role_with(url.capability)))
    target = build_url(url, org)
    method = "get" if "get" in url.methods else "post"
    response = getattr(client, method)(target)
    assert response.status_code in (200, 302, 400), f"{method.upper()} {target} → {response.status_code}"
    if (html := page_html(response)) is not None:
        # Two elements with one id break every label, aria-describedby and aria-controls that points at it.
        twice = duplicate_ids(html)
        assert not twice, f"{target}: duplicate ids {twice}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS, ids=str)
def test_reviewer_gets_404(url, org, member_factory, user_factory, client_for) -> None:
    """A « relecteur » reads the signed declaration on their own pages (/relecture/…) and nothing else: every member
    page of the organization that invited them answers as to a stranger."""
    from apps.declaration import services

    reviewer = user_factory(email="relecteur@ars.example")
    grant = services.reviewer_invite(organization=org, actor=member_factory(org, Role.DIRECTION),
                                     email=reviewer.email, days=30)
    assert services.reviewer_accept(grant=grant, user=reviewer).is_active
    client = client_for(reviewer)
    target = build_url(url, org)
    for method in ("get", "post"):
        assert getattr(client, method)(target).status_code == 404, f"{method.upper()} {target}"
