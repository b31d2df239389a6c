"""API tokens: created by an administrator on the organization's page, shown once, stored hashed, revocable,
their use recorded; the API answers in the client's language."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from apps.api.models import ApiToken
from apps.core.models import AuditEvent
from apps.tenants.roles import Role
from tests.api.factories import bearer, make_token
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def test_administrator_creates_a_token_shown_once_and_stored_hashed(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    page = reverse("apitokens:token-create", kwargs={"org_slug": org.slug})
    response = client.post(page, {"name": "Veeam", "capabilities": ["backups.view", "backups.change"],
                                  "expires_on": "2027-06-30"})
    assert response.status_code == 200
    plain = response.context["plain"]
    assert plain.startswith("rsl_") and plain in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(organization=org)
    assert token.capabilities == ["backups.change", "backups.view"]
    assert token.secret_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in str(ApiToken.objects.filter(pk=token.pk).values().first())
    # The list shows the prefix only, never the value again.
    listing = client.get(reverse("apitokens:tokens", kwargs={"org_slug": org.slug})).content.decode()
    assert f"rsl_{token.prefix}_" in listing and plain not in listing
    assert AuditEvent.objects.filter(organization=org, details__api_token="created").exists()


def test_token_form_refuses_a_past_expiry_and_no_capability(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    page = reverse("apitokens:token-create", kwargs={"org_slug": org.slug})
    response = client.post(page, {"name": "x", "capabilities": [], "expires_on": "2001-01-01"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_only_an_administrator_manages_tokens(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.RPCRA))
    assert client.get(reverse("apitokens:tokens", kwargs={"org_slug": org.slug})).status_code == 403


def test_revoked_token_gets_401_and_use_is_recorded(org, admin_user, client, client_for) -> None:
    token, plain = make_token(org, ["org.view"])
    url = reverse("api:establishments", kwargs={"organization_slug": org.slug})
    assert client.get(url, **bearer(plain)).status_code == 200
    assert client.get(url, **bearer(plain)).status_code == 200
    token.refresh_from_db()
    assert token.use_count == 2 and token.last_used_at is not None and token.last_used_ip == "127.0.0.1"
    client_for(admin_user).post(reverse("apitokens:token-revoke", kwargs={"org_slug": org.slug, "pk": token.pk}))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(url, **bearer(plain)).status_code == 401
    assert AuditEvent.objects.filter(organization=org, details__api_token="revoked").exists()


def test_errors_follow_accept_language(org, client) -> None:
    _token, plain = make_token(org, ["bia.view", "bia.change"])
    url = reverse("api:resources", kwargs={"organization_slug": org.slug})
    french = client.post(url, data={"kind": "application"}, content_type="application/json", **bearer(plain))
    english = client.post(url, data={"kind": "application"}, content_type="application/json",
                          HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9", **bearer(plain))
    assert french.status_code == english.status_code == 400
    assert french.json()["name"] == ["Ce champ est obligatoire."]
    assert english.json()["name"] == ["This field is required."]
    assert english["Content-Language"] == "en"
    denied = client.get(reverse("api:actions", kwargs={"organization_slug": org.slug}),
                        HTTP_ACCEPT_LANGUAGE="en", **bearer(plain))
    assert denied.status_code == 403 and "actions.view" in denied.json()["detail"]


def test_throttling_per_token(org, client, settings) -> None:
    settings.API_THROTTLE_RATE = "3/minute"
    _token, plain = make_token(org, ["org.view"])
    _other, other_plain = make_token(org, ["org.view"])
    url = reverse("api:establishments", kwargs={"organization_slug": org.slug})
    codes = [client.get(url, **bearer(plain)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get(url, **bearer(other_plain)).status_code == 200  # counted per token


def test_cursor_pagination_walks_every_row(org, client) -> None:
    for n in range(7):
        EstablishmentFactory(organization=org, name=f"Établissement {n}")
    _token, plain = make_token(org, ["org.view"])
    url = reverse("api:establishments", kwargs={"organization_slug": org.slug}) + "?page_size=3"
    seen: list[int] = []
    while url:
        body = client.get(url, **bearer(plain)).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 8


def test_docs_and_schema_are_served_locally_under_the_csp(client) -> None:
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<style" not in html and "<script>" not in html  # nothing inline: the CSP stays « 'self' »
    assert "'unsafe-inline'" not in docs["Content-Security-Policy"]
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/o/{organization_slug}/gaps/" in schema.json()["paths"]
