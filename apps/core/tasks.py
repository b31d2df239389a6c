"""Celery conventions for Resilis, after pretix's tenant-aware tasks.

Every task of a tenant is declared on ``TenantTask`` and enqueued with ``enqueue_on_commit``::

    @shared_task(base=TenantTask, bind=True, name="bia.notify_owner_assigned", queue_setting="CAMPAIGN_QUEUE")
    def notify_owner_assigned(self: TenantTask, organization: Organization, activity_id: int) -> bool: ...

    enqueue_on_commit(notify_owner_assigned, organization, activity.pk, user=actor)

- The message carries ids only: the organization's id first, then the task's own arguments, and three
  keywords the helper adds (``language``, ``user_id``, ``establishment_ids``). Task bodies must not use
  those three names.
- The worker reloads the organization (gone: the task does nothing and returns ``None``) and runs the
  body with the ``Organization`` as its first argument, inside ``tenant_scope(organization,
  establishments=…)``, ``translation.override(language)`` and ``pghistory.context(user=…,
  source="celery")``: tenant-owned queries need no ``scopes_disabled``, e-mails and files come out in
  the requester's language, history rows name who caused them.
- The message leaves once the current transaction commits (at once outside one), so a worker never
  looks for a row the request has not committed yet, and a rolled-back request sends nothing.
- Tasks are thin: the work is a service function.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

import pghistory
from celery import Task, shared_task
from django.conf import settings
from django.db import connection, transaction
from django.utils import translation

from apps.core.tenancy import tenant_scope
from apps.tenants.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

logger = logging.getLogger(__name__)


class TenantTask(Task):
    """Base class of every task run for an organization (see the module docstring).

    ``queue_setting`` names the setting holding the task's queue, read when the task is enqueued
    (tests point it at a private queue); without it the task follows ``CELERY_TASK_ROUTES``.
    """

    queue_setting: str | None = None
    # Celery checks a message's arguments against the body, which does not take the keywords the base
    # consumes; ``enqueue_on_commit`` checks the task's own arguments instead, before the commit.
    typing = False

    def __call__(self, organization_id: int, *args: Any, language: str | None = None, user_id: int | None = None,
                 establishment_ids: list[int] | None = None, **kwargs: Any) -> Any:
        organization = Organization.objects.filter(pk=organization_id).first()
        if organization is None:
            logger.info("task %s skipped: organization %s no longer exists", self.name, organization_id)
            return None
        with tenant_scope(organization, establishments=establishment_ids), \
                translation.override(language or settings.LANGUAGE_CODE), \
                pghistory.context(user=user_id, source="celery"):
            # ``run``, not ``super().__call__``: that would push a bare request, and ``self.request`` (id,
            # retries, the message's ids that a retry re-sends) would be lost to the body and to autoretry.
            return self.run(organization, *args, **kwargs)


def enqueue_on_commit(task: TenantTask, organization: Organization, *args: Any, language: str | None = None,
                      user: AbstractBaseUser | AnonymousUser | int | None = None,
                      establishments: Collection[int] | None = None, queue: str | None = None,
                      **kwargs: Any) -> None:
    """Send ``task`` for ``organization`` once the current transaction commits.

    ``language`` defaults to the active one (the request's); ``user`` (or its id) is recorded in the
    history context; ``establishments`` limits the task's scope (``None``: every establishment);
    ``queue`` overrides the task's own queue. ``args`` and ``kwargs`` are the task's (ids, not objects).
    """
    check_arguments = getattr(task, "__header__", None)
    if check_arguments is not None:
        check_arguments(organization.pk, *args, **kwargs)  # a TypeError now, in the caller, not in the worker
    user_id = user if isinstance(user, int) or user is None else (user.pk if user.is_authenticated else None)
    message_kwargs = {
        **kwargs,
        "language": language or translation.get_language() or settings.LANGUAGE_CODE,
        "user_id": user_id,
        "establishment_ids": sorted(establishments) if establishments is not None else None,
    }
    if queue is None and task.queue_setting:
        queue = getattr(settings, task.queue_setting)
    options = {"queue": queue} if queue else {}
    message_args = [organization.pk, *args]
    transaction.on_commit(lambda: task.apply_async(args=message_args, kwargs=message_kwargs, **options))


@shared_task(name="core.ping")
def ping() -> dict[str, object]:
    """Health probe for workers: proves the worker reaches the broker and the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (value,) = cursor.fetchone()
    return {"pong": True, "database": value == 1}
