"""Query counts of the action plan's pages do not grow with the plan: 50 actions, then 5,000."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.actions.benchmark import seed_actions
from apps.tenants.models import Establishment
from apps.tenants.roles import Role
from tests.factories import EstablishmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db

PAGES = ["actions:list", "actions:list?status=all&sort=priority&q=restauration", "actions:list?overdue=on&page=3",
         "actions:mine", "actions:direction", "bia:gaps", "compliance:requirements", "tenants:home"]


def url_for(name: str, org) -> str:
    name, _sep, query = name.partition("?")
    return reverse(name, kwargs={"org_slug": org.slug}) + (f"?{query}" if query else "")


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.fixture
def plan(org):
    EstablishmentFactory(organization=org, name="CH de Saint-Aubin")
    members = [MembershipFactory(organization=org, role=Role.CONTRIBUTOR) for _ in range(5)]
    return members


@pytest.mark.parametrize("name", PAGES)
def test_query_count_is_the_same_at_50_and_5000_actions(name, org, plan, client_for, django_assert_max_num_queries):
    user = MembershipFactory(organization=org, role=Role.RPCRA).user
    client = client_for(user)
    seed_actions(organization=org, count=50)
    small = count(client, url_for(name, org))
    seed_actions(organization=org, count=4950, seed=7, prefix="B-")
    with django_assert_max_num_queries(small):
        assert client.get(url_for(name, org)).status_code == 200


def test_a_limited_member_s_plan_is_flat_too(org, plan, client_for, django_assert_max_num_queries) -> None:
    from tests.establishments import limited_member

    home = Establishment.objects.filter(organization=org).order_by("pk").first()
    client = client_for(limited_member(org, Role.RPCRA, home))
    seed_actions(organization=org, count=50)
    small = count(client, url_for("actions:list", org))
    seed_actions(organization=org, count=4950, seed=7, prefix="B-")
    with django_assert_max_num_queries(small):
        assert client.get(url_for("actions:list", org)).status_code == 200
