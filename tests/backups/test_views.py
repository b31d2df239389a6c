"""Backups pages: what a contributor saves, what a reader cannot, query counts, exports."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from apps.backups import exports
from apps.backups.models import BackupControl, Milestone, RestoreTest, Trajectory
from apps.bia.models import Resource
from apps.tenants.roles import Role
from tests.backups.factories import BackupControlFactory, MilestoneFactory, RestoreTestFactory, TrajectoryFactory
from tests.backups.test_services import critical_system
from tests.bia.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def url(org, name, **kwargs):
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


@pytest.fixture
def contributor(org, member_factory):
    return member_factory(org, Role.CONTRIBUTOR)


def test_contributor_saves_a_control_from_the_guided_form(org, contributor, client_for) -> None:
    dpi = critical_system(org)
    client = client_for(contributor)
    page = client.get(url(org, "backups:control", pk=dpi.pk))
    assert page.status_code == 200
    assert b"Copies (3-2-1-1-0)" in page.content or b"Copies" in page.content
    response = client.post(url(org, "backups:control", pk=dpi.pk), {
        "product": "Veeam", "frequency_hours": "24", "copies": "3", "media_count": "2", "offsite_copy": "on",
        "authentication": "local_accounts"})
    assert response.status_code == 302
    control = BackupControl.objects.get(resource=dpi)
    assert (control.frequency_hours, control.copies, control.offsite_copy) == (24, 3, True)
    overview = client.get(url(org, "backups:overview")).content.decode()
    assert "3-2-1" in overview and "DPI" in overview


def test_control_form_rejects_a_bad_ads_score(org, contributor, client_for) -> None:
    dpi = critical_system(org)
    response = client_for(contributor).post(url(org, "backups:control", pk=dpi.pk), {
        "copies": "1", "media_count": "1", "authentication": "dedicated_directory", "ads_score": "7"})
    assert response.status_code == 400
    assert not BackupControl.objects.filter(resource=dpi).exists()


def test_supplier_has_no_control_page(org, contributor, client_for) -> None:
    supplier = ResourceFactory(organization=org, kind=Resource.Kind.SUPPLIER)
    assert client_for(contributor).get(url(org, "backups:control", pk=supplier.pk)).status_code == 404


def test_restore_test_form_updates_the_bia_gap_view(org, contributor, client_for) -> None:
    dpi = critical_system(org)
    client = client_for(contributor)
    response = client.post(url(org, "backups:test-create"), {
        "resource": dpi.pk, "tested_on": "2026-03-02", "scope": "production", "measured_hours": "9,5",
        "data_loss_hours": "1", "result": "success", "referent_name": "Dr Martin"})
    assert response.status_code == 302, response.context["form"].errors
    test = RestoreTest.objects.get(resource=dpi)
    assert test.required_rto_hours == 4 and test.recorded_by == contributor
    gaps = client.get(url(org, "bia:gaps")).content.decode()
    assert "DPI" in gaps and "9,5" in gaps


def test_reader_sees_but_cannot_edit(org, reader_user, client_for) -> None:
    dpi = critical_system(org)
    trajectory = TrajectoryFactory(organization=org)
    client = client_for(reader_user)
    assert client.get(url(org, "backups:overview")).status_code == 200
    assert client.get(url(org, "backups:policy")).status_code == 200
    assert client.post(url(org, "backups:policy"), {"version": "v9"}).status_code == 403
    assert client.post(url(org, "backups:control", pk=dpi.pk), {"copies": "3"}).status_code == 403
    assert client.post(url(org, "backups:trajectory-delete", pk=trajectory.pk)).status_code == 403
    assert Trajectory.objects.filter(pk=trajectory.pk).exists()


def test_trajectory_and_milestones(org, contributor, client_for) -> None:
    client = client_for(contributor)
    assert client.post(url(org, "backups:trajectory-create"), {"kind": "321", "title": "Vers 3-2-1"}).status_code == 302
    trajectory = Trajectory.objects.get(organization=org)
    assert client.post(url(org, "backups:milestone-create", pk=trajectory.pk), {
        "title": "Bandes externalisées", "due_on": "2026-05-01", "owner": "DSI", "done_on": "2026-04-20"}).status_code == 302
    assert client.post(url(org, "backups:milestone-create", pk=trajectory.pk), {
        "title": "Dépôt immuable", "due_on": "2026-09-01"}).status_code == 302
    page = client.get(url(org, "backups:trajectories")).content.decode()
    assert "50 %" in page
    milestone = Milestone.objects.get(title="Dépôt immuable")
    assert client.post(url(org, "backups:milestone-update", pk=milestone.pk), {
        "title": "Dépôt immuable", "due_on": "2026-09-01", "done_on": "2026-08-01"}).status_code == 302
    assert "100 %" in client.get(url(org, "backups:trajectories")).content.decode()


def _populate(org, n):
    for _i in range(n):
        control = BackupControlFactory(resource=critical_system(org, name=f"Système {Resource.objects.count()}"))
        RestoreTestFactory(resource=control.resource)
        MilestoneFactory(trajectory=TrajectoryFactory(organization=org))


@pytest.mark.parametrize("name", ["backups:overview", "backups:tests", "backups:trajectories", "backups:policy"])
def test_query_counts_do_not_grow_with_data(org, contributor, client_for, django_assert_max_num_queries,
                                            name) -> None:
    from tests.cachehelpers import clear_own_cache_keys

    client = client_for(contributor)
    _populate(org, 2)
    clear_own_cache_keys()
    with django_assert_max_num_queries(40) as small:
        assert client.get(url(org, name)).status_code == 200
    _populate(org, 12)
    clear_own_cache_keys()
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(org, name)).status_code == 200


def test_export_rows(org, admin_user) -> None:
    dpi = critical_system(org)
    BackupControlFactory(resource=dpi, frequency_hours=24, copies=3, media_count=2, offsite_copy=True)
    RestoreTestFactory(resource=dpi, tested_on=datetime.date(2026, 3, 1))
    with scope(organization=org):
        systems = list(exports.system_rows(org))
        tests = list(exports.test_rows(org))
        context = exports.backups_context(org)
    assert systems[0][0] == "DPI" and systems[0][4] == "3-2-1" and systems[0][6] == 24
    assert tests[0][1] == "DPI" and tests[0][3] == 6.5
    assert len(context["results"]) == 7


def test_an_off_target_success_reads_reussi_hors_objectif_on_the_pages_and_the_exports(org, admin_user,
                                                                                       client_for) -> None:
    dpi = critical_system(org)
    RestoreTestFactory(resource=dpi, tested_on=datetime.date(2026, 3, 1), measured_hours=Decimal("30"),
                       required_rto_hours=Decimal("4"), data_loss_hours=Decimal("0.5"), required_pdma_hours=Decimal("1"))
    RestoreTestFactory(resource=dpi, tested_on=datetime.date(2026, 3, 2), measured_hours=Decimal("3"),
                       required_rto_hours=Decimal("4"), data_loss_hours=Decimal("0.5"), required_pdma_hours=Decimal("1"))
    with scope(organization=org), translation.override("fr"):
        rows = list(exports.test_rows(org))
    assert [r[7] for r in rows] == ["Réussi", "Réussi hors objectif"]
    client = client_for(admin_user)
    page = client.get(url(org, "backups:tests")).content.decode()
    assert page.count("Réussi hors objectif") == 1
    overview = client.get(url(org, "backups:overview")).content.decode()
    assert "(Réussi)" in overview  # the last test, on target


def test_history_of_a_restoration_test(org, contributor, client_for) -> None:
    dpi = critical_system(org)
    client = client_for(contributor)
    client.post(url(org, "backups:test-create"), {
        "resource": dpi.pk, "tested_on": "2026-03-02", "scope": "vm", "measured_hours": "2",
        "result": "success", "referent_name": "Dr Martin"})
    test = RestoreTest.objects.get(resource=dpi)
    client.post(url(org, "backups:test-update", pk=test.pk), {
        "resource": dpi.pk, "tested_on": "2026-03-02", "scope": "vm", "measured_hours": "3",
        "result": "success", "referent_name": "Dr Martin"})
    test.refresh_from_db()
    assert test.measured_hours == 3
    page = client.get(reverse("tenants:history", kwargs={"org_slug": org.slug, "model": "backups.restoretest",
                                                          "pk": test.pk}))
    assert page.status_code == 200
