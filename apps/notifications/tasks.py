"""Celery tasks of the notifications (``MAIL_QUEUE``). Thin: the work is in ``mail`` and ``scan``.

Beat (``CELERY_BEAT_SCHEDULE``): ``notifications.daily_digest`` every morning, ``notifications.daily_scan``
every day (overdue actions, exercises soon, evidence expiring).
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django_scopes import scopes_disabled

from apps.core.tasks import TenantTask
from apps.notifications import mail, scan
from apps.tenants.models import Organization


@shared_task(base=TenantTask, bind=True, name="notifications.send_email", queue_setting="MAIL_QUEUE")
def send_email(self: TenantTask, organization: Organization, notification_id: int) -> bool:
    return mail.send_one(organization=organization, notification_id=notification_id)


@shared_task(base=TenantTask, bind=True, name="notifications.send_digest", queue_setting="MAIL_QUEUE")
def send_digest(self: TenantTask, organization: Organization, recipient_id: int) -> int:
    return mail.send_digest(organization=organization, user_id=recipient_id)


@shared_task(base=TenantTask, bind=True, name="notifications.scan", queue_setting="MAIL_QUEUE")
def scan_one(self: TenantTask, organization: Organization) -> int:
    return scan.scan_organization(organization=organization)


@shared_task(name="notifications.daily_digest")
def daily_digest() -> int:
    """One digest task per (organization, person who chose the digest) with notifications not e-mailed yet."""
    from apps.accounts.models import User
    from apps.notifications.models import Notification, NotificationPreference
    from apps.notifications.services import language_for

    count = 0
    with scopes_disabled():
        pairs = (Notification.objects.filter(emailed_at__isnull=True,
                                             recipient__notification_preference__email=NotificationPreference.Email.DIGEST)
                 .values_list("organization_id", "recipient_id").distinct())
        for organization_id, recipient_id in pairs:
            organization = Organization.objects.get(pk=organization_id)
            recipient = User.objects.get(pk=recipient_id)
            send_digest.apply_async(args=[organization_id, recipient_id], kwargs={
                "language": language_for(recipient, organization), "user_id": None, "establishment_ids": None},
                queue=settings.MAIL_QUEUE)
            count += 1
    return count


@shared_task(name="notifications.daily_scan")
def daily_scan() -> int:
    count = 0
    for pk, language in Organization.objects.order_by("pk").values_list("pk", "language"):
        scan_one.apply_async(args=[pk], kwargs={"language": language, "user_id": None, "establishment_ids": None},
                             queue=settings.MAIL_QUEUE)
        count += 1
    return count
