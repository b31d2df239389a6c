"""Celery tasks of the exports app.

``export_run_task`` (the rendering) is routed to the ``exports`` queue by ``CELERY_TASK_ROUTES``: its worker
renders one job at a time at the lowest CPU priority (``--concurrency 1 --niceness 19``, see resilis/celery.py),
so an export never slows the pages. The housekeeping stays on the default queue: a long render never delays it.

Thin, on ``TenantTask``: the organization is reloaded, its scope and the requester's language
entered, then the service is called.
Redis redelivers an unacknowledged message after the visibility timeout and when a worker is lost
(``acks_late`` + ``reject_on_worker_lost``): the service's conditional claim makes that harmless.
A worker SIGKILLed mid-render acknowledges nothing and its message waits for the visibility timeout
(hours): the housekeeping task, and every worker as it starts, re-queue its silent job instead.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import connections
from django.utils import translation
from django_scopes import scopes_disabled

from apps.core.tasks import TenantTask
from apps.exports import services
from apps.exports.models import ExportJob
from apps.tenants.models import Organization

logger = logging.getLogger(__name__)

# Hard limit below the broker's visibility timeout (settings): a running task is never redelivered.
TIME_LIMIT = min(settings.CELERY_TASK_TIME_LIMIT, 900)
SOFT_TIME_LIMIT = TIME_LIMIT - 30


class ExportTask(TenantTask):
    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """Retries exhausted (or a bug before the service could record it): say so on the job."""
        job_id = (kwargs or {}).get("job_id") or (args[1] if args and len(args) > 1 else None)
        if not job_id:
            return
        with scopes_disabled():
            job = ExportJob.objects.filter(pk=job_id).only("language").first()
        language = job.language if job else settings.LANGUAGE_CODE
        with translation.override(language):
            reason = services.REASON_TRANSIENT if isinstance(exc, services.TRANSIENT_ERRORS) else \
                services.REASON_UNEXPECTED
            services.export_fail(job_id=str(job_id), reason=str(reason))


@shared_task(
    bind=True,
    base=ExportTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=services.TRANSIENT_ERRORS,
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=60,
    retry_jitter=True,
    time_limit=TIME_LIMIT,
    soft_time_limit=SOFT_TIME_LIMIT,
)
def export_run_task(self: ExportTask, organization: Organization, job_id: str) -> bool:
    # Runs in the job's language and its requester's establishment limit (``services.export_enqueue``).
    return services.export_run(organization=organization, job_id=job_id)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def exports_housekeeping() -> dict[str, int]:
    """Beat: re-queue or fail silent jobs, delete expired files."""
    result = services.export_reclaim_stale()
    result["purged"] = services.export_purge_expired()
    return result


@worker_ready.connect
def exports_reclaim_on_worker_start(**kwargs: Any) -> None:
    """A worker (re)started, often because its predecessor died: re-queue the silent jobs now, not at the
    next beat. Only jobs without a heartbeat for ``STALE_AFTER`` are touched, so a live worker's are not."""
    try:
        result = services.export_reclaim_stale()
        logger.info("exports reclaim at worker start: %s", result)
    except Exception:  # noqa: BLE001 - never stop a worker from starting; the beat task retries
        logger.warning("exports reclaim at worker start failed", exc_info=True)
    finally:
        connections.close_all()  # the main process must not hand its connection to forked children
