"""Writes of the exports app: request, claim, run, retry, reclaim and purge export jobs.

The life of a job: ``export_request`` creates it (pending) and enqueues the Celery task once the
transaction commits; the worker calls ``export_run``, which *claims* the job with a conditional
UPDATE (pending → running, attempts + 1) so that a message delivered twice renders once; the file is
rendered into a scratch file of the worker's host, then stored (``apps.core.files``: the local folder or
the S3 bucket every host shares) under the name derived from the job id, ``exports/<organization>/<job>.<ext>``,
and the checksum and size are recorded. While it renders, the worker refreshes ``heartbeat_at`` (every progress step and a
background thread, ``HEARTBEAT_SECONDS``); a running job silent for ``STALE_AFTER`` is shown
interrupted, and ``export_reclaim_stale`` (beat housekeeping, and every worker as it starts) re-queues
it, or fails it once the attempt cap is reached, so no job stays "running" forever.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from apps.core import files, tenancy
from apps.core.models import AuditEvent
from apps.core.services import audit_log
from apps.core.tasks import enqueue_on_commit
from apps.exports.models import (
    DEFAULT_DOSSIER_LANGUAGE,
    DOSSIER_LANGUAGES,
    HEARTBEAT_SECONDS,
    RETENTION,
    STALE_AFTER,
    ExportJob,
)
from apps.tenants.models import Organization

if TYPE_CHECKING:
    from django.http import HttpRequest

    from apps.accounts.models import User

logger = logging.getLogger(__name__)

# A job is abandoned after this many starts (each worker loss or reclaim counts one).
MAX_ATTEMPTS = 3
# A pending job whose message may have been lost is sent again after this long.
PENDING_FORGOTTEN_AFTER = timedelta(minutes=5)

REASON_ATTEMPTS = gettext_lazy(
    "The export was interrupted several times (the server that renders it stopped) and has been "
    "abandoned. Please start it again; if it fails again, contact support."
)
REASON_TIMEOUT = gettext_lazy(
    "The export took longer than the maximum allowed time and was stopped. Please start it again; "
    "if it fails again, contact support."
)
REASON_TRANSIENT = gettext_lazy(
    "The export could not be completed because the database or the task queue was temporarily "
    "unavailable. Please start it again in a few minutes."
)
REASON_SECTION = gettext_lazy(
    "The part “%(title)s” of the export could not be produced. The team has been notified; please try "
    "again later."
)
REASON_UNEXPECTED = gettext_lazy(
    "An unexpected error stopped the export. The team has been notified; please try again later."
)


class SectionError(Exception):
    """A contributed section or sheet failed; the job fails with its title in the reason."""

    def __init__(self, title: str) -> None:
        super().__init__(title)
        self.title = title


ProgressCallback = Callable[[int, str], None]


# --- Request, retry ---------------------------------------------------------------------------------

def _next_dossier_version(*, organization: Organization, kind: str) -> int:
    # The organization row is locked by the caller: two requests at once get two versions.
    # Every job of the organization counts, whatever the requester's establishment limit lets them see.
    current = (ExportJob._base_manager.filter(organization=organization, kind=kind)
               .aggregate(v=Max("dossier_version"))["v"])
    return (current or 0) + 1


def export_enqueue(*, job: ExportJob, queue: str | None = None) -> None:
    """Send the task after commit, in the job's language and its requester's establishment limit;
    ``queue`` overrides the ``exports`` route (tests use a private queue)."""
    from apps.exports.tasks import export_run_task

    enqueue_on_commit(export_run_task, job.organization, str(job.pk), language=job.language,
                      user=job.requested_by_id, establishments=job.establishment_ids, queue=queue)


def export_job_create(
    *, organization: Organization, actor: User | None, kind: str, parameters: dict[str, Any] | None = None,
    queue: str | None = None, language: str | None = None,
) -> ExportJob:
    """Create a pending job and enqueue it after commit. ``parameters`` are internal (tests, benchmark).

    ``language``: the document's language (the exports page's choice); without it, the active language when it is
    one of ``DOSSIER_LANGUAGES``, else French."""
    if kind not in ExportJob.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of export.")})
    allowed = [code for code, _label in DOSSIER_LANGUAGES]
    if language is None:
        active = (translation.get_language() or "")[:2]
        language = active if active in allowed else DEFAULT_DOSSIER_LANGUAGE
    if language not in allowed:
        raise ValidationError({"language": _("Unknown language.")})
    limit = tenancy.allowed_establishments()  # a limited member's export holds their establishments only
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        job = ExportJob(
            organization=organization,
            kind=kind,
            parameters=parameters or {},
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            language=language,
            dossier_version=_next_dossier_version(organization=organization, kind=kind),
            establishment_ids=None if limit is None else sorted(limit),
        )
        job.full_clean()
        job.save()
        export_enqueue(job=job, queue=queue)
    return job


def export_request(*, organization: Organization, actor: User | None, kind: str,
                   request: HttpRequest | None = None, language: str | None = None) -> ExportJob:
    """A member asks for the dossier (PDF) or the workbook (XLSX); the request is audited.

    The UI cannot pass parameters: the test-only ones (``slow_seconds``) never come from a form.
    """
    with transaction.atomic():
        job = export_job_create(organization=organization, actor=actor, kind=kind, language=language)
        audit_log(action=AuditEvent.Action.EXPORT_REQUESTED, actor=actor, organization=organization,
                  target=str(job), details={"job": str(job.pk), "kind": kind, "language": job.language},
                  request=request)
    return job


def export_retry(*, organization: Organization, actor: User | None, job: ExportJob,
                 request: HttpRequest | None = None) -> ExportJob:
    """Start a failed job again (same job, same dossier version, attempts reset)."""
    with transaction.atomic():
        updated = ExportJob.objects.filter(organization=organization, pk=job.pk, status=ExportJob.Status.FAILED).update(
            status=ExportJob.Status.PENDING, attempts=0, progress=0, progress_label="", error="",
            started_at=None, finished_at=None, heartbeat_at=None, updated_at=timezone.now(),
        )
        if not updated:
            raise ValidationError(_("Only a failed export can be started again."))
        audit_log(action=AuditEvent.Action.EXPORT_REQUESTED, actor=actor, organization=organization,
                  target=str(job), details={"job": str(job.pk), "kind": job.kind, "retry": True}, request=request)
        export_enqueue(job=job)
    job.refresh_from_db()
    return job


# --- Worker side -----------------------------------------------------------------------------------

def export_claim(*, job_id: str, stale_after: timedelta = STALE_AFTER) -> bool:
    """Take the job for this worker: pending (or running but silent), under the attempt cap. Safe to run twice."""
    now = timezone.now()
    claimable = Q(status=ExportJob.Status.PENDING) | Q(
        status=ExportJob.Status.RUNNING, heartbeat_at__lt=now - stale_after
    )
    claimed = ExportJob.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
        status=ExportJob.Status.RUNNING, attempts=F("attempts") + 1, started_at=now, heartbeat_at=now,
        progress=0, progress_label=str(_("Starting")), error="", updated_at=now,
    )
    if claimed:
        return True
    # A pending job that already used all its attempts will never be claimed: fail it now.
    _fail(job_id=job_id, reason=str(REASON_ATTEMPTS), only_if=Q(status=ExportJob.Status.PENDING,
                                                                   attempts__gte=MAX_ATTEMPTS))
    return False


def _fail(*, job_id: str, reason: str, only_if: Q | None = None) -> int:
    condition = only_if if only_if is not None else Q(status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING])
    now = timezone.now()
    return ExportJob.objects.filter(condition, pk=job_id).update(
        status=ExportJob.Status.FAILED, error=reason, finished_at=now, heartbeat_at=now, updated_at=now
    )


def export_fail(*, job_id: str, reason: str) -> int:
    """Record a failure with a user-facing reason unless the job already finished."""
    with scopes_disabled():  # called from Celery's failure hook, outside any tenant context
        return _fail(job_id=job_id, reason=reason)


class _Heartbeat(threading.Thread):
    """Refreshes ``heartbeat_at`` while the worker renders; dies with the worker process."""

    def __init__(self, job_id: str, attempt: int, interval: float) -> None:
        super().__init__(daemon=True, name=f"export-heartbeat-{job_id}")
        self.job_id = job_id
        self.attempt = attempt  # a reclaimed job belongs to its new attempt: never beat for it
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                with scopes_disabled():
                    ExportJob.objects.filter(pk=self.job_id, status=ExportJob.Status.RUNNING,
                                             attempts=self.attempt).update(heartbeat_at=timezone.now())
        except Exception:  # noqa: BLE001 - a missed heartbeat only makes the job look stale later
            logger.warning("export heartbeat failed", exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


def _slow_seconds(job: ExportJob) -> float:
    """Test-only pause between sections, to kill a worker "mid-render" deterministically.

    Honoured only with ``RESILIS_ENV=test``; the UI cannot set parameters at all.
    """
    if settings.RESILIS_ENV != "test":
        return 0.0
    try:
        return max(0.0, min(float(job.parameters.get("slow_seconds", 0)), 60.0))
    except (TypeError, ValueError):
        return 0.0


def _progress_recorder(job: ExportJob, attempt: int, slow: float) -> ProgressCallback:
    def record(percent: int, label: str) -> None:
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING, attempts=attempt).update(
            progress=max(0, min(percent, 99)), progress_label=str(label)[:200], heartbeat_at=timezone.now()
        )
        if slow:
            deadline = time.monotonic() + slow
            while time.monotonic() < deadline:
                time.sleep(0.25)

    return record


# Scratch files of the worker's own host (the render happens there, the result goes to the storage).
SCRATCH_PREFIX = "resilis-export-"


def _scratch_dir() -> Path:
    return Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir())


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def export_render_to(*, job: ExportJob, organization: Organization, path: Path, progress: ProgressCallback) -> None:
    """Render the job's document into ``path`` (used by the worker and the benchmark)."""
    if job.kind == ExportJob.Kind.DOSSIER_PDF:
        from apps.exports.pdf import render_dossier

        render_dossier(organization=organization, job=job, path=path, progress=progress)
    elif job.kind == ExportJob.Kind.WORKBOOK_XLSX:
        from apps.exports.xlsx import render_workbook

        render_workbook(organization=organization, path=path, progress=progress)
    else:
        from apps.exports.registry import document

        registered = document(job.kind)
        if registered is None:
            raise ValueError(f"no renderer registered for {job.kind!r}")
        registered.render(organization, job, path, progress)


def export_run(*, organization: Organization, job_id: str) -> bool:
    """Claim and render one job inside the organization's scope. Returns whether this call completed it.

    Transient errors (database, broker) propagate so the task retries them; anything else fails the
    job with a French reason.
    """
    if not export_claim(job_id=job_id):
        logger.info("export %s not claimable (already taken, finished or over the attempt cap)", job_id)
        return False
    job = ExportJob.objects.get(pk=job_id, organization=organization)
    attempt = job.attempts
    heartbeat = _Heartbeat(str(job.pk), attempt, HEARTBEAT_SECONDS)
    heartbeat.start()
    target = job.storage_name
    scratch = _scratch_dir() / f"{SCRATCH_PREFIX}{job.pk}-{uuid.uuid4().hex}.part"
    try:
        with tenancy.tenant_scope(organization, establishments=job.establishment_ids):
            export_render_to(job=job, organization=organization, path=scratch,
                             progress=_progress_recorder(job, attempt, _slow_seconds(job)))
        sha256 = _sha256_of(scratch)
        size = scratch.stat().st_size
        mine = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING, attempts=attempt)
        if not mine.exists():  # reclaimed while this worker rendered: the new attempt writes the file
            logger.warning("export %s: attempt %s was reclaimed, its file is dropped", job_id, attempt)
            return False
        with scratch.open("rb") as handle:
            files.save_exactly(target, File(handle, name=target))
        for leftover in scratch.parent.glob(f"{SCRATCH_PREFIX}{job.pk}-*.part"):  # a worker killed mid-render here
            leftover.unlink(missing_ok=True)
        now = timezone.now()
        done = mine.update(
            status=ExportJob.Status.DONE, progress=100, progress_label=str(_("Ready")), sha256=sha256, size=size,
            file_path=target, finished_at=now, heartbeat_at=now, expires_at=now + RETENTION, error="", updated_at=now,
        )
        return bool(done)
    except SoftTimeLimitExceeded:
        _fail(job_id=job_id, reason=str(REASON_TIMEOUT))
        return False
    except SectionError as error:
        logger.exception("export %s: section %s failed", job_id, error.title)
        _fail(job_id=job_id, reason=str(REASON_SECTION) % {"title": error.title})
        return False
    except TRANSIENT_ERRORS:
        # Put the job back so the retried task can claim it again (it counts as an attempt).
        try:
            ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING, attempts=attempt).update(
                status=ExportJob.Status.PENDING, progress_label=""
            )
        except TRANSIENT_ERRORS:
            logger.warning("export %s: could not release the job; the reclaim task will", job_id)
        raise
    except Exception:
        logger.exception("export %s failed", job_id)
        _fail(job_id=job_id, reason=str(REASON_UNEXPECTED))
        return False
    finally:
        heartbeat.stop()
        scratch.unlink(missing_ok=True)


def _transient_errors() -> tuple[type[BaseException], ...]:
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (OperationalError, InterfaceError, KombuOperationalError, RedisConnectionError, RedisTimeoutError,
            ConnectionError, TimeoutError)


TRANSIENT_ERRORS = _transient_errors()


# --- Beat: reclaim and purge -------------------------------------------------------------------

def export_reclaim_stale(*, stale_after: timedelta = STALE_AFTER, queue: str | None = None) -> dict[str, int]:
    """Re-queue jobs whose worker went silent (or whose message was lost); fail those over the attempt cap.

    A pending job may just be waiting behind others in the queue: it gets a new message only after
    ``PENDING_FORGOTTEN_AFTER`` (or ``stale_after`` if longer), so a backlog is not duplicated every run.
    Runs across organizations (a beat task, a starting worker), hence ``scopes_disabled``; it only
    touches job rows.
    """
    now = timezone.now()
    limit = now - stale_after
    pending_limit = now - max(stale_after, PENDING_FORGOTTEN_AFTER)
    requeued = failed = 0
    with scopes_disabled():
        silent_running = Q(status=ExportJob.Status.RUNNING, heartbeat_at__lt=limit)
        forgotten_pending = Q(status=ExportJob.Status.PENDING, updated_at__lt=pending_limit)
        for job in ExportJob.objects.filter(silent_running | forgotten_pending).only(
            "pk", "organization_id", "attempts", "status", "language", "requested_by_id"
        ):
            if job.attempts >= MAX_ATTEMPTS:
                with translation.override(job.language):
                    reason = str(REASON_ATTEMPTS)
                failed += _fail(job_id=str(job.pk), reason=reason, only_if=Q(status=job.status))
                continue
            # Back to pending (conditionally: a worker may have just finished it), then a new message.
            if ExportJob.objects.filter(pk=job.pk, status=job.status).filter(
                Q(heartbeat_at__lt=limit) | Q(status=ExportJob.Status.PENDING)
            ).update(status=ExportJob.Status.PENDING, progress_label="", updated_at=now):
                export_enqueue(job=job, queue=queue)
                requeued += 1
    if requeued or failed:
        logger.warning("exports reclaim: %s re-queued, %s failed", requeued, failed)
    return {"requeued": requeued, "failed": failed}


def export_purge_expired(*, now: datetime | None = None) -> int:
    """Delete the stored files of expired exports (the row stays, for the audit trail).

    A storage that cannot delete (bucket unreachable) raises before the row is marked: the next run retries.
    """
    now = now or timezone.now()
    purged = 0
    with scopes_disabled():
        for job in ExportJob.objects.filter(expires_at__lt=now, purged_at__isnull=True).exclude(file_path=""):
            if files.is_inside(job.file_path, "exports"):
                files.delete_quietly(job.file_path)
            purged += ExportJob.objects.filter(pk=job.pk, purged_at__isnull=True).update(purged_at=now)
    return purged


def export_file_forget(sender: type[ExportJob], instance: ExportJob, **kwargs: Any) -> None:
    """``post_delete``: a job deleted for good (its organization deleted) takes its stored file with it
    once the deletion commits."""
    name = instance.file_path
    if name and instance.purged_at is None and files.is_inside(name, "exports"):
        transaction.on_commit(lambda: files.delete_quietly(name), robust=True)
