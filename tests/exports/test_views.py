"""Exports pages: request, polling fragment, retry, download (audited, 404 across organizations, 403 by role)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.exports.models import ExportJob
from apps.tenants.roles import Role
from tests.exports.factories import ExportJobFactory, done_job_with_file


def url(name: str, org, **kwargs) -> str:
    return reverse(f"exports:{name}", kwargs={"org_slug": org.slug, **kwargs})


@pytest.mark.django_db
def test_page_shows_the_buttons_and_past_exports(org, admin_user, client_for, media_root) -> None:
    done_job_with_file(org, requested_by=admin_user)
    ExportJobFactory(organization=org, status=ExportJob.Status.FAILED, error="L'export a été interrompu plusieurs fois.")
    response = client_for(admin_user).get(url("list", org))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Dossier CaRE D2 (PDF)" in body and "Classeur CaRE D2 (XLSX)" in body
    assert "L&#x27;export a été interrompu plusieurs fois." in body
    assert "Relancer" in body and "Télécharger" in body


@pytest.mark.django_db
def test_direction_can_run_reader_cannot_see(org, member_factory, client_for) -> None:
    assert client_for(member_factory(org, Role.DIRECTION)).get(url("list", org)).status_code == 200
    assert client_for(member_factory(org, Role.READER)).get(url("list", org)).status_code == 403


@pytest.mark.django_db
def test_request_creates_a_job_audited_and_shown_at_once(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    response = client.post(url("request", org), {"kind": "dossier_pdf"})
    assert response.status_code == 302
    job = ExportJob.objects.get(organization=org)
    assert job.status == ExportJob.Status.PENDING and job.requested_by == admin_user and job.dossier_version == 1
    assert job.parameters == {}
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT_REQUESTED)
    assert event.organization == org and event.actor == admin_user
    page = client.get(response["Location"]).content.decode()
    assert f'id="job-{job.pk}"' in page and 'hx-trigger="every 1s"' in page and "<progress" in page
    client.post(url("request", org), {"kind": "dossier_pdf"})
    assert sorted(ExportJob.objects.filter(organization=org).values_list("dossier_version", flat=True)) == [1, 2]


@pytest.mark.django_db
def test_request_ignores_test_parameters_and_bad_kinds(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    assert client.post(url("request", org), {"kind": "zip"}).status_code == 400
    client.post(url("request", org), {"kind": "workbook_xlsx", "slow_seconds": "30", "parameters": '{"slow_seconds": 30}'})
    assert ExportJob.objects.get(organization=org).parameters == {}


@pytest.mark.django_db
def test_status_fragment_polls_until_finished(org, admin_user, client_for) -> None:
    job = ExportJobFactory(organization=org, status=ExportJob.Status.RUNNING, progress=40, progress_label="Mise en page")
    client = client_for(admin_user)
    fragment = client.get(url("status", org, pk=job.pk)).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'value="40"' in fragment and "Mise en page" in fragment
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error="Motif clair")
    fragment = client.get(url("status", org, pk=job.pk)).content.decode()
    assert "hx-trigger" not in fragment and "Motif clair" in fragment


@pytest.mark.django_db
def test_retry_restarts_a_failed_job_only(org, admin_user, client_for) -> None:
    failed = ExportJobFactory(organization=org, status=ExportJob.Status.FAILED, attempts=3, error="Motif")
    client = client_for(admin_user)
    assert client.post(url("retry", org, pk=failed.pk)).status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (ExportJob.Status.PENDING, 0, "")
    running = ExportJobFactory(organization=org, status=ExportJob.Status.RUNNING)
    client.post(url("retry", org, pk=running.pk))
    running.refresh_from_db()
    assert running.status == ExportJob.Status.RUNNING


@pytest.mark.django_db
def test_download_is_audited_with_a_clean_filename(org, admin_user, client_for, media_root) -> None:
    org.name = "GHT Rives de Loire / « Test »"
    org.save()
    job = done_job_with_file(org, content=b"%PDF-1.7 contenu")
    response = client_for(admin_user).get(url("download", org, pk=job.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 contenu"
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="dossier-care-d2-ght-rives-de-loire-test-v')
    assert disposition.endswith('.pdf"')
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert event.actor == admin_user and event.organization == org and event.details["job"] == str(job.pk)


@pytest.mark.django_db
def test_download_refuses_outsiders_other_orgs_and_roles(org, other_org, admin_user, outsider_user, member_factory,
                                                         client_for, media_root) -> None:
    job = done_job_with_file(org)
    foreign = done_job_with_file(other_org)
    assert client_for(outsider_user).get(url("download", org, pk=job.pk)).status_code == 404
    assert client_for(admin_user).get(url("download", org, pk=foreign.pk)).status_code == 404
    assert client_for(member_factory(org, Role.READER)).get(url("download", org, pk=job.pk)).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


@pytest.mark.django_db
def test_expired_or_unfinished_jobs_are_not_downloadable(org, admin_user, client_for, media_root) -> None:
    from django.utils import timezone

    expired = done_job_with_file(org)
    ExportJob.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    running = ExportJobFactory(organization=org, status=ExportJob.Status.RUNNING)
    client = client_for(admin_user)
    assert client.get(url("download", org, pk=expired.pk)).status_code == 404
    assert client.get(url("download", org, pk=running.pk)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_page_queries_do_not_grow_with_history(org, admin_user, client_for, django_assert_max_num_queries,
                                               count) -> None:
    for _ in range(count):
        ExportJobFactory(organization=org, status=ExportJob.Status.DONE, requested_by=admin_user)
    ExportJobFactory(organization=org, status=ExportJob.Status.RUNNING, requested_by=admin_user)
    client = client_for(admin_user)
    with django_assert_max_num_queries(14):
        assert client.get(url("list", org)).status_code == 200


@pytest.mark.django_db
def test_journey_shows_the_dossier_stage(org, admin_user, client_for) -> None:
    body = client_for(admin_user).get(reverse("tenants:home", kwargs={"org_slug": org.slug})).content.decode()
    assert "Dossier CaRE" in body and url("list", org) in body
