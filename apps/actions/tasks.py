"""Celery tasks of the action plan (``MAIL_QUEUE``). Thin: the work is in ``apps.actions.notifications``.

``actions.weekly_digest`` is scheduled by Celery beat (``CELERY_BEAT_SCHEDULE`` in the settings) and sends, for
each organization, one ``actions.send_digest`` in that organization's language.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from apps.actions import notifications
from apps.core.tasks import TenantTask
from apps.tenants.models import Organization


@shared_task(base=TenantTask, bind=True, name="actions.notify_assigned", queue_setting="MAIL_QUEUE")
def notify_assigned(self: TenantTask, organization: Organization, action_id: int) -> bool:
    """Tell the owner an action is assigned to them; False when there is nobody to tell."""
    return notifications.send_assigned(organization=organization, action_id=action_id)


@shared_task(base=TenantTask, bind=True, name="actions.send_digest", queue_setting="MAIL_QUEUE")
def send_digest(self: TenantTask, organization: Organization) -> int:
    """The organization's weekly digest: one e-mail per owner with overdue or soon-due actions."""
    return notifications.send_digest(organization=organization)


@shared_task(name="actions.weekly_digest")
def weekly_digest() -> int:
    """Beat's entry point: one digest task per organization, in its language; returns how many were queued."""
    queue = settings.MAIL_QUEUE
    count = 0
    for pk, language in Organization.objects.order_by("pk").values_list("pk", "language"):
        send_digest.apply_async(args=[pk], kwargs={"language": language, "user_id": None,
                                                   "establishment_ids": None}, queue=queue)
        count += 1
    return count
