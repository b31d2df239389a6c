"""Events that happen by the calendar, not by a click: found once a day by Celery beat
(``apps.notifications.tasks.daily_scan``), each told once (``dedupe_key``)."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.notifications.kinds import EVIDENCE_VALIDITY_DAYS, EVIDENCE_WARNING_DAYS, EXERCISE_SOON_DAYS
from apps.notifications.models import Kind
from apps.notifications.services import notify
from apps.tenants.models import Organization


def _url(organization: Organization, name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"org_slug": organization.slug, **kwargs})


def scan_organization(*, organization: Organization, today: datetime.date | None = None) -> int:
    """Actions overdue, exercises starting within a week, evidence files about to be a year old."""
    from apps.actions.models import OPEN_STATUSES, Action
    from apps.compliance.models import Evidence
    from apps.exercises.models import Exercise

    today = today or timezone.localdate()
    count = 0
    for action in (Action.objects.filter(organization=organization, status__in=OPEN_STATUSES, due_date__lt=today,
                                         owner_member__isnull=False).select_related("owner_member__user")):
        count += len(notify(organization=organization, recipients=[action.owner_member.user if action.owner_member else None], kind=Kind.ACTION_OVERDUE,
                            subject=action.title, url=_url(organization, "actions:follow", pk=action.pk),
                            dedupe_key=f"action:{action.pk}:{action.due_date}"))
    horizon = timezone.now() + datetime.timedelta(days=EXERCISE_SOON_DAYS)
    for exercise in (Exercise.objects.filter(organization=organization, status=Exercise.Status.PLANNED,
                                             planned_start__gte=timezone.now(), planned_start__lte=horizon,
                                             owner__isnull=False).select_related("owner__user")):
        count += len(notify(organization=organization, recipients=[exercise.owner.user if exercise.owner else None], kind=Kind.EXERCISE_SOON,
                            subject=exercise.title, url=_url(organization, "exercises:detail", pk=exercise.pk),
                            dedupe_key=f"exercise:{exercise.pk}:{exercise.planned_start.date()}"))
    limit = today - datetime.timedelta(days=EVIDENCE_VALIDITY_DAYS - EVIDENCE_WARNING_DAYS)
    evidence = (Evidence.objects.filter(organization=organization, deleted_at__isnull=True, uploaded_by__isnull=False)
                .filter(Q(document_date__lte=limit) | Q(document_date__isnull=True, created_at__date__lte=limit))
                .select_related("uploaded_by"))
    for item in evidence:
        count += len(notify(organization=organization, recipients=[item.uploaded_by], kind=Kind.EVIDENCE_EXPIRING,
                            subject=item.title, url=_url(organization, "compliance:evidence-list"),
                            dedupe_key=f"evidence:{item.pk}:{item.document_date or item.created_at.date()}"))
    return count
