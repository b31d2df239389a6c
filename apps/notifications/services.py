"""``notify``: the one way an app tells members that something happened.

It writes one in-app ``Notification`` per recipient (the bell, the « Notifications » page) and, for the
recipients who want an e-mail for each one, has the worker send it in the recipient's language (their
preference, else the organization's). A daily digest (Celery beat, ``apps.notifications.tasks``) e-mails the
others who chose it. Nothing is sent inside a request: the task leaves when the transaction commits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from apps.core.tasks import enqueue_on_commit
from apps.notifications.models import Notification, NotificationPreference
from apps.tenants.models import Membership

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Organization


_SILENCED: ContextVar[bool] = ContextVar("notification_emails_silenced", default=False)


@contextlib.contextmanager
def emails_silenced() -> Iterator[None]:
    """Notify in the application only (loading the demo data: nobody is e-mailed about it)."""
    token = _SILENCED.set(True)
    try:
        yield
    finally:
        _SILENCED.reset(token)


def preference_for(user: User) -> NotificationPreference:
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref or NotificationPreference(user=user)


def language_for(user: User, organization: Organization) -> str:
    return preference_for(user).language or organization.language


def members_with(*, organization: Organization, capability: str, establishment_id: int | None = None,
                 roles: Iterable[str] | None = None) -> list[User]:
    """Members holding ``capability`` (optionally only some roles) who may see ``establishment_id``."""
    wanted = set(roles) if roles is not None else None
    result = []
    for membership in Membership.objects.filter(organization=organization).select_related("user"):
        if not membership.user.is_active or not membership.has_capability(capability):
            continue
        if wanted is not None and membership.role not in wanted:
            continue
        allowed = membership.allowed_establishment_ids
        if establishment_id is not None and allowed is not None and establishment_id not in allowed:
            continue
        result.append(membership.user)
    return result


@transaction.atomic
def notify(*, organization: Organization, recipients: Iterable[User | None], kind: str, subject: Model | str,
           url: str = "", actor: User | None = None, reason: str = "", dedupe_key: str = "",
           email: bool = True) -> list[Notification]:
    """Tell each recipient (members of ``organization`` only; never the actor) about one event.

    ``dedupe_key``: the same kind and key for the same person is told once (beat tasks run again safely).
    ``email=False`` for events whose app already sends its own e-mail (an action assigned, a BIA sent back).
    """
    from apps.notifications import tasks

    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    ids = {u.pk for u in recipients if u is not None and u.pk != actor_id}
    member_ids = set(Membership.objects.filter(organization=organization, user_id__in=ids)
                     .values_list("user_id", flat=True))
    created: list[Notification] = []
    values = {"subject_label": str(subject)[:255], "reason": reason, "url": url[:500], "actor_id": actor_id}
    for user_id in sorted(member_ids):
        if dedupe_key:
            notification, new = Notification.objects.get_or_create(
                organization=organization, recipient_id=user_id, kind=kind, dedupe_key=dedupe_key[:120],
                defaults=values)
            if not new:
                continue
        else:
            notification = Notification.objects.create(organization=organization, recipient_id=user_id, kind=kind,
                                                       **values)
        created.append(notification)
    if email and not _SILENCED.get():
        prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=member_ids)}
        for notification in created:
            pref = prefs.get(notification.recipient_id)
            if pref is not None and pref.email != NotificationPreference.Email.EACH:
                continue  # the daily digest, or nothing
            language = (pref.language if pref is not None else "") or organization.language
            enqueue_on_commit(tasks.send_email, organization, notification.pk, language=language, user=actor_id)
    return created


def notification_mark_read(*, organization: Organization, user: User, notification_id: int | None = None) -> int:
    """Mark one notification (or all of them) of this person read; returns how many changed."""
    qs = Notification.objects.filter(organization=organization, recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now(), updated_at=timezone.now())


@transaction.atomic
def preference_save(*, user: User, email: str, language: str) -> NotificationPreference:
    pref = preference_for(user)
    pref.email, pref.language = email, language
    pref.full_clean()
    pref.save()
    return pref
