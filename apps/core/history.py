"""Row history for domain models: ``@track_history()`` on every tenant-owned model.

pghistory installs PostgreSQL triggers, so bulk updates and raw SQL are recorded too. The
context (user, URL) comes from ``pghistory.middleware.HistoryMiddleware`` for requests and from
``pghistory.context(user=…)`` in tasks and commands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pghistory
from django.db import models
from django.db.models import QuerySet

_M = TypeVar("_M", bound=models.Model)


def track_history(**kwargs: Any) -> Callable[[type[_M]], type[_M]]:
    """The class decorator."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs)


# Models whose « Historique » a member may read (``app_label.modelname``); each app registers its own
# from ``AppConfig.ready`` with ``register_history``.
_HISTORY_MODELS: set[str] = {"tenants.organization", "tenants.establishment", "tenants.site", "tenants.membership"}


def register_history(*labels: str) -> None:
    _HISTORY_MODELS.update(label.lower() for label in labels)


def history_readable(label: str) -> bool:
    return label in _HISTORY_MODELS


def history_for(obj: models.Model) -> QuerySet[Any]:
    """Events of one object, newest first. The caller has already resolved ``obj`` in its tenant."""
    from pghistory.models import Events

    return Events.objects.tracks(obj).order_by("-pgh_created_at")
