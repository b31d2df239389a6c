"""« Mon portefeuille »: only the user's organizations, each with its CaRE progress, cached and kept fresh."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.compliance import portfolio
from apps.compliance.catalogue import current_catalogue
from apps.tenants.models import Organization
from apps.tenants.roles import Role
from tests.bia.factories import activity_in
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory, SiteFactory


def _consultant_in(user, *organizations) -> None:
    for organization in organizations:
        MembershipFactory(organization=organization, user=user, role=Role.CONSULTANT)


def _listed(page: str) -> set[str]:
    """Organization names in the portfolio table (the top bar's switcher lists the first ten)."""
    table = page.split('id="portfolio-table"', 1)[1] if 'id="portfolio-table"' in page else ""
    return set(re.findall(r'<tr>\s*<td><a href="/o/[^/]+/">([^<]+)</a>', table))


def _row(page: str, name: str) -> str:
    match = re.search(r"<tr>\s*<td><a [^>]*>" + re.escape(name) + r"</a>.*?</tr>", page, re.S)
    assert match, f"no row for {name}"
    return match.group(0)


@pytest.mark.django_db
def test_consultant_portfolio_lists_only_their_organizations_with_progress(client_for, user_factory) -> None:
    consultant = user_factory()
    first, second, stranger = OrganizationFactory(name="GHT Alpha"), OrganizationFactory(name="Clinique Beta"), \
        OrganizationFactory(name="Hôpital Gamma")
    _consultant_in(consultant, first, second)
    EstablishmentFactory(organization=first)
    SiteFactory(organization=stranger, establishment=EstablishmentFactory(organization=stranger))
    client = client_for(consultant)
    page = client.get(reverse("portfolio")).content.decode()
    assert _listed(page) == {"GHT Alpha", "Clinique Beta"} and "Hôpital Gamma" not in page
    # Nothing computed yet: the page does not compute summaries itself, the worker does.
    assert page.count("Calcul en cours") == 2 and portfolio.cached_summaries([first.pk, second.pk]) == {}
    for organization in (first, second):
        portfolio.compute_summary(organization)  # what the worker's task does
    page = client.get(reverse("portfolio")).content.decode()
    summary = portfolio.cached_summaries([first.pk])[first.pk]
    assert summary["total"] == len(current_catalogue().requirements)
    assert summary["not_met"] > 0 and summary["met"] + summary["partial"] + summary["not_met"] <= summary["total"]
    assert [s["key"] for s in summary["stages"]] == ["governance", "bia", "plans", "backups", "exercises"]
    row = _row(page, "GHT Alpha")
    assert f'<span class="badge bad" title="Non atteinte">{summary["not_met"]}</span>' in row
    assert f'{summary["percent"]} %' in row and "1 établissement" in row
    assert "Calcul en cours" not in page
    assert portfolio.cached_summaries([stranger.pk]) == {}  # never computed for an outsider's page
    # The switcher on a tenant page lists the same two, and that page shows only its own data.
    home = client.get(reverse("tenants:home", kwargs={"org_slug": first.slug})).content.decode()
    assert "Clinique Beta" in home and "Hôpital Gamma" not in home
    assert client.get(reverse("tenants:home", kwargs={"org_slug": stranger.slug})).status_code == 404


@pytest.mark.django_db
def test_search_and_filters_narrow_the_portfolio(client_for, user_factory) -> None:
    consultant = user_factory()
    _consultant_in(consultant, OrganizationFactory(name="GHT Loire", region="PDL"),
                   OrganizationFactory(name="Clinique Loire", region="IDF"), OrganizationFactory(name="CH Rhône"))
    client = client_for(consultant)
    assert _listed(client.get(reverse("portfolio")).content.decode()) == {"GHT Loire", "Clinique Loire", "CH Rhône"}
    page = client.get(reverse("portfolio"), {"q": "loire"}).content.decode()
    assert _listed(page) == {"GHT Loire", "Clinique Loire"}
    page = client.get(reverse("portfolio"), {"q": "loire", "region": "PDL"}).content.decode()
    assert _listed(page) == {"GHT Loire"}
    page = client.get(reverse("portfolio"), {"q": "loire", "region": "XX"}).content.decode()
    assert _listed(page) == {"GHT Loire", "Clinique Loire"}  # an unknown region is ignored, the search kept
    page = client.get(reverse("portfolio"), {"q": "introuvable"}).content.decode()
    assert "Aucune organisation ne correspond à ces filtres." in page


@pytest.mark.django_db
def test_one_organization_goes_straight_to_its_home(client_for, user_factory) -> None:
    member = user_factory()
    only = OrganizationFactory()
    _consultant_in(member, only)
    response = client_for(member).get(reverse("portfolio"))
    assert response.status_code == 302 and response["Location"] == f"/o/{only.slug}/"
    assert client_for(member).get(reverse("portfolio") + "?all=1").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_change_drops_only_that_organizations_summary() -> None:
    with scopes_disabled():
        first, second = OrganizationFactory(), OrganizationFactory()
        portfolio.compute_summary(first)
        portfolio.compute_summary(second)
        assert set(portfolio.cached_summaries([first.pk, second.pk])) == {first.pk, second.pk}
        activity_in(first, name="Urgences")  # a tenant row saved (post_save, after commit)
        assert set(portfolio.cached_summaries([first.pk, second.pk])) == {second.pk}
        portfolio.compute_summary(first)
        with pytest.raises(RuntimeError):
            from django.db import transaction

            with transaction.atomic():
                activity_in(first, name="Réanimation")
                raise RuntimeError("rolled back")
        # Nothing was committed: the summary stays, and the next real change still drops it.
        assert first.pk in portfolio.cached_summaries([first.pk])
        activity_in(first, name="Bloc opératoire")
        assert portfolio.cached_summaries([first.pk]) == {}


@pytest.mark.django_db
def test_portfolio_query_count_does_not_grow_with_organizations(client_for, user_factory,
                                                                 django_assert_max_num_queries) -> None:
    consultant = user_factory()
    client = client_for(consultant)

    def add(n: int) -> None:
        for _ in range(n):
            organization = OrganizationFactory()
            _consultant_in(consultant, organization)
            EstablishmentFactory(organization=organization)
            portfolio.compute_summary(organization)  # warm, as after the worker's first pass

    add(3)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("portfolio"))
    add(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("portfolio")).content.decode()
    assert page.count("<progress") == 33


@pytest.mark.django_db
@pytest.mark.parametrize("missing", [0, 1, 3])
def test_missing_summaries_keep_the_query_count_flat(missing, client_for, user_factory,
                                                     django_assert_max_num_queries) -> None:
    """0, 1 or 3 summaries missing, at 4 and 24 organizations: the same queries (the missing ones are
    sent to the worker, never computed by the page)."""
    consultant = user_factory()
    client = client_for(consultant)
    organizations = []

    def add(n: int) -> None:
        for _ in range(n):
            organization = OrganizationFactory()
            _consultant_in(consultant, organization)
            EstablishmentFactory(organization=organization)
            portfolio.compute_summary(organization)
            organizations.append(organization)

    add(4)
    with django_assert_max_num_queries(12) as warm:
        client.get(reverse("portfolio"))
    budget = len(warm.captured_queries)
    for size in (4, 24):
        add(size - len(organizations))
        cache.delete_many([portfolio.summary_key(o.pk) for o in organizations[:missing]])
        with django_assert_max_num_queries(budget):
            page = client.get(reverse("portfolio")).content.decode()
        assert page.count("Calcul en cours") == missing
        assert page.count("<progress") == size - missing
        assert set(portfolio.cached_summaries(o.pk for o in organizations)) == {o.pk for o in organizations[missing:]}
        for organization in organizations[:missing]:
            portfolio.compute_summary(organization)


@pytest.mark.django_db(transaction=True)
def test_many_missing_summaries_are_computed_by_the_celery_worker(client_for, user_factory, settings,
                                                                  tmp_path: Path) -> None:
    from resilis.celery import app
    from tests.exports.conftest import Worker, wait_for

    queue = f"portfolio-test-{uuid.uuid4().hex[:8]}"  # not reused by a later run (leftovers)
    settings.PORTFOLIO_QUEUE = queue
    consultant = user_factory()
    organizations = [OrganizationFactory(name=f"Centre hospitalier {i:02d}") for i in range(portfolio.INLINE_LIMIT + 2)]
    _consultant_in(consultant, *organizations)
    client = client_for(consultant)
    page = client.get(reverse("portfolio")).content.decode()
    assert page.count("Calcul en cours") == len(organizations)
    assert 'hx-trigger="load delay:2s"' in page  # the table reloads itself
    # One task per organization (each runs in its own tenant scope); a second look before the worker
    # ran does not send the same work twice.
    client.get(reverse("portfolio"))
    with app.connection_for_read() as connection:
        assert connection.default_channel.client.llen(queue) == len(organizations)
    worker = Worker(queue, Path(settings.MEDIA_ROOT), tmp_path / "worker.log")
    try:
        worker.wait_ready()
        wait_for(lambda: len(portfolio.cached_summaries(o.pk for o in organizations)) == len(organizations),
                 timeout=90, message=worker.output)
    finally:
        worker.stop()
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
    page = client.get(reverse("portfolio")).content.decode()
    assert "Calcul en cours" not in page and "hx-trigger" not in page
    assert page.count("<progress") == len(organizations)
    with scopes_disabled():
        assert Organization.objects.count() == len(organizations)
    cache.delete_many([portfolio.summary_key(o.pk) for o in organizations])


@pytest.mark.django_db(transaction=True)
def test_a_write_is_saved_even_when_the_cache_is_unreachable(settings, caplog) -> None:
    from apps.bia.models import Activity

    organization = OrganizationFactory()
    # A Redis nobody listens on (port 9 is "discard"): deleting the summary fails after the commit.
    # (Django rebuilds its cache handler when the setting changes, and again when it is restored.)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:9/0"}}
    activity_in(organization, name="Urgences")
    with scopes_disabled():
        assert Activity.objects.filter(organization=organization, name="Urgences").exists()
    assert "not dropped: cache unreachable" in caplog.text
