"""Row history for domain models: ``@track_history()`` on every tenant-owned model.

pghistory installs PostgreSQL triggers, so bulk updates and raw SQL are recorded too. The
context (user, URL) comes from ``pghistory.middleware.HistoryMiddleware`` for requests and from
``pghistory.context(user=…)`` in tasks and commands.
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.db import models
from django.db.models import QuerySet


def track_history(**kwargs: Any):  # noqa: ANN201 - returns a class decorator
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs)


def history_for(obj: models.Model) -> QuerySet:
    """Events of one object, newest first. The caller has already resolved ``obj`` in its tenant."""
    from pghistory.models import Events

    return Events.objects.tracks(obj).order_by("-pgh_created_at")
