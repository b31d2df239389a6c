"""E-mails of the notifications, sent by the worker (``apps.notifications.tasks``) in the recipient's language.

Each row is claimed before its e-mail leaves (``emailed_at`` set by a conditional UPDATE), so a redelivered
task, or a digest running next to it, never e-mails the same notification twice.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.notifications.kinds import sentence
from apps.notifications.models import Notification, NotificationPreference
from apps.tenants.models import Organization

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return (settings.SITE_URL or "").rstrip("/") + path if path else ""


def _rows(organization: Organization, notifications: list[Notification]) -> list[dict[str, str]]:
    return [{"sentence": sentence(n), "reason": n.reason, "url": absolute(n.url),
             "actor": n.actor.get_full_name() or n.actor.email if n.actor else ""} for n in notifications]


def send_one(*, organization: Organization, notification_id: int) -> bool:
    """E-mail one notification to its recipient; False when it was already e-mailed (or is gone)."""
    claimed = Notification.objects.filter(organization=organization, pk=notification_id,
                                          emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = (Notification.objects.filter(organization=organization, pk=notification_id)
                    .select_related("recipient", "actor").get())
    pref = NotificationPreference.objects.filter(user=notification.recipient).first()
    if pref is not None and pref.email != NotificationPreference.Email.EACH:
        return False  # changed their mind since: the digest (or nothing) takes it
    rows = _rows(organization, [notification])
    subject = _("%(org)s — %(sentence)s") % {"org": organization.name, "sentence": rows[0]["sentence"]}
    body = render_to_string("notifications/email/one.txt", {
        "organization": organization, "row": rows[0], "list_url": list_url(organization)})
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email])
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)  # the retry may send it
        raise
    return True


def list_url(organization: Organization) -> str:
    return absolute(reverse("notifications:list", kwargs={"org_slug": organization.slug}))


def send_digest(*, organization: Organization, user_id: int) -> int:
    """One e-mail with every notification of this person not e-mailed yet; returns how many it lists."""
    with transaction.atomic():
        notifications = list(Notification.objects.filter(organization=organization, recipient_id=user_id,
                                                         emailed_at__isnull=True)
                             .select_for_update(skip_locked=True, of=("self",)).select_related("recipient", "actor")
                             .order_by("created_at", "id"))
        if not notifications:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=timezone.now())
    recipient = notifications[0].recipient
    subject = _("%(org)s — your notifications of the day (%(count)s)") % {"org": organization.name,
                                                                         "count": len(notifications)}
    body = render_to_string("notifications/email/digest.txt", {
        "organization": organization, "rows": _rows(organization, notifications), "list_url": list_url(organization)})
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    except Exception:
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=None)
        raise
    return len(notifications)
