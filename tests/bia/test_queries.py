"""Query counts of the BIA pages do not grow with data size (ARCHITECTURE.md budgets)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.bia.benchmark import seed_large
from apps.bia.models import Activity, Resource
from apps.tenants.models import Establishment
from apps.tenants.validators import luhn_complete

pytestmark = pytest.mark.django_db

PAGES = ["bia:activities", "bia:activity-detail", "bia:map-data", "bia:gaps", "bia:resources", "bia:resource-detail",
         "bia:matrix", "bia:questionnaire"]


def url_for(name: str, org) -> str:
    kwargs = {"org_slug": org.slug}
    if name in ("bia:activity-detail", "bia:questionnaire"):
        kwargs["pk"] = Activity.objects.filter(organization=org).order_by("pk").first().pk
    if name == "bia:questionnaire":
        kwargs["step"] = 2
    if name == "bia:resource-detail":
        kwargs["pk"] = Resource.objects.filter(organization=org).order_by("pk").first().pk
    return reverse(name, kwargs=kwargs)


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", PAGES)
def test_query_count_does_not_grow(name, org, admin_user, client_for, django_assert_max_num_queries) -> None:
    establishment = Establishment.objects.get(organization=org)
    seed_large(organization=org, establishment=establishment, activities=5, resources=6, dependencies=20)
    client = client_for(admin_user)
    small = count(client, url_for(name, org))
    seed_large(organization=org, establishment=Establishment.objects.create(
        organization=org, name="Grand CHU", finess_ej=luhn_complete("45999999")), activities=150, resources=200,
        dependencies=1500, seed=7, prefix="B-")
    url = url_for(name, org)
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200
