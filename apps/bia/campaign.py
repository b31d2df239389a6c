"""The BIA campaign's calendar: one due date per establishment (``Campaign``), the progress of each business
owner, automatic reminders (Celery beat, ``remind_days_before`` and ``remind_days_after`` the due date) and the
24 h throttle shared by automatic and manual reminders: an owner gets at most one reminder a day, whoever asks.

The throttle is a Redis claim (SET NX with a 24 h expiry, shared by every web and worker process) taken when the
reminder is *asked for*, so that a second click 4 s later is told it is throttled and sends nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.utils import timezone

from apps.bia.models import Activity, Campaign

if TYPE_CHECKING:
    from apps.tenants.models import Organization

logger = logging.getLogger(__name__)

THROTTLE_SECONDS = 24 * 3600
QUESTIONNAIRE_STEPS = 7
DONE = (Activity.Status.SUBMITTED, Activity.Status.VALIDATED)


def deadlines(*, organization: Organization, establishment_ids: Iterable[int] | None = None) -> dict[int, datetime.date]:
    qs = Campaign.objects.filter(organization=organization)
    if establishment_ids is not None:
        qs = qs.filter(establishment_id__in=list(establishment_ids))
    return dict(qs.values_list("establishment_id", "due_date"))


def resume_step(activity: Activity) -> int:
    """The first step not saved yet (« Reprendre le questionnaire »), the review once every step is saved."""
    return min(activity.questionnaire_step + 1, QUESTIONNAIRE_STEPS)


def is_done(activity: Activity) -> bool:
    return activity.status in DONE


def owner_progress(*, organization: Organization) -> list[dict[str, Any]]:
    """Each business owner with their activities: how many submitted (or validated) of how many, and the
    earliest due date among their establishments' campaigns (one query each)."""
    due = deadlines(organization=organization)
    by_owner: dict[int, dict[str, Any]] = {}
    activities = (Activity.objects.filter(organization=organization, owner__isnull=False)
                  .select_related("owner").order_by("owner__last_name", "owner__email", "name"))
    for activity in activities:
        assert activity.owner is not None
        row = by_owner.setdefault(activity.owner_id or 0, {"owner": activity.owner, "total": 0, "done": 0,
                                                          "due": None})
        row["total"] += 1
        row["done"] += int(is_done(activity))
        day = due.get(activity.establishment_id)
        if day is not None and not is_done(activity) and (row["due"] is None or day < row["due"]):
            row["due"] = day
    today = timezone.localdate()
    for row in by_owner.values():
        row["percent"] = round(100 * row["done"] / row["total"]) if row["total"] else 0
        row["late"] = row["due"] is not None and row["due"] < today
    return list(by_owner.values())


def _claim_key(organization: Organization, owner_id: int) -> str:
    created = int(organization.created_at.timestamp()) if organization.created_at else 0
    return f"bia:reminder:{organization.pk}:{created}:{owner_id}"


def claim_owners(*, organization: Organization, owner_ids: Iterable[int]) -> tuple[list[int], list[int]]:
    """Claim the 24 h reminder slot of each owner: (claimed, throttled)."""
    claimed: list[int] = []
    throttled: list[int] = []
    for owner_id in owner_ids:
        try:
            ok = bool(cache.add(_claim_key(organization, owner_id), 1, THROTTLE_SECONDS))
        except Exception:  # noqa: BLE001 - without the cache the reminder goes; a double is better than none
            logger.warning("reminder throttle not checked: cache unreachable", exc_info=True)
            ok = True
        (claimed if ok else throttled).append(owner_id)
    return claimed, throttled


def release_owner(*, organization: Organization, owner_id: int) -> None:
    cache.delete(_claim_key(organization, owner_id))


def campaigns_due_for_reminder(*, organization: Organization, today: datetime.date | None = None) -> list[Campaign]:
    """The campaigns whose reminder day is today: ``remind_days_before`` or ``remind_days_after`` the due date."""
    today = today or timezone.localdate()
    return [c for c in Campaign.objects.filter(organization=organization).select_related("establishment")
            if today in (c.due_date - datetime.timedelta(days=c.remind_days_before),
                         c.due_date + datetime.timedelta(days=c.remind_days_after))]
