"""404, 403 and 500 as production serves them (DEBUG off): Resilis pages, in French, with the layout."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from apps.tenants.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings) -> None:
    settings.DEBUG = False


def _is_resilis_page(body: str) -> None:
    assert '<html lang="fr"' in body
    assert 'class="topbar"' in body and 'class="brand">Resilis</a>' in body
    assert "css/resilis.css" in body
    assert "Plans de continuité et de reprise d&#x27;activité" in body or "CaRE Domaine 2" in body


def test_404_for_an_unknown_organization_and_page(client_for, member_factory, org) -> None:
    client = client_for(member_factory(org, Role.READER))
    for url in ("/o/nulle-part/", f"/o/{org.slug}/bia/activites/999999/", "/pas-de-page/"):
        response = client.get(url)
        assert response.status_code == 404, url
        body = response.content.decode()
        _is_resilis_page(body)
        assert "Page introuvable" in body


def test_403_for_a_role_without_the_capability(client_for, member_factory, org) -> None:
    client = client_for(member_factory(org, Role.READER))
    response = client.get(reverse("tenants:members", kwargs={"org_slug": org.slug}))
    assert response.status_code == 403
    body = response.content.decode()
    _is_resilis_page(body)
    assert "Accès refusé" in body
    assert "Retour à l&#x27;accueil de l&#x27;organisation" in body or "Retour" in body


def test_500_is_a_resilis_page(settings, db) -> None:
    settings.ROOT_URLCONF = "tests.core.urls_boom"
    client = Client(raise_request_exception=False)
    response = client.get("/boom-500/")
    assert response.status_code == 500
    body = response.content.decode()
    _is_resilis_page(body)
    assert "Une erreur est survenue" in body
    assert "Vos données enregistrées avant l" in body and "sont conservées" in body
