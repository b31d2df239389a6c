"""The resource page lists every chain of a single point of failure, a page at a time: the chains of the
page shown only are searched, and the page's query count does not grow with the number of activities."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.bia import selectors, services
from tests.bia.factories import ResourceFactory, activity_in

pytestmark = pytest.mark.django_db


def _critical_activities(org, count: int, resource, prefix: str = "Activité") -> None:
    for i in range(count):
        activity = activity_in(org, name=f"{prefix} {i:03d}", dmia_override_hours=4,
                               dmia_override_justification="Vital", pdma_hours=1, criticality="critical")
        services.activity_dependency_set(activity=activity, actor=None, resource=resource, workaround_exists=False)


def _page(client, org, resource, page: int | None = None) -> tuple[str, int]:
    url = reverse("bia:resource-detail", kwargs={"org_slug": org.slug, "pk": resource.pk})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page": page} if page else {})
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_every_chain_is_listed_page_by_page(org, scales, admin_user, client_for) -> None:
    ad = ResourceFactory(organization=org, name="Active Directory", rto_capability_hours=72)
    count = selectors.SPOF_CHAINS_PER_PAGE + 5
    _critical_activities(org, count, ad)
    client = client_for(admin_user)
    first, _ = _page(client, org, ad)
    second, _ = _page(client, org, ad, page=2)
    assert f"{count} activités critiques en dépendent" in first
    listed = [f"Activité {i:03d}" for i in range(count)]
    chain = re.compile(r"<li>(Activité \d{3}) \(")  # one line per chain: « Activité 007 (…) → Active Directory »
    on_first = chain.findall(first)
    on_second = chain.findall(second)
    assert len(on_first) == selectors.SPOF_CHAINS_PER_PAGE
    assert len(on_second) == 5
    assert set(on_first) | set(on_second) == set(listed)
    assert "Page 1 sur 2" in first and "Page 2 sur 2" in second


def test_the_page_query_count_does_not_grow_with_the_chains(org, scales, admin_user, client_for) -> None:
    small = ResourceFactory(organization=org, name="Serveur A", rto_capability_hours=72)
    large = ResourceFactory(organization=org, name="Serveur B", rto_capability_hours=72)
    _critical_activities(org, 3, small)
    client = client_for(admin_user)
    _page(client, org, small)  # warm the analysis
    _, few = _page(client, org, small)
    _critical_activities(org, 60, large, prefix="Service")
    _page(client, org, large)
    _, many = _page(client, org, large)
    assert many == few
