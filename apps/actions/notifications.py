"""E-mails of the action plan, sent by the Celery worker (``apps.actions.tasks``), never in a request.

- The owner of an action is told when it is assigned to them, with the link to follow it.
- Once a week (Celery beat), every owner with overdue or soon-due actions gets one e-mail listing them all,
  with the link to update each one (an authenticated page: « Suivi de l'action »).

Both run inside the organization's tenant scope (``apps.core.tasks.TenantTask``) and in the organization's
language (``Organization.language``); links are absolute, built on ``SITE_URL``. An external owner (not a
member) gets the same e-mails without links, since they cannot log in: they answer the RPCRA.
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.actions import selectors
from apps.actions.models import Action
from apps.tenants.models import Organization

logger = logging.getLogger(__name__)


def follow_url(organization: Organization, action: Action) -> str:
    path = reverse("actions:follow", kwargs={"org_slug": organization.slug, "pk": action.pk})
    return (settings.SITE_URL or "").rstrip("/") + path


def send_assigned(*, organization: Organization, action_id: int) -> bool:
    """Tell the owner the action is theirs; False when there is nobody (left) to tell."""
    action = (Action.objects.filter(organization=organization, pk=action_id, status__in=("todo", "in_progress"))
              .select_related("owner_member__user").first())
    if action is None or not action.owner_address:
        return False
    context = {"organization": organization, "action": action, "today": timezone.localdate(),
               "url": follow_url(organization, action) if action.owner_member_id else ""}
    subject = _("%(org)s — action %(reference)s is assigned to you") % {"org": organization.name,
                                                                        "reference": action.reference}
    send_mail(subject, render_to_string("actions/email/assigned.txt", context), settings.DEFAULT_FROM_EMAIL,
              [action.owner_address])
    return True


def digest_week(today: datetime.date) -> str:
    year, week, _day = today.isocalendar()
    return f"{year}-W{week:02d}"


def digest_claim(organization: Organization, today: datetime.date, address: str) -> str:
    """The cache key that says one person's digest of this week was sent (the organization's creation time is
    part of it: an organization recreated with the same id is another one)."""
    created = int(organization.created_at.timestamp()) if organization.created_at else 0
    person = hashlib.sha256(address.encode()).hexdigest()[:24]
    return f"actions:digest:{organization.pk}:{created}:{digest_week(today)}:{person}"


def send_digest(*, organization: Organization, today: datetime.date | None = None) -> int:
    """One e-mail per owner with overdue or soon-due actions; returns how many were sent.

    Each person is e-mailed once per organization and ISO week: a redelivered or repeated task finds that
    person's week claimed (Redis SET NX, shared by every worker) and does not send it again.
    """
    today = today or timezone.localdate()
    sent = 0
    for address, (name, actions) in selectors.digest_recipients(organization=organization, today=today).items():
        claim = digest_claim(organization, today, address)
        if not cache.add(claim, 1, timeout=8 * 24 * 3600):
            logger.info("weekly digest of organization %s already sent this week to one owner", organization.pk)
            continue
        member = actions[0].owner_member_id is not None
        rows = [{"action": a, "late": a.is_late_on(today), "url": follow_url(organization, a) if member else ""}
                for a in actions]
        late = sum(1 for r in rows if r["late"])
        subject = _("%(org)s — your actions: %(late)s overdue, %(soon)s due soon") % {
            "org": organization.name, "late": late, "soon": len(rows) - late}
        mine = reverse("actions:mine", kwargs={"org_slug": organization.slug})
        body = render_to_string("actions/email/digest.txt", {
            "organization": organization, "name": name, "rows": rows, "member": member,
            "days": selectors.DIGEST_SOON_DAYS, "today": today,
            "mine_url": (settings.SITE_URL or "").rstrip("/") + mine if member else ""})
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:
            cache.delete(claim)  # not sent: the next attempt may send it
            raise
        sent += 1
    return sent
