"""Warm by construction: once a write to the BIA graph commits, the worker computes the analysis again.

- Every save or delete of a row the graph is made of (``GRAPH_MODELS``; bulk updates call
  ``refresh_on_commit`` themselves) asks for a refresh after the transaction commits, once per
  transaction and organization (an import of 3,000 rows asks once).
- ``request_refresh`` debounces: the first request sends ``bia.analysis_refresh`` to the worker with a
  ``REFRESH_DELAY`` countdown and marks it pending in Redis; the requests that follow while it is
  pending send nothing (a burst of writes gives one computation). The task clears the mark as it
  starts, so a write during the computation asks again.
- The task (``apps.bia.selectors.refresh_analysis``) stores the new analysis in place of the old one
  (one key per organization and scope); the first viewer then finds it in Redis.

Nothing here is needed for correctness: a reader always checks the graph's fingerprint and computes
the analysis itself when the stored one is not current (worker down, write outside the ORM).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

REFRESH_DELAY = 2  # seconds: the writes of a burst land before the worker starts computing
PENDING_TTL = 120  # a refresh lost with its worker does not block the next ones longer than this
GRAPH_MODELS = ("bia.Activity", "bia.Resource", "bia.ActivityDependency", "bia.ResourceDependency",
                "bia.ActivityLink", "backups.RestoreTest", "tenants.Establishment")


def pending_key(organization_id: int) -> str:
    return f"bia:analysis-refresh:{organization_id}"


def request_refresh(organization_id: int) -> bool:
    """Send one refresh to the worker unless one is already pending; True when one was sent.

    Runs after a write has committed: an unreachable cache or broker must not turn that saved write
    into an error page (the next reader computes the analysis itself).
    """
    from apps.bia.tasks import analysis_refresh

    try:
        if not cache.add(pending_key(organization_id), 1, PENDING_TTL):
            return False
        analysis_refresh.apply_async(args=[organization_id], countdown=REFRESH_DELAY,
                                     queue=settings.ANALYSIS_QUEUE)
    except Exception:  # noqa: BLE001 - any cache or broker failure; the write it follows is already saved
        logger.warning("BIA analysis refresh of organization %s not requested", organization_id, exc_info=True)
        return False
    return True


def refresh_started(organization_id: int) -> None:
    """The task clears the mark before computing: a write from now on asks for another refresh."""
    cache.delete(pending_key(organization_id))


def refresh_on_commit(organization_id: int) -> None:
    """Ask for a refresh once the current transaction commits (at once outside one); once per
    transaction and organization, nothing if it rolls back."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
            getattr(entry[1], "bia_refresh_organization_id", None) == organization_id
            for entry in connection.run_on_commit):
        return

    def run() -> None:
        request_refresh(organization_id)

    run.bia_refresh_organization_id = organization_id  # type: ignore[attr-defined]
    transaction.on_commit(run)


def on_graph_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``post_save`` / ``post_delete`` receiver of ``GRAPH_MODELS``."""
    if kwargs.get("raw"):  # fixtures being loaded
        return
    organization_id = getattr(instance, "organization_id", None)
    if organization_id is not None:
        refresh_on_commit(organization_id)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in GRAPH_MODELS:
        post_save.connect(on_graph_change, sender=model, dispatch_uid=f"bia-refresh-save-{model}")
        post_delete.connect(on_graph_change, sender=model, dispatch_uid=f"bia-refresh-delete-{model}")
