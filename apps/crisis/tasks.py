"""Celery tasks of the crisis day. Thin: the work is in ``notifications`` and ``documents``.

Files (the kit copies, the crisis report) are rendered on the exports queue; e-mails on the mail queue.
"""

from __future__ import annotations

from celery import shared_task

from apps.core.tasks import TenantTask
from apps.crisis import documents, notifications
from apps.tenants.models import Organization


@shared_task(base=TenantTask, bind=True, name="crisis.notify_activation", queue_setting="MAIL_QUEUE",
             acks_late=True, max_retries=3)
def notify_activation(self: TenantTask, organization: Organization, crisis_id: int) -> int:
    """Tell the crisis cell's holders and deputies the crisis is activated; returns how many were reached."""
    return notifications.send_activation(organization=organization, crisis_id=crisis_id)


@shared_task(base=TenantTask, bind=True, name="crisis.notify_stale", queue_setting="MAIL_QUEUE", acks_late=True)
def notify_stale(self: TenantTask, organization: Organization, copy_ids: list[int]) -> int:
    """Tell the holders of out-of-date kit copies to replace them."""
    return notifications.send_stale(organization=organization, copy_ids=copy_ids)


@shared_task(base=TenantTask, bind=True, name="crisis.build_kit_copy", queue_setting="EXPORTS_QUEUE",
             acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=570)
def build_kit_copy(self: TenantTask, organization: Organization, copy_id: int) -> bool:
    """Render one numbered kit copy (PDF or single HTML file)."""
    return documents.build_copy(organization=organization, copy_id=copy_id)


@shared_task(base=TenantTask, bind=True, name="crisis.render_report", queue_setting="EXPORTS_QUEUE",
             acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=570)
def render_report(self: TenantTask, organization: Organization, crisis_id: int) -> bool:
    """Render the closed crisis's report (main courante and timings) as PDF."""
    return documents.render_report(organization=organization, crisis_id=crisis_id)
