"""Celery tasks of the exercises: the schedule's reminders (beat). Thin: the work is in ``notifications``."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.core.tasks import TenantTask, enqueue_on_commit
from apps.exercises import notifications
from apps.exercises.models import Exercise, ScheduledTest
from apps.tenants.models import Organization


@shared_task(base=TenantTask, bind=True, name="exercises.send_test_reminders", queue_setting="MAIL_QUEUE")
def send_test_reminders(self: TenantTask, organization: Organization) -> int:
    """The reminders due today in one organization; returns how many e-mails were sent."""
    return notifications.send_test_reminders(organization=organization)


@shared_task(name="apps.exercises.tasks.test_reminders_dispatch", acks_late=True, time_limit=300, soft_time_limit=270)
def test_reminders_dispatch() -> int:
    """Beat: one task per organization with a test or an exercise in the next 30 days (runs across tenants,
    reading only which organizations to wake)."""
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=30)
    with scopes_disabled():
        ids = set(ScheduledTest.objects.filter(next_test_on__gte=today, next_test_on__lte=horizon)
                  .values_list("organization_id", flat=True))
        ids |= set(Exercise.objects.filter(status=Exercise.Status.PLANNED, planned_start__date__gte=today,
                                           planned_start__date__lte=horizon).values_list("organization_id", flat=True))
        organizations = list(Organization.objects.filter(pk__in=ids))
    for organization in organizations:
        enqueue_on_commit(send_test_reminders, organization, language=None)
    return len(organizations)
