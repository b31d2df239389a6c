"""« Mon portefeuille » (issue 17): sortable columns, next deadline and days left, urgency, the four status
counts, and « Préparer les dossiers » queuing each organization's dossier through the export pipeline."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.compliance import portfolio
from apps.exports.models import ExportJob
from apps.tenants.roles import Role
from tests.backups.factories import MilestoneFactory
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _names_in_order(page: str) -> list[str]:
    table = page.split('id="portfolio-table"', 1)[1]
    return re.findall(r'<tr>\s*<td><a href="/o/[^/]+/">([^<]+)</a>', table)


def _org(user, name: str, role: str = Role.CONSULTANT):
    organization = OrganizationFactory(name=name)
    EstablishmentFactory(organization=organization)
    MembershipFactory(organization=organization, user=user, role=role)
    return organization


def test_deadline_days_left_and_urgency() -> None:
    summary = {"met": 3, "total": 13, "milestone_due": None}
    far = portfolio.deadline_of(summary, today=datetime.date(2026, 3, 1))
    assert far.date == datetime.date(2026, 11, 30) and far.days_left == 274 and not far.urgent
    assert "PCRA testé" in far.label
    near = portfolio.deadline_of(summary, today=datetime.date(2026, 11, 10))
    assert near.urgent and not near.late_milestone  # open requirements, 51 days before 31/12/2026
    assert not portfolio.deadline_of({**summary, "met": 13}, today=datetime.date(2026, 11, 10)).urgent
    late = portfolio.deadline_of({**summary, "milestone_due": "2026-02-15"}, today=datetime.date(2026, 3, 1))
    assert late.late_milestone and late.urgent and late.days_late == 14 and late.date == datetime.date(2026, 2, 15)


def test_the_page_shows_the_four_counts_the_deadline_and_sorts(client_for, user_factory) -> None:
    consultant = user_factory()
    late = _org(consultant, "Clinique en retard")
    MilestoneFactory(organization=late, due_on=datetime.date(2020, 1, 15))
    calm = _org(consultant, "Abbaye tranquille")
    for organization in (late, calm):
        portfolio.compute_summary(organization)
    client = client_for(consultant)
    page = client.get(reverse("portfolio") + "?all=1").content.decode()
    assert 'title="Pas encore évaluée"' in page
    assert "Jalon de trajectoire de sauvegarde" in page and "15/01/2020" in page
    assert "Urgent" in page and "Un jalon est en retard" in page
    assert _names_in_order(page) == ["Abbaye tranquille", "Clinique en retard"]
    urgent_first = client.get(reverse("portfolio") + "?all=1&sort=urgency").content.decode()
    assert _names_in_order(urgent_first) == ["Clinique en retard", "Abbaye tranquille"]
    assert 'aria-sort="ascending"' in urgent_first
    by_name_desc = client.get(reverse("portfolio") + "?all=1&sort=-name").content.decode()
    assert _names_in_order(by_name_desc) == ["Clinique en retard", "Abbaye tranquille"]


@pytest.mark.parametrize("sort", ["urgency", "-deadline", "name"])
def test_sorted_portfolio_query_count_is_flat(sort, client_for, user_factory, django_assert_max_num_queries) -> None:
    consultant = user_factory()
    client = client_for(consultant)
    url = reverse("portfolio") + f"?all=1&sort={sort}"

    def add(n: int) -> None:
        for i in range(n):
            organization = _org(consultant, f"Organisation {i:03d} {n}")
            MilestoneFactory(organization=organization, due_on=datetime.date(2026, 1 + i % 12, 1))
            portfolio.compute_summary(organization)

    add(3)
    with django_assert_max_num_queries(14) as small:
        assert client.get(url).status_code == 200
    add(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("<progress") == 33


def test_prepare_the_dossiers_queues_one_export_per_allowed_organization(client_for, user_factory) -> None:
    consultant = user_factory()
    first, second = _org(consultant, "CH de Valmont"), _org(consultant, "Clinique du Parc")
    read_only = _org(consultant, "EHPAD des Lilas", role=Role.READER)
    foreign = OrganizationFactory(name="Hôpital d'autrui")
    client = client_for(consultant)
    response = client.post(reverse("portfolio-prepare"),
                           {"organization": [first.pk, second.pk, read_only.pk, foreign.pk]}, follow=True)
    body = response.content.decode()
    assert "2 dossiers sont en préparation" in body
    assert "EHPAD des Lilas" in body and "Hôpital d&#x27;autrui" not in body
    with scopes_disabled():
        jobs = ExportJob.objects.filter(kind=ExportJob.Kind.DOSSIER_PDF)
        assert sorted(j.organization.name for j in jobs) == ["CH de Valmont", "Clinique du Parc"]
        assert {j.requested_by_id for j in jobs} == {consultant.pk}
        assert not ExportJob.objects.filter(organization__in=[read_only, foreign]).exists()
