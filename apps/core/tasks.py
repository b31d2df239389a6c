"""Celery conventions for Resilis.

Tasks receive ids, organization id first, reload everything through the tenant and run inside
its scope and language (see ``tenant_context``), after pretix's tenant-aware tasks. They are thin:
the work is a service function. Enqueue with ``transaction.on_commit`` so a worker never sees a
row that the request has not committed yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pghistory
from celery import shared_task
from django.conf import settings
from django.db import connection
from django.utils import translation
from django_scopes import scope

from apps.tenants.models import Organization


@contextmanager
def tenant_context(organization_id: int, *, user_id: int | None = None, language: str | None = None
                   ) -> Iterator[Organization]:
    """Load the organization, enter its scope, its language and a history context."""
    organization = Organization.objects.get(pk=organization_id)
    with scope(organization=organization), translation.override(language or settings.LANGUAGE_CODE), \
            pghistory.context(user=user_id, source="celery"):
        yield organization


@shared_task(name="core.ping")
def ping() -> dict[str, object]:
    """Health probe for workers: proves the worker reaches the broker and the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (value,) = cursor.fetchone()
    return {"pong": True, "database": value == 1}
