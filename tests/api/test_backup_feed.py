"""The backup job feed (D2.O3.D supervision as data): jobs posted through the API, the last success per system,
systems without a successful job within their PDMA, alerts after N failures in a row, actions after a delay."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.actions.models import Action
from apps.backups import feed
from apps.backups.checks import supervision_check
from apps.backups.models import BackupAlert, BackupJob, BackupPolicy
from apps.bia.models import Resource
from apps.core.tenancy import tenant_scope
from tests.api.factories import bearer, make_token
from tests.bia.factories import ActivityDependencyFactory, ActivityFactory, ResourceFactory

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "post_backup_jobs.py"


def critical_system(org, name="DPI", pdma=4):
    from apps.tenants.models import Establishment

    establishment = Establishment.objects.filter(organization=org).first()
    activity = ActivityFactory(organization=org, establishment=establishment, name=f"Urgences {name}",
                               dmia_override_hours=4, dmia_override_justification="Urgences vitales",
                               pdma_hours=pdma, care_perimeter="urgences")
    resource = ResourceFactory(organization=org, name=name, kind=Resource.Kind.APPLICATION)
    ActivityDependencyFactory(organization=org, activity=activity, resource=resource)
    return resource


def post_job(client, org, plain, **payload):
    return client.post(reverse("api:backup-jobs", kwargs={"organization_slug": org.slug}), data=payload,
                       content_type="application/json", **bearer(plain))


@pytest.mark.django_db
def test_failures_in_a_row_open_an_alert_a_success_resolves_it(org, client) -> None:
    dpi = critical_system(org)
    _token, plain = make_token(org, ["backups.change"])
    now = timezone.now()
    for hours in (3, 2):
        body = post_job(client, org, plain, system="dpi", finished_at=(now - datetime.timedelta(hours=hours))
                        .isoformat(), success=False, target="Bandothèque B").json()
        assert body["alert"] is None
    third = post_job(client, org, plain, resource=dpi.pk, finished_at=(now - datetime.timedelta(hours=1)).isoformat(),
                     success=False, size_bytes=10_000)
    assert third.status_code == 201, third.content
    assert third.json()["consecutive_failures"] == 3
    alert = BackupAlert.objects.get(resource=dpi, resolved_at__isnull=True)
    assert third.json()["alert"] == alert.pk and alert.failures == 3
    ok = post_job(client, org, plain, system="DPI", finished_at=now.isoformat(), success=True, size_bytes=2**40)
    assert ok.json() == {**ok.json(), "consecutive_failures": 0, "alert": None}
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert BackupJob.objects.filter(resource=dpi).count() == 4


@pytest.mark.django_db
def test_threshold_is_a_setting_of_the_organization(org, client) -> None:
    dpi = critical_system(org)
    BackupPolicy.objects.create(organization=org, alert_after_failures=1, alert_action_after_hours=2)
    _token, plain = make_token(org, ["backups.change"])
    body = post_job(client, org, plain, resource=dpi.pk, finished_at=timezone.now().isoformat(), success=False).json()
    assert body["alert"] is not None


@pytest.mark.django_db
def test_unresolved_alert_becomes_an_action_after_the_delay(org) -> None:
    dpi = critical_system(org)
    now = timezone.now()
    with tenant_scope(org):
        for hours in (30, 29, 28):
            feed.job_record(organization=org, resource=dpi, finished_at=now - datetime.timedelta(hours=hours),
                            success=False, now=now - datetime.timedelta(hours=hours))
        alert = BackupAlert.objects.get(resource=dpi)
        assert feed.alerts_escalate(organization=org, now=now - datetime.timedelta(hours=20)) == []
        escalated = feed.alerts_escalate(organization=org, now=now)
        assert escalated == [alert]
        action = Action.objects.get(organization=org, source_kind="backup_alert", source_id=alert.pk)
        assert "DPI" in action.title and action.requirement_ids == ["D2.O3.D"]
        assert feed.alerts_escalate(organization=org, now=now) == []  # once
        assert Action.objects.filter(source_kind="backup_alert").count() == 1


@pytest.mark.django_db
def test_refused_jobs_say_why(org, other_org, client) -> None:
    _token, plain = make_token(org, ["backups.change"])
    foreign = ResourceFactory(organization=other_org, name="DPI voisin")
    supplier = ResourceFactory(organization=org, name="Prestataire", kind=Resource.Kind.SUPPLIER)
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    dpi = critical_system(org)
    assert post_job(client, org, plain, resource=foreign.pk, finished_at=future, success=True).status_code == 400
    assert post_job(client, org, plain, resource=supplier.pk, finished_at=timezone.now().isoformat(),
                    success=True).status_code == 400
    refused = post_job(client, org, plain, resource=dpi.pk, finished_at=future, success=True)
    assert refused.status_code == 400 and "finished_at" in refused.json()
    assert post_job(client, org, plain, system="DPI", finished_at="hier", success=True).status_code == 400
    assert post_job(client, org, plain, system="DPI", finished_at=timezone.now().isoformat()).status_code == 400
    assert not BackupJob.objects.exists()


@pytest.mark.django_db
def test_supervision_page_and_d2o3d_evidence_list_the_figures(org, admin_user, client_for) -> None:
    dpi = critical_system(org, "DPI", pdma=4)
    pacs = critical_system(org, "PACS", pdma=24)
    now = timezone.now()
    with tenant_scope(org):
        feed.job_record(organization=org, resource=dpi, finished_at=now - datetime.timedelta(hours=1), success=True)
        feed.job_record(organization=org, resource=pacs, finished_at=now - datetime.timedelta(hours=30),
                        success=True)
        for _ in range(3):
            feed.job_record(organization=org, resource=pacs, finished_at=now - datetime.timedelta(hours=2),
                            success=False)
        result = supervision_check(org)
    evidence = [str(e) for e in result.evidence]
    assert "2 systèmes critiques sur 2 transmettent leurs sauvegardes à Resilis" in evidence
    assert "1 système critique avec une sauvegarde réussie dans sa PDMA, 1 sans" in evidence
    assert "Aucune sauvegarde réussie dans la PDMA : PACS" in evidence
    assert "1 alerte de sauvegarde ouverte" in evidence
    page = client_for(admin_user).get(reverse("backups:supervision", kwargs={"org_slug": org.slug}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "aucune dans la PDMA" in text and "3 échecs consécutifs" in text


@pytest.mark.django_db(transaction=True)
def test_done_when_token_limited_to_backups_script_posts_then_revoked_gets_401(live_server, tmp_path,
                                                                              member_factory, client_for) -> None:
    """Issue 19: an administrator creates a token limited to backups, the script posts 3 job results and a
    failure opens an alert; the token is revoked and the next call gets 401."""
    from tests.factories import EstablishmentFactory, OrganizationFactory

    org = OrganizationFactory(name="CH de Valmont", slug="ch-valmont")
    EstablishmentFactory(organization=org, name="CH de Valmont")
    BackupPolicy.objects.create(organization=org, alert_after_failures=2)
    critical_system(org, "DPI")
    critical_system(org, "PACS")
    admin = client_for(member_factory(org))
    created = admin.post(reverse("apitokens:token-create", kwargs={"org_slug": org.slug}), {
        "name": "Veeam", "capabilities": ["backups.view", "backups.change"],
        "expires_on": (timezone.localdate() + datetime.timedelta(days=90)).isoformat()})
    plain = created.context["plain"]
    now = timezone.now()
    log = tmp_path / "jobs.csv"
    log.write_text("system;finished_at;status;size_bytes;target\n"
                   f"PACS;{(now - datetime.timedelta(hours=3)).isoformat()};success;5000000;NAS site B\n"
                   f"DPI;{(now - datetime.timedelta(hours=2)).isoformat()};échec;;Bandothèque\n"
                   f"DPI;{(now - datetime.timedelta(hours=1)).isoformat()};failure;;Bandothèque\n", encoding="utf-8")
    env = {"RESILIS_TOKEN": plain, "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, str(SCRIPT), str(log), "--url", live_server.url, "--organization",
                          org.slug], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("recorded") == 3
    assert "alert #" in run.stdout.splitlines()[-1]
    assert BackupJob.objects.filter(organization=org).count() == 3
    assert BackupAlert.objects.filter(organization=org, resource__name="DPI", resolved_at__isnull=True).exists()
    # A token limited to backups reads nothing else.
    assert client_for_token_get(live_server.url, org.slug, plain, "activities") == 403
    from apps.api.models import ApiToken

    token = ApiToken.objects.get(organization=org)
    admin.post(reverse("apitokens:token-revoke", kwargs={"org_slug": org.slug, "pk": token.pk}))
    again = subprocess.run([sys.executable, str(SCRIPT), str(log), "--url", live_server.url, "--organization",
                            org.slug], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert again.returncode == 2 and "token refused (401)" in again.stdout
    assert BackupJob.objects.filter(organization=org).count() == 3


def client_for_token_get(base: str, slug: str, plain: str, endpoint: str) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{base}/api/v1/o/{slug}/{endpoint}/", headers={  # noqa: S310
        "Authorization": f"Bearer {plain}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the test's live server
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
