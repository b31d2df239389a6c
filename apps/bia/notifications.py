"""E-mails of the BIA campaign, sent by the Celery worker (``apps.bia.tasks``), never in a request.

- A business owner is told when an activity is assigned to them from the activity form, and when
  the RPCRA sends their BIA back (with the comment).
- The RPCRA can remind every business owner whose BIA is not submitted yet: one e-mail per owner,
  listing their activities.

The functions here run inside the organization's tenant scope and the requester's language
(``apps.core.tasks.TenantTask``), with absolute links built on ``SITE_URL``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from apps.bia.models import Activity
from apps.tenants.models import Organization

UNFINISHED = (Activity.Status.NOT_STARTED, Activity.Status.IN_PROGRESS, Activity.Status.SENT_BACK)


def _absolute(path: str) -> str:
    return (settings.SITE_URL or "").rstrip("/") + path  # settings: env() is typed str | None


def _questionnaire_url(organization: Organization, activity: Activity) -> str:
    return _absolute(reverse("bia:questionnaire", kwargs={"org_slug": organization.slug,
                                                          "pk": activity.pk, "step": 1}))


def _send_to_owner(*, organization: Organization, activity_id: int, subject: str, template: str) -> bool:
    activity = (Activity.objects.filter(organization=organization, pk=activity_id)
                .select_related("organization", "establishment", "owner").first())
    if activity is None or activity.owner is None:
        return False  # deleted, or its owner removed, before the worker got to it
    body = render_to_string(template, {"activity": activity, "url": _questionnaire_url(organization, activity)})
    send_mail(_(subject) % {"activity": activity.name}, body, settings.DEFAULT_FROM_EMAIL, [activity.owner.email])
    return True


def send_assigned(*, organization: Organization, activity_id: int) -> bool:
    return _send_to_owner(organization=organization, activity_id=activity_id,
                          subject=gettext_noop("BIA of « %(activity)s »: you are its business owner"),
                          template="bia/email/assigned.txt")


def send_sent_back(*, organization: Organization, activity_id: int) -> bool:
    return _send_to_owner(organization=organization, activity_id=activity_id,
                          subject=gettext_noop("BIA of « %(activity)s »: changes requested"),
                          template="bia/email/sent_back.txt")


def unfinished(*, organization: Organization) -> QuerySet[Activity]:
    """Activities with an owner whose BIA is not submitted yet (in the current scope: a limited member's own)."""
    return Activity.objects.filter(organization=organization, owner__isnull=False, status__in=UNFINISHED)


def owners_to_remind(*, organization: Organization) -> dict[Any, list[Activity]]:
    """Business owner → their activities whose BIA is not submitted yet (one query)."""
    by_owner: dict[Any, list[Activity]] = defaultdict(list)
    activities = (unfinished(organization=organization)
                  .select_related("owner", "establishment", "organization").order_by("owner__email", "name"))
    for activity in activities:
        by_owner[activity.owner].append(activity)
    return dict(by_owner)


def send_reminders(*, organization: Organization, owner_ids: list[int] | None = None) -> int:
    """One e-mail per business owner with unfinished BIAs in the current scope; returns how many were sent.

    A reminder asked by a member limited to some establishments runs in that limit (``TenantTask``).
    """
    sent = 0
    for owner, activities in owners_to_remind(organization=organization).items():
        if owner_ids is not None and owner.pk not in owner_ids:
            continue
        rows = [{"activity": a, "url": _questionnaire_url(organization, a)} for a in activities]
        subject = _("%(org)s — your BIA answers are awaited") % {"org": organization.name}
        body = render_to_string("bia/email/reminder.txt", {"organization": organization, "rows": rows,
                                                           "owner": owner})
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
        sent += 1
    return sent
