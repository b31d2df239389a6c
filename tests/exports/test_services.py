"""Export job life cycle without a worker process: claim, run, reclaim, purge, retry (real DB and Redis)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django_scopes import scope

from apps.exports import registry, services
from apps.exports.models import STALE_AFTER, ExportJob
from apps.exports.registry import PdfSection
from tests.exports.factories import ExportJobFactory, done_job_with_file


def run(org, job) -> bool:
    with scope(organization=org), translation.override("fr"):
        return services.export_run(organization=org, job_id=str(job.pk))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [ExportJob.Kind.DOSSIER_PDF, ExportJob.Kind.WORKBOOK_XLSX])
def test_run_writes_the_file_under_the_job_name_with_its_checksum(org, media_root, kind) -> None:
    job = ExportJobFactory(organization=org, kind=kind)
    assert run(org, job) is True
    job.refresh_from_db()
    path = media_root / "exports" / str(org.pk) / f"{job.pk}.{job.extension}"
    assert job.status == ExportJob.Status.DONE and job.progress == 100 and job.attempts == 1
    assert job.file_path == f"exports/{org.pk}/{job.pk}.{job.extension}"
    assert job.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and job.size == path.stat().st_size
    assert job.expires_at > timezone.now() + timedelta(days=6)
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert not list(services._scratch_dir().glob(f"{services.SCRATCH_PREFIX}{job.pk}-*"))  # no scratch file left

    # The same message again: nothing re-rendered, nothing changed.
    mtime = path.stat().st_mtime_ns
    assert run(org, job) is False
    job.refresh_from_db()
    assert job.attempts == 1 and path.stat().st_mtime_ns == mtime


@pytest.mark.django_db
def test_claim_is_conditional(org) -> None:
    job = ExportJobFactory(organization=org)
    assert services.export_claim(job_id=str(job.pk)) is True
    assert services.export_claim(job_id=str(job.pk)) is False  # running, with a fresh heartbeat
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert services.export_claim(job_id=str(job.pk)) is True  # its worker went silent
    job.refresh_from_db()
    assert job.attempts == 2


@pytest.mark.django_db
def test_pending_job_over_the_cap_is_failed_not_run(org) -> None:
    job = ExportJobFactory(organization=org, attempts=services.MAX_ATTEMPTS)
    with translation.override("fr"):
        assert services.export_claim(job_id=str(job.pk)) is False
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "abandonné" in job.error


@pytest.mark.django_db
def test_reclaim_requeues_silent_jobs_and_fails_them_after_the_cap(org, private_queue) -> None:
    old = timezone.now() - timedelta(minutes=30)
    silent = ExportJobFactory(organization=org, status=ExportJob.Status.RUNNING, attempts=1, heartbeat_at=old)
    exhausted = ExportJobFactory(organization=org, status=ExportJob.Status.RUNNING, attempts=services.MAX_ATTEMPTS,
                                 heartbeat_at=old, language="fr")
    alive = ExportJobFactory(organization=org, status=ExportJob.Status.RUNNING, attempts=1, heartbeat_at=timezone.now())
    result = services.export_reclaim_stale(queue=private_queue)
    assert result == {"requeued": 1, "failed": 1}
    states = {j.pk: j for j in ExportJob.objects.filter(organization=org)}
    assert states[silent.pk].status == ExportJob.Status.PENDING
    assert states[exhausted.pk].status == ExportJob.Status.FAILED
    assert states[exhausted.pk].error.startswith("L'export a été interrompu plusieurs fois")
    assert states[alive.pk].status == ExportJob.Status.RUNNING


@pytest.mark.django_db
def test_purge_deletes_expired_files_only(org, media_root) -> None:
    expired = done_job_with_file(org)
    kept = done_job_with_file(org)
    ExportJob.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert services.export_purge_expired() == 1
    assert not (media_root / expired.file_path).exists()
    assert (media_root / kept.file_path).exists()
    expired.refresh_from_db()
    assert expired.purged_at is not None and not expired.is_downloadable


@pytest.mark.django_db
def test_a_failing_section_fails_the_job_with_its_name(org, media_root, monkeypatch) -> None:
    def broken(organization):
        raise ValueError("bug")

    monkeypatch.setattr(registry, "_PDF", {})
    registry.register_pdf_section(PdfSection(key="bia", order=300, title="Synthèse BIA",
                                             template="exports/sections/candidate.html", context=broken))
    job = ExportJobFactory(organization=org, language="fr")
    assert run(org, job) is False
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.error.startswith("La partie « Synthèse BIA » de l'export n'a pas pu être produite.")
    assert not (media_root / "exports").exists()  # nothing stored
    assert not list(services._scratch_dir().glob(f"{services.SCRATCH_PREFIX}{job.pk}-*"))  # no scratch file left


@pytest.mark.django_db
def test_slow_parameter_only_exists_in_tests(org, settings) -> None:
    job = ExportJobFactory(organization=org, parameters={"slow_seconds": 5})
    assert services._slow_seconds(job) == 5
    settings.RESILIS_ENV = "production"
    assert services._slow_seconds(job) == 0


@pytest.mark.django_db
def test_retry_is_audited_and_keeps_the_version(org, admin_user) -> None:
    from apps.core.models import AuditEvent

    job = ExportJobFactory(organization=org, status=ExportJob.Status.FAILED, dossier_version=7, attempts=3)
    services.export_retry(organization=org, actor=admin_user, job=job)
    job.refresh_from_db()
    assert (job.status, job.dossier_version, job.attempts) == (ExportJob.Status.PENDING, 7, 0)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_REQUESTED, details__retry=True).count() == 1


@pytest.mark.django_db
def test_a_running_job_reads_interrupted_once_its_heartbeat_is_stale(org) -> None:
    now = timezone.now()
    fresh = ExportJobFactory(organization=org, status=ExportJob.Status.RUNNING, attempts=1, heartbeat_at=now)
    silent = ExportJobFactory(organization=org, status=ExportJob.Status.RUNNING, attempts=1,
                              heartbeat_at=now - STALE_AFTER - timedelta(seconds=1))
    done = ExportJobFactory(organization=org, status=ExportJob.Status.DONE, heartbeat_at=now - timedelta(days=1))
    assert [j.is_interrupted for j in (fresh, silent, done)] == [False, True, False]
    with translation.override("fr"):
        assert [j.status_label for j in (fresh, silent, done)] == ["En cours", "Interrompu", "Prêt"]


@pytest.mark.django_db
def test_a_pending_job_waiting_in_the_queue_is_not_sent_again_at_each_reclaim(org, private_queue) -> None:
    waiting = ExportJobFactory(organization=org, status=ExportJob.Status.PENDING)
    ExportJob.objects.filter(pk=waiting.pk).update(updated_at=timezone.now() - STALE_AFTER * 2)
    assert services.export_reclaim_stale(queue=private_queue) == {"requeued": 0, "failed": 0}
    ExportJob.objects.filter(pk=waiting.pk).update(
        updated_at=timezone.now() - services.PENDING_FORGOTTEN_AFTER - timedelta(seconds=1))
    assert services.export_reclaim_stale(queue=private_queue) == {"requeued": 1, "failed": 0}
