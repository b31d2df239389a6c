"""Reminders of the test schedule (beat, ``apps.exercises.tasks``): the owner of a planned test or of a planned
exercise is e-mailed 30 and 7 days before it, once per date (a new date re-arms both reminders).

Runs inside the organization's tenant scope and language (``apps.core.tasks.TenantTask``); e-mails are sent by
the worker, never in a request.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.exercises.models import Exercise, ScheduledTest
from apps.tenants.models import Membership, Organization
from apps.tenants.roles import Role

REMINDER_DAYS = (30, 7)


def _absolute(path: str) -> str:
    return (settings.SITE_URL or "").rstrip("/") + path


def _due(day: datetime.date, today: datetime.date, sent_30: datetime.date | None,
         sent_7: datetime.date | None) -> int | None:
    """Which reminder is due for ``day`` (7 or 30), or None. The 7-day one wins when both are due."""
    left = (day - today).days
    if left < 0:
        return None
    if left <= 7 and sent_7 != day:
        return 7
    if left <= 30 and sent_30 != day and sent_7 != day:
        return 30
    return None


def _recipient(organization: Organization, owner: Membership | None) -> Any:
    if owner is not None:
        return owner.user
    fallback = (Membership.objects.filter(organization=organization, role=Role.RPCRA).select_related("user")
                .order_by("pk").first())
    return fallback.user if fallback else None


def send_test_reminders(*, organization: Organization, today: datetime.date | None = None) -> int:
    """E-mail the reminders due today; returns how many were sent (each is marked so it is sent once)."""
    today = today or timezone.localdate()
    sent = 0
    schedule_url = _absolute(reverse("exercises:schedule", kwargs={"org_slug": organization.slug}))
    for row in (ScheduledTest.objects.filter(organization=organization, next_test_on__gte=today,
                                            next_test_on__lte=today + datetime.timedelta(days=30))
                .select_related("plan", "owner__user")):
        days = _due(row.next_test_on, today, row.reminder_30_for, row.reminder_7_for)
        user = _recipient(organization, row.owner) if days else None
        if days is None or user is None:
            continue
        subject = _("%(org)s — test of « %(plan)s » in %(days)s days") % {
            "org": organization.name, "plan": row.plan.title, "days": (row.next_test_on - today).days}
        body = render_to_string("exercises/email/reminder.txt", {
            "organization": organization, "what": row.plan.title, "day": row.next_test_on,
            "format": row.get_format_display(), "url": schedule_url, "user": user})
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        ScheduledTest.objects.filter(pk=row.pk).update(**{f"reminder_{days}_for": row.next_test_on})
        sent += 1
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    for exercise in (Exercise.objects.filter(organization=organization, status=Exercise.Status.PLANNED,
                                             planned_start__gte=start,
                                             planned_start__lt=start + datetime.timedelta(days=31))
                     .select_related("owner__user")):
        day = timezone.localdate(exercise.planned_start)
        days = _due(day, today, exercise.reminder_30_for, exercise.reminder_7_for)
        user = _recipient(organization, exercise.owner) if days else None
        if days is None or user is None:
            continue
        subject = _("%(org)s — exercise « %(exercise)s » in %(days)s days") % {
            "org": organization.name, "exercise": exercise.title, "days": (day - today).days}
        body = render_to_string("exercises/email/reminder.txt", {
            "organization": organization, "what": exercise.title, "day": day, "format": exercise.get_format_display(),
            "url": _absolute(reverse("exercises:detail", kwargs={"org_slug": organization.slug, "pk": exercise.pk})),
            "user": user})
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        Exercise.objects.filter(pk=exercise.pk).update(**{f"reminder_{days}_for": day})
        sent += 1
    return sent
