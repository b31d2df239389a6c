"""Every demo role's home offers only what that role may open: each link on it answers (no 403, no 404), and
each role sees its own sections."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.tenants.demo import CLINIC_SLUG, GHT_SLUG
from apps.tenants.models import Membership
from apps.tenants.roles import Role

HREF = re.compile(r'href="(/o/[^"#?]+)[^"]*"')


def links(html: str) -> set[str]:
    return set(HREF.findall(html))


@pytest.fixture
def demo(db) -> None:
    call_command("seed_demo")


@pytest.mark.django_db
def test_every_demo_role_s_home_links_answer(demo) -> None:
    with scopes_disabled():
        memberships = list(Membership.objects.filter(organization__slug__in=[GHT_SLUG, CLINIC_SLUG])
                           .select_related("user", "organization"))
    assert {m.role for m in memberships} == set(Role.values)
    checked = 0
    for membership in memberships:
        client = Client()
        client.force_login(membership.user, backend="allauth.account.auth_backends.AuthenticationBackend")
        home = client.get(reverse("tenants:home", kwargs={"org_slug": membership.organization.slug}))
        assert home.status_code == 200
        html = home.content.decode()
        found = {u for u in links(html) if u.startswith(f"/o/{membership.organization.slug}/")}
        assert found, membership.role
        for url in sorted(found):
            status = client.get(url).status_code
            assert status in (200, 302), f"{membership.role} ({membership.user.email}): {url} → {status}"
            checked += 1
        # No empty heading in the sidebar.
        sidebar = html.split('class="sidebar"', 1)[1].split("</nav>", 1)[0]
        for item in re.findall(r"<li class=\"[^\"]*\">(.*?)</ul>", sidebar, flags=re.S):
            assert "<a " in item, f"{membership.role}: empty sidebar section {item[:80]}"
    assert checked > 50


@pytest.mark.django_db
def test_each_role_sees_its_own_home(demo) -> None:
    def home_of(email_part: str, slug: str = GHT_SLUG) -> str:
        with scopes_disabled():
            membership = Membership.objects.select_related("user").get(organization__slug=slug,
                                                                        user__email__startswith=email_part)
        client = Client()
        client.force_login(membership.user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return client.get(reverse("tenants:home", kwargs={"org_slug": slug})).content.decode()

    owner = home_of("chef.urgences")
    assert "Mes activités" in owner and "Votre parcours CaRE" not in owner
    assert "Exigences CaRE" not in owner and "D2.O1" not in owner  # not her job
    assert "Relire les BIA soumis" not in owner and "matrice de couverture" not in owner
    director = home_of("direction")
    assert "À approuver" in director and "Actions en retard" in director
    assert 'id="workspace-chart-data"' in director and "requirements-chart" in director
    assert "<table" in director.split("requirements-chart", 1)[1]  # each chart has its table
    assert "<script>" not in director  # CSP: no inline script, data in json_script
    rpcra = home_of("rpcra")
    assert "Votre parcours CaRE" in rpcra and "À approuver" not in rpcra
    reader = home_of("lecteur")
    assert "Votre parcours CaRE" in reader and "Prochaine étape :" not in reader
