"""The isolation matrix of the REST API: every route under ``/api/v1/o/<organization_slug>/``, found by walking
the URLconf (as tests/test_isolation.py does for the pages).

For each route and method:
- no token, a revoked token, an expired token, a malformed token → 401;
- a valid token of another organization → 404 (the same answer as « no such organization »);
- a token of the organization lacking the method's capability (it holds every other one) → 403;
- a token with the capability reaches it (GET 200, an empty PATCH 200, an empty POST 400; never a 500);
- a token limited to one establishment: another establishment's object → 404, its own → 200, and no list
  names a row of the other establishment.
A new route with an object in its URL and no factory in ``tests/api/isolation.py`` fails here.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.api.models import ApiToken
from apps.api.services import API_CAPABILITIES, token_revoke
from apps.tenants.roles import all_capabilities
from tests.api.factories import bearer, make_token
from tests.api.isolation import API_KWARGS
from tests.establishments import populate
from tests.factories import EstablishmentFactory, OrganizationFactory
from tests.isolation import _walk

MARKER = "ZQXVALMONT"


@dataclass(frozen=True)
class ApiRoute:
    name: str
    route: str
    view_class: Any
    kwargs: tuple[str, ...]

    @property
    def methods(self) -> list[str]:
        return [m for m in ("get", "post", "patch") if hasattr(self.view_class, m)]

    def capability(self, method: str) -> str:
        return self.view_class.capability if method == "get" else self.view_class.write_capability

    def __str__(self) -> str:
        return self.name


def api_routes() -> list[ApiRoute]:
    from django.urls import get_resolver

    found = []
    for name, route, callback in _walk(get_resolver().url_patterns):
        if "<slug:organization_slug>" not in route:
            continue
        params = tuple(p for p in re.findall(r"<(?:\w+:)?(\w+)>", route) if p != "organization_slug")
        found.append(ApiRoute(name=name, route=route, view_class=callback.view_class, kwargs=params))
    return sorted(found, key=lambda r: r.name)


ROUTES = api_routes()
CALLS = [(r, m) for r in ROUTES for m in r.methods]


def call(client: Any, method: str, url: str, plain: str | None = None) -> Any:
    headers = bearer(plain) if plain else {}
    if method == "get":
        return client.get(url, **headers)
    return getattr(client, method)(url, data={}, content_type="application/json", **headers)


def url_for(route: ApiRoute, org: Any, establishment: Any = None) -> str:
    extra = API_KWARGS[route.name](org, establishment or org_establishment(org)) if route.kwargs else {}
    return reverse(route.name, kwargs={"organization_slug": org.slug, **extra})


def org_establishment(org: Any) -> Any:
    from apps.tenants.models import Establishment

    return Establishment.objects.filter(organization=org).first() or EstablishmentFactory(organization=org)


def test_the_matrix_found_the_api_routes() -> None:
    names = {r.name for r in ROUTES}
    assert {"api:activities", "api:gaps", "api:backup-jobs", "api:resources", "api:action"} <= names
    assert len(CALLS) >= 25


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_route_declares_known_capabilities(route) -> None:
    for method in route.methods:
        capability = route.capability(method)
        assert capability in all_capabilities(), f"{route.name} {method}: {capability!r}"
        assert capability in API_CAPABILITIES, f"{route.name} {method}: a token cannot be given {capability!r}"


@pytest.mark.parametrize("route", [r for r in ROUTES if r.kwargs], ids=str)
def test_route_with_objects_has_a_factory(route) -> None:
    assert route.name in API_KWARGS, f"register {route.name} in tests/api/isolation.py API_KWARGS"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), CALLS, ids=lambda v: str(v))
def test_without_a_valid_token_401(route, method, org, client) -> None:
    url = url_for(route, org)
    revoked, revoked_plain = make_token(org)
    token_revoke(token=revoked, actor=None)
    expired, expired_plain = make_token(org)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    _valid, valid_plain = make_token(org)
    for plain in (None, revoked_plain, expired_plain, "rsl_nope_nope", valid_plain + "x", "not-a-token"):
        response = call(client, method, url, plain)
        assert response.status_code == 401, f"{method.upper()} {url} with {plain!r} → {response.status_code}"
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), CALLS, ids=lambda v: str(v))
def test_token_of_another_organization_gets_404(route, method, org, other_org, client) -> None:
    url = url_for(route, org)
    _token, plain = make_token(other_org)
    assert call(client, method, url, plain).status_code == 404
    # The same token on its own organization's object of the same kind is not the reason.
    own = url_for(route, other_org)
    assert call(client, method, own, plain).status_code in (200, 201, 400)


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), CALLS, ids=lambda v: str(v))
def test_token_without_the_capability_gets_403(route, method, org, client) -> None:
    needed = route.capability(method)
    _token, plain = make_token(org, [c for c in API_CAPABILITIES if c != needed])
    response = call(client, method, url_for(route, org), plain)
    assert response.status_code == 403, f"{method.upper()} {route.name} → {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), CALLS, ids=lambda v: str(v))
def test_token_with_the_capability_reaches_it(route, method, org, client) -> None:
    _token, plain = make_token(org, [route.capability(method)])
    response = call(client, method, url_for(route, org), plain)
    # GET 200; an empty PATCH changes nothing (200); an empty POST misses required fields (400).
    expected = {"get": 200, "patch": 200, "post": 400}[method]
    assert response.status_code == expected, response.content[:300]


@pytest.fixture
def ght(db):
    org = OrganizationFactory(name="GHT Rives de Loire", slug="ght-rives", kind="ght")
    home = EstablishmentFactory(organization=org, name="CH de Saint-Aubin")
    other = EstablishmentFactory(organization=org, name=f"{MARKER} CHU de Valmont")
    return org, home, other


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), [(r, m) for r, m in CALLS if r.kwargs], ids=lambda v: str(v))
def test_limited_token_and_another_establishment(route, method, ght, client) -> None:
    org, home, other = ght
    _token, plain = make_token(org, [route.capability(method)], establishments=[home])
    foreign = reverse(route.name, kwargs={"organization_slug": org.slug, **API_KWARGS[route.name](org, other)})
    assert call(client, method, foreign, plain).status_code == 404
    own = reverse(route.name, kwargs={"organization_slug": org.slug, **API_KWARGS[route.name](org, home)})
    assert call(client, method, own, plain).status_code in (200, 400)


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if "get" in r.methods and not r.kwargs], ids=str)
def test_limited_token_lists_never_name_another_establishment(route, ght, client) -> None:
    org, home, other = ght
    populate(org, home, "Saint-Aubin")
    populate(org, other, MARKER)
    _token, plain = make_token(org, [route.capability("get")], establishments=[home])
    response = call(client, "get", reverse(route.name, kwargs={"organization_slug": org.slug}), plain)
    assert response.status_code == 200
    assert MARKER not in response.content.decode()
    # The same list for a token of the whole organization does name it (where the list shows names).
    _all, plain_all = make_token(org, [route.capability("get")])
    full = call(client, "get", reverse(route.name, kwargs={"organization_slug": org.slug}), plain_all)
    assert full.status_code == 200
