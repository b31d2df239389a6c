"""The BIA analysis cache: one key per organization and scope, checked against the graph's fingerprint
(the per-process memo is only a cache), computed again by a real Celery worker after writes commit,
once for a burst of writes, so that the first viewer finds it ready."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.bia import refresh, selectors
from apps.bia.models import Activity, Resource
from apps.core.tenancy import tenant_scope
from apps.tenants.models import Establishment
from apps.tenants.roles import Role
from tests.bia.factories import ActivityDependencyFactory, ResourceFactory, activity_in
from tests.establishments import limited_member
from tests.factories import EstablishmentFactory, OrganizationFactory


def _analysis_keys(organization_id: int) -> list[str]:
    """The analysis keys of one organization in Redis (this test process's prefix)."""
    client = cache._cache.get_client(write=False)
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
    return sorted(k.decode() for k in client.scan_iter(match=f"{prefix}:*:bia:analysis:*:{organization_id}*"))


def _emergency(org):
    activity = activity_in(org, name="Urgences", dmia_override_hours=4, dmia_override_justification="Vital")
    dependency = ActivityDependencyFactory(organization=org, activity=activity,
                                           resource=ResourceFactory(organization=org, name="DPI",
                                                                    rto_capability_hours=24))
    return activity, dependency.resource


def _gap_hours(org) -> list[tuple[float, float | None]]:
    with tenant_scope(org):
        _graph, analysis = selectors.bia_analysis(organization=org)
    return [(g.required_hours, g.capable_hours) for g in analysis.gaps]


@pytest.mark.django_db
def test_one_key_per_organization_replaced_at_each_change_and_never_served_stale(org) -> None:
    _activity, resource = _emergency(org)
    assert _gap_hours(org) == [(4, 24)]
    keys = _analysis_keys(org.pk)
    assert len(keys) == 1
    # A change that sends no signal (a bulk update): the memo and Redis hold the old version, neither is served.
    Resource.objects.filter(pk=resource.pk).update(rto_capability_hours=48, updated_at=timezone.now())
    assert _gap_hours(org) == [(4, 48)]
    assert _analysis_keys(org.pk) == keys  # the same key, holding the new version: the old one is gone
    version, _graph, analysis = cache.get(selectors.analysis_key(org.pk, None))
    assert version == selectors.graph_version(organization=org) and analysis.gaps[0].capable_hours == 48
    # Another process (an empty memo) reads the same from Redis without computing: no graph queries.
    selectors.clear_memo()
    with CaptureQueriesContext(connection) as ctx, tenant_scope(org):
        selectors.bia_analysis(organization=org)
    assert len(ctx.captured_queries) == 1  # the fingerprint only


@pytest.mark.django_db
def test_a_renamed_establishment_changes_the_fingerprint(org) -> None:
    _emergency(org)
    before = selectors.graph_version(organization=org)
    Establishment.objects.filter(organization=org).update(short_name="CHV", updated_at=timezone.now())
    assert selectors.graph_version(organization=org) != before


@pytest.mark.django_db
def test_a_limited_scope_has_its_own_key_and_the_refresh_recomputes_it(org) -> None:
    first = Establishment.objects.get(organization=org)
    second = EstablishmentFactory(organization=org, name="Clinique annexe")
    _emergency(org)
    with tenant_scope(org, establishments=[second.pk]):
        _graph, limited = selectors.bia_analysis(organization=org)
    assert limited.gaps == []  # the other establishment's activity is not in this scope
    assert len(_analysis_keys(org.pk)) == 1
    assert _gap_hours(org) == [(4, 24)]
    assert len(_analysis_keys(org.pk)) == 2
    Resource.objects.filter(organization=org).update(rto_capability_hours=72, updated_at=timezone.now())
    with tenant_scope(org):
        assert selectors.refresh_analysis(organization=org) == 2  # the whole organization and the scope
        assert selectors.refresh_analysis(organization=org) == 0  # both current: nothing to do
    version = selectors.graph_version(organization=org)
    for allowed in (None, frozenset([second.pk])):
        assert cache.get(selectors.analysis_key(org.pk, allowed))[0] == version
    assert first.pk not in {a.establishment_id for a in limited.graph.activities.values()}


@pytest.mark.django_db
def test_a_limited_member_page_never_gets_the_whole_organizations_analysis(org, client_for) -> None:
    second = EstablishmentFactory(organization=org, name="Clinique annexe")
    _emergency(org)
    assert _gap_hours(org) == [(4, 24)]  # the whole organization's analysis is cached and in the memo
    user = limited_member(org, Role.RPCRA, second)
    page = client_for(user).get(reverse("bia:gaps", kwargs={"org_slug": org.slug})).content.decode()
    assert "Urgences" not in page and "DPI" not in page


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_writes_sends_one_refresh_and_the_worker_warms_the_first_page(client_for, member_factory,
                                                                                settings, tmp_path: Path) -> None:
    from resilis.celery import app
    from tests.exports.conftest import Worker, wait_for

    queue = f"analysis-test-{uuid.uuid4().hex[:8]}"
    settings.ANALYSIS_QUEUE = queue
    with scopes_disabled():
        organization = OrganizationFactory(name="CH de Valmont", slug=f"ch-{uuid.uuid4().hex[:6]}")
        EstablishmentFactory(organization=organization, name="CH de Valmont")
        user = member_factory(organization, Role.RPCRA)
        activity, resource = _emergency(organization)  # several committed writes
        for hours in (8, 12, 16):
            Resource.objects.get(pk=resource.pk).save()  # more writes, each its own transaction
            Activity.objects.filter(pk=activity.pk).update(pdma_hours=hours)
        with app.connection_for_read() as channel_connection:
            assert channel_connection.default_channel.client.llen(queue) == 1  # debounced: one refresh
        assert cache.get(refresh.pending_key(organization.pk)) is not None
    worker = Worker(queue, Path(settings.MEDIA_ROOT), tmp_path / "worker.log")
    try:
        worker.wait_ready()
        with scopes_disabled():
            version = selectors.graph_version(organization=organization)
        wait_for(lambda: (cache.get(selectors.analysis_key(organization.pk, None)) or ("",))[0] == version,
                 timeout=90, message=worker.output)
        assert cache.get(refresh.pending_key(organization.pk)) is None  # cleared as the task started
        # The first viewer: the analysis comes from Redis (the fingerprint, no graph reading).
        client = client_for(user)
        url = reverse("bia:gaps", kwargs={"org_slug": organization.slug})
        selectors.clear_memo()
        with CaptureQueriesContext(connection) as cold:
            page = client.get(url).content.decode()
        assert "DPI" in page
        with CaptureQueriesContext(connection) as warm:
            client.get(url)
        assert len(cold.captured_queries) == len(warm.captured_queries)
        assert not any('"bia_activitydependency"' in q["sql"] for q in cold.captured_queries)
    finally:
        worker.stop()
        with app.connection_for_write() as channel_connection:
            channel_connection.default_channel.queue_delete(queue)
        with scopes_disabled():
            organization.delete()


@pytest.mark.django_db
def test_writes_ask_once_per_transaction_and_after_the_commit_only(org, settings) -> None:
    settings.ANALYSIS_QUEUE = f"analysis-unused-{uuid.uuid4().hex[:8]}"
    _emergency(org)
    activity_in(org, name="Bloc opératoire")
    asking = [entry[1] for entry in connection.run_on_commit
              if getattr(entry[1], "bia_refresh_organization_id", None) == org.pk]
    assert len(asking) == 1  # the test's transaction has not committed: one callback waiting
    assert cache.get(refresh.pending_key(org.pk)) is None  # nothing before the commit
    try:
        asking[0]()
        assert cache.get(refresh.pending_key(org.pk)) is not None
        assert refresh.request_refresh(org.pk) is False  # already pending: debounced
        refresh.refresh_started(org.pk)
        assert refresh.request_refresh(org.pk) is True  # a write during the computation asks again
    finally:
        from resilis.celery import app

        with app.connection_for_write() as channel_connection:
            channel_connection.default_channel.queue_delete(settings.ANALYSIS_QUEUE)


@pytest.mark.django_db(transaction=True)
def test_a_write_is_saved_when_the_cache_is_unreachable_and_no_refresh_is_asked(settings, caplog) -> None:
    organization = OrganizationFactory()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:9/0"}}
    activity_in(organization, name="Urgences")
    with scopes_disabled():
        assert Activity.objects.filter(organization=organization, name="Urgences").exists()
    assert "refresh of organization" in caplog.text and "not requested" in caplog.text
