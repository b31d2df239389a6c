"""Writes through the API go through the pages' forms and the apps' services: same validation, same rules."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.actions.models import Action
from apps.backups.models import BackupControl, RestoreTest
from apps.bia.models import ActivityDependency, Resource, ResourceDependency
from tests.api.factories import bearer, make_token
from tests.bia.factories import ActivityFactory, ResourceFactory
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def api(org, name, **kwargs):
    return reverse(f"api:{name}", kwargs={"organization_slug": org.slug, **kwargs})


def send(client, method, url, plain, data, **extra):
    return getattr(client, method)(url, data=data, content_type="application/json", **bearer(plain), **extra)


def test_resource_create_and_partial_update(org, client) -> None:
    _token, plain = make_token(org, ["bia.view", "bia.change"])
    created = send(client, "post", api(org, "resources"), plain, {"kind": "application", "name": "DPI",
                                                                  "rto_capability_hours": 8})
    assert created.status_code == 201, created.content
    resource = Resource.objects.get(organization=org, name="DPI")
    assert created.json()["id"] == resource.pk and resource.rto_capability_hours == 8
    changed = send(client, "patch", api(org, "resource", pk=resource.pk), plain, {"vendor": "Softway"})
    assert changed.status_code == 200, changed.content
    resource.refresh_from_db()
    assert resource.vendor == "Softway" and resource.rto_capability_hours == 8  # the rest kept
    # The page's unique rule, in the page's words.
    duplicate = send(client, "post", api(org, "resources"), plain, {"kind": "application", "name": "DPI"})
    assert duplicate.status_code == 400
    assert Resource.objects.filter(organization=org, name="DPI").count() == 1


def test_resource_refuses_an_establishment_of_another_organization_or_outside_the_limit(org, other_org,
                                                                                       client) -> None:
    home = EstablishmentFactory(organization=org, name="CH A")
    other = EstablishmentFactory(organization=org, name="CH B")
    foreign = EstablishmentFactory(organization=other_org, name="Ailleurs")
    _token, plain = make_token(org, ["bia.change"], establishments=[home])
    for establishment in (foreign, other):
        refused = send(client, "post", api(org, "resources"), plain, {"kind": "application", "name": "X",
                                                                      "establishment": establishment.pk})
        assert refused.status_code in (400, 403), refused.content
    ok = send(client, "post", api(org, "resources"), plain, {"kind": "application", "name": "X",
                                                             "establishment": home.pk})
    assert ok.status_code == 201
    assert not Resource.objects.filter(establishment__in=[other, foreign]).exists()


def test_dependencies_are_linked_through_the_services(org, client) -> None:
    _token, plain = make_token(org, ["bia.change"])
    activity = ActivityFactory(organization=org, establishment=EstablishmentFactory(organization=org))
    dpi = ResourceFactory(organization=org, name="DPI")
    ad = ResourceFactory(organization=org, name="AD", kind=Resource.Kind.INFRASTRUCTURE)
    link = send(client, "post", api(org, "activity-dependencies"), plain,
                {"activity": activity.pk, "resource": dpi.pk, "workaround_exists": True, "workaround_hours": 12})
    assert link.status_code == 201, link.content
    assert ActivityDependency.objects.get(activity=activity, resource=dpi).workaround_hours == 12
    bad = send(client, "post", api(org, "activity-dependencies"), plain,
               {"activity": activity.pk, "resource": dpi.pk, "workaround_hours": 12})
    assert bad.status_code == 400 and "workaround_hours" in bad.json()
    chain = send(client, "post", api(org, "resource-dependencies"), plain, {"resource": dpi.pk, "depends_on": ad.pk})
    assert chain.status_code == 201
    itself = send(client, "post", api(org, "resource-dependencies"), plain, {"resource": dpi.pk, "depends_on": dpi.pk})
    assert itself.status_code == 400
    assert ResourceDependency.objects.filter(resource=dpi).count() == 1


def test_backup_control_and_restore_test(org, client) -> None:
    _token, plain = make_token(org, ["backups.view", "backups.change"])
    dpi = ResourceFactory(organization=org, name="DPI")
    saved = send(client, "post", api(org, "backup-controls"), plain, {"resource": dpi.pk, "copies": 3,
                                                                      "media_count": 2, "offsite_copy": True})
    assert saved.status_code == 200, saved.content
    again = send(client, "post", api(org, "backup-controls"), plain, {"resource": dpi.pk, "product": "Veeam"})
    assert again.status_code == 200
    control = BackupControl.objects.get(resource=dpi)
    assert (control.copies, control.product, control.offsite_copy) == (3, "Veeam", True)
    both = send(client, "post", api(org, "backup-controls"), plain,
                {"resource": dpi.pk, "mfa_on_consoles": True, "mfa_unsupported": True})
    assert both.status_code == 400 and "mfa_unsupported" in both.json()
    test = send(client, "post", api(org, "restore-tests"), plain, {
        "resource": dpi.pk, "tested_on": timezone.localdate().isoformat(), "scope": "production",
        "measured_hours": "6.5", "result": "success", "referent_name": "Dr Martin"})
    assert test.status_code == 201, test.content
    assert RestoreTest.objects.get(resource=dpi).measured_hours == pytest.approx(6.5)
    future = send(client, "post", api(org, "restore-tests"), plain, {
        "resource": dpi.pk, "tested_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        "scope": "production", "measured_hours": "6", "result": "success", "referent_name": "Dr Martin"})
    assert future.status_code == 400 and "tested_on" in future.json()


def test_actions_create_and_update(org, client) -> None:
    _token, plain = make_token(org, ["actions.view", "actions.change"])
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    created = send(client, "post", api(org, "actions"), plain, {"title": "Tester la restauration du DPI",
                                                                "due_date": due, "priority": "high",
                                                                "requirement_ids": ["D2.O4"]})
    assert created.status_code == 201, created.content
    action = Action.objects.get(organization=org)
    assert created.json()["reference"] == "PA-001" and action.requirement_ids == ["D2.O4"]
    updated = send(client, "patch", api(org, "action", pk=action.pk), plain, {"priority": "critical"})
    assert updated.status_code == 200, updated.content
    action.refresh_from_db()
    assert action.priority == "critical" and action.title == "Tester la restauration du DPI"
    no_due = send(client, "post", api(org, "actions"), plain, {"title": "Sans échéance"})
    assert no_due.status_code == 400 and "due_date" in no_due.json()


def test_nul_and_nested_objects_are_refused(org, client) -> None:
    _token, plain = make_token(org, ["bia.change"])
    assert send(client, "post", api(org, "resources"), plain, {"kind": "application", "name": "A\x00B"}
                ).status_code == 400
    assert send(client, "post", api(org, "resources"), plain, {"kind": {"x": 1}, "name": "A"}).status_code == 400
    assert send(client, "post", api(org, "resources"), plain, ["kind"]).status_code == 400
    assert not Resource.objects.exists()


def test_gaps_endpoint_gives_the_engine_output(org, client) -> None:
    establishment = EstablishmentFactory(organization=org)
    activity = ActivityFactory(organization=org, establishment=establishment, name="Urgences",
                               dmia_override_hours=4, dmia_override_justification="Urgences vitales", pdma_hours=1)
    dpi = ResourceFactory(organization=org, name="DPI", rto_capability_hours=24, rpo_capability_hours=24)
    from tests.bia.factories import ActivityDependencyFactory

    ActivityDependencyFactory(organization=org, activity=activity, resource=dpi)
    _token, plain = make_token(org, ["bia.view"])
    gaps = client.get(api(org, "gaps"), **bearer(plain)).json()
    rto = next(g for g in gaps if g["kind"] == "rto" and g["node_name"] == "DPI")
    assert (rto["required_hours"], rto["capable_hours"], rto["ratio"]) == (4, 24, 6)
    assert rto["source_activity"] == activity.pk and "Urgences" in rto["sentence"]
    only_rpo = client.get(api(org, "gaps") + "?kind=rpo", **bearer(plain)).json()
    assert only_rpo and {g["kind"] for g in only_rpo} == {"rpo"}
    assert client.get(api(org, "gaps") + "?kind=xyz", **bearer(plain)).status_code == 400
