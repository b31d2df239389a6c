"""Messages of the crisis day, sent by the worker through the pluggable senders (``apps.crisis.senders``).

- Activation: every holder and deputy of the crisis cell (members by e-mail; everyone by SMS when a gateway is
  configured), with the scenario, the plans activated and the link to the live page.
- A kit copy out of date: its holder is told to replace it with a copy of the new version.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.crisis import selectors, senders
from apps.crisis.models import Crisis, KitCopy
from apps.tenants.models import Organization

logger = logging.getLogger(__name__)


def _absolute(path: str) -> str:
    return (settings.SITE_URL or "").rstrip("/") + path


def activation_recipients(*, organization: Organization) -> list[senders.Recipient]:
    """The crisis cell's holders and deputies, each once."""
    from apps.governance.selectors import crisis_roles

    seen: set[tuple[str, str]] = set()
    result = []
    for role in crisis_roles(organization=organization):
        for person in [role.holder, *role.deputies]:
            if person is None:
                continue
            email = person.member.user.email if person.member_id and person.member else ""
            key = (email, person.phone)
            if key in seen:
                continue
            seen.add(key)
            result.append(senders.Recipient(name=person.person_name, email=email, phone=person.phone))
    return result


def send_activation(*, organization: Organization, crisis_id: int) -> int:
    crisis = Crisis.objects.filter(organization=organization, pk=crisis_id).select_related("scenario").first()
    if crisis is None:
        return 0
    versions = selectors.activated_versions(crisis=crisis)
    url = _absolute(reverse("crisis:live", kwargs={"org_slug": organization.slug, "pk": crisis.pk}))
    subject = (_("[EXERCISE] %(org)s — crisis activated: %(title)s") if crisis.is_exercise
               else _("%(org)s — crisis activated: %(title)s")) % {"org": organization.name, "title": crisis.title}
    body = render_to_string("crisis/email/activation.txt", {"organization": organization, "crisis": crisis,
                                                            "versions": versions, "url": url})
    reached = 0
    channels = senders.senders()
    for recipient in activation_recipients(organization=organization):
        sent = False
        for sender in channels:
            try:
                sent = sender.send(recipient, subject, body) or sent
            except Exception:  # noqa: BLE001 - one channel down must not keep the others from being tried
                logger.warning("crisis activation not sent by %s", sender.channel, exc_info=True)
        reached += int(sent)
    Crisis.objects.filter(organization=organization, pk=crisis.pk).update(notified_count=reached)
    return reached


def send_stale(*, organization: Organization, copy_ids: list[int]) -> int:
    sent = 0
    register = _absolute(reverse("crisis:register", kwargs={"org_slug": organization.slug}))
    for copy in KitCopy.objects.filter(organization=organization, pk__in=copy_ids, state=KitCopy.State.STALE):
        if not copy.holder_email:
            continue
        subject = _("%(org)s — your crisis kit copy n° %(number)s is out of date") % {
            "org": organization.name, "number": copy.number}
        body = render_to_string("crisis/email/stale.txt", {"organization": organization, "copy": copy,
                                                           "url": register})
        senders.EmailSender().send(senders.Recipient(name=copy.holder, email=copy.holder_email), subject, body)
        sent += 1
    return sent
