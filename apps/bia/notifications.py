"""E-mails of the BIA campaign.

- A business owner is told when an activity is assigned to them from the activity form, and when
  the RPCRA sends their BIA back (with the comment).
- The RPCRA can remind every business owner whose BIA is not submitted yet: one e-mail per owner,
  listing their activities, sent by the Celery worker (``apps.bia.tasks.campaign_remind``).

Each e-mail is sent after the commit of the change that causes it, in the language of the request,
with absolute links built on ``SITE_URL``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_scopes import scopes_disabled

from apps.bia.models import Activity

UNFINISHED = (Activity.Status.NOT_STARTED, Activity.Status.IN_PROGRESS, Activity.Status.SENT_BACK)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _questionnaire_url(activity: Activity) -> str:
    return _absolute(reverse("bia:questionnaire", kwargs={"org_slug": activity.organization.slug,
                                                          "pk": activity.pk, "step": 1}))


def _load(activity_id: int) -> Activity | None:
    with scopes_disabled():
        return (Activity.objects.select_related("organization", "establishment", "owner")
                .filter(pk=activity_id).first())


def _send_to_owner(activity_id: int, language: str, subject: str, template: str) -> None:
    activity = _load(activity_id)
    if activity is None or activity.owner is None:
        return
    with translation.override(language):
        body = render_to_string(template, {"activity": activity, "url": _questionnaire_url(activity)})
        send_mail(_(subject) % {"activity": activity.name}, body, settings.DEFAULT_FROM_EMAIL, [activity.owner.email])


def send_assigned(activity_id: int, language: str) -> None:
    _send_to_owner(activity_id, language, gettext_noop("BIA of « %(activity)s »: you are its business owner"),
                   "bia/email/assigned.txt")


def send_sent_back(activity_id: int, language: str) -> None:
    _send_to_owner(activity_id, language, gettext_noop("BIA of « %(activity)s »: changes requested"),
                   "bia/email/sent_back.txt")


def unfinished(*, organization: Any, establishment_ids: list[int] | None = None) -> Any:
    """Activities with an owner whose BIA is not submitted yet (``establishment_ids``: only those)."""
    qs = Activity.objects.filter(organization=organization, owner__isnull=False, status__in=UNFINISHED)
    return qs.filter(establishment_id__in=establishment_ids) if establishment_ids is not None else qs


def owners_to_remind(*, organization: Any, establishment_ids: list[int] | None = None) -> dict[Any, list[Activity]]:
    """Business owner → their activities whose BIA is not submitted yet (one query)."""
    by_owner: dict[Any, list[Activity]] = defaultdict(list)
    activities = (unfinished(organization=organization, establishment_ids=establishment_ids)
                  .select_related("owner", "establishment", "organization").order_by("owner__email", "name"))
    for activity in activities:
        by_owner[activity.owner].append(activity)
    return dict(by_owner)


def send_reminders(organization_id: int, language: str, establishment_ids: list[int] | None = None) -> int:
    """One e-mail per business owner with unfinished BIAs; returns how many were sent."""
    from apps.tenants.models import Organization

    with scopes_disabled():
        organization = Organization.objects.filter(pk=organization_id).first()
        if organization is None:
            return 0
        by_owner = owners_to_remind(organization=organization, establishment_ids=establishment_ids)
    sent = 0
    with translation.override(language):
        for owner, activities in by_owner.items():
            rows = [{"activity": a, "url": _questionnaire_url(a)} for a in activities]
            subject = _("%(org)s — your BIA answers are awaited") % {"org": organization.name}
            body = render_to_string("bia/email/reminder.txt", {"organization": organization, "rows": rows,
                                                               "owner": owner})
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
            sent += 1
    return sent
