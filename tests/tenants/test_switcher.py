"""The header's organization switcher: bounded for a consultant's hundreds of organizations, read with the
membership in the tenant middleware's one query."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.tenants.roles import Role
from apps.tenants.selectors import SWITCHER_SIZE
from tests.factories import MembershipFactory, OrganizationFactory


def _switcher(page: str) -> list[str]:
    block = page.split('class="dropdown org-switcher"', 1)[1].split("</details>", 1)[0]
    return re.findall(r'<a href="/o/[^/]+/"[^>]*>([^<]+) <small>', block)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, SWITCHER_SIZE + 4])
def test_switcher_lists_at_most_ten_organizations_the_current_one_always_among_them(count, client_for,
                                                                                      user_factory) -> None:
    consultant = user_factory()
    organizations = [OrganizationFactory(name=f"Organisation {i:02d}") for i in range(count)]
    for organization in organizations:
        MembershipFactory(organization=organization, user=consultant, role=Role.CONSULTANT)
    client = client_for(consultant)
    last = organizations[-1]  # alphabetically last: never among the first ten by name
    page = client.get(reverse("tenants:home", kwargs={"org_slug": last.slug})).content.decode()
    shown = _switcher(page)
    assert len(shown) == min(count, SWITCHER_SIZE)
    assert last.name in shown and shown == sorted(shown)
    assert f'<a href="/o/{last.slug}/" aria-current="page">' in page
    assert ("Toutes mes organisations" in page) is (count > SWITCHER_SIZE)
    # Outside any organization (the profile) the switcher shows the first ones by name.
    profile = client.get(reverse("profile")).content.decode()
    assert _switcher(profile) == [o.name for o in organizations[:SWITCHER_SIZE]]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, SWITCHER_SIZE + 5])
def test_membership_and_switcher_are_one_query_whatever_the_number_of_organizations(count, client_for,
                                                                                    user_factory) -> None:
    user = user_factory()
    organizations = [OrganizationFactory() for _ in range(count)]
    for organization in organizations:
        MembershipFactory(organization=organization, user=user, role=Role.CONSULTANT)
    client = client_for(user)
    url = reverse("tenants:home", kwargs={"org_slug": organizations[0].slug})
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    membership_queries = [q for q in ctx.captured_queries if 'FROM "tenants_membership"' in q["sql"]]
    assert len(membership_queries) == 1, [q["sql"] for q in membership_queries]


@pytest.mark.django_db
def test_a_slug_of_another_organization_is_404_even_with_a_full_switcher(client_for, user_factory) -> None:
    user = user_factory()
    for _ in range(SWITCHER_SIZE + 2):
        MembershipFactory(organization=OrganizationFactory(), user=user, role=Role.CONSULTANT)
    stranger = OrganizationFactory()
    response = client_for(user).get(reverse("tenants:home", kwargs={"org_slug": stranger.slug}))
    assert response.status_code == 404
