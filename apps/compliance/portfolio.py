"""Progress of each organization for the consultant's portfolio (« Mon portefeuille »).

An organization's CaRE status runs every requirement check (about 30 queries, 50 ms on the demo
GHT); a consultant may follow 200 organizations. So each organization's summary is computed once
and kept in the cache:

- it is dropped as soon as a row of that organization is saved or deleted (signals on every
  ``TenantModel``, after commit), and expires after ``SUMMARY_TTL`` whatever happens (bulk writes
  send no signal);
- a portfolio page never computes one itself: it sends every summary it lacks to the Celery worker
  (``portfolio_refresh``) and shows « calcul en cours » until they land (the table reloads itself).
  So the page's query count is the same whether 0, 1 or 50 summaries are missing (computing one
  inline took about 24 queries).

A summary holds numbers only (no labels): the page translates them when it renders.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from apps.compliance.journey import progress_stages, stage_progress
from apps.compliance.registry import CheckResult
from apps.compliance.selectors import requirement_statuses, status_summary
from apps.core.tasks import enqueue_on_commit

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Organization

SUMMARY_TTL = 3600
PENDING_TTL = 120  # a refresh sent less than this ago is not sent again
INLINE_LIMIT = 0  # summaries a page computes itself: none (each costs ~24 queries), the worker does
# Bump when the summary's shape changes: old cached summaries are then ignored.
VERSION = 1

logger = logging.getLogger(__name__)


def summary_key(organization_id: int) -> str:
    return f"portfolio:summary:v{VERSION}:{organization_id}"


def _pending_key(organization_id: int) -> str:
    return f"portfolio:pending:{organization_id}"


def compute_summary(organization: Organization) -> dict[str, Any]:
    """Requirement counts and journey stage progress of ``organization``; stored in the cache."""
    with scope(organization=organization):
        statuses = requirement_statuses(organization=organization)
        counts = status_summary(statuses)
        stage_percents = [{"key": stage.key, "percent": stage_progress(stage, organization)[0]}
                          for stage in progress_stages()]
    summary = {
        "met": counts[CheckResult.MET],
        "partial": counts[CheckResult.PARTIAL],
        "not_met": counts[CheckResult.NOT_MET],
        "total": len(statuses),
        "stages": stage_percents,
        "percent": round(sum(s["percent"] for s in stage_percents) / len(stage_percents)) if stage_percents else 0,
        "computed_at": timezone.now().isoformat(),
    }
    cache.set(summary_key(organization.pk), summary, SUMMARY_TTL)
    cache.delete(_pending_key(organization.pk))
    return summary


def cached_summaries(organization_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The summaries already in the cache (one round trip for the whole page)."""
    ids = list(organization_ids)
    found = cache.get_many([summary_key(pk) for pk in ids])
    return {pk: found[summary_key(pk)] for pk in ids if summary_key(pk) in found}


def summaries_for(organizations: list[Any]) -> tuple[dict[int, dict[str, Any]], list[int]]:
    """Summaries of ``organizations``: the cached ones; the missing ones are sent to the worker (once
    per ``PENDING_TTL``). No query: the cache only.

    Returns the summaries and the ids still being computed.
    """
    summaries = cached_summaries(o.pk for o in organizations)
    missing = [o for o in organizations if o.pk not in summaries]
    if len(missing) <= INLINE_LIMIT:
        for organization in missing:
            summaries[organization.pk] = compute_summary(organization)
        return summaries, []
    from apps.compliance.tasks import portfolio_refresh

    for organization in missing:
        if cache.add(_pending_key(organization.pk), True, PENDING_TTL):
            enqueue_on_commit(portfolio_refresh, organization)
    return summaries, [o.pk for o in missing]


def lock_behind_mfa(rows: list[dict[str, Any]], *, user: User) -> list[Any]:
    """Mark ``row["mfa_locked"]`` on organizations that require MFA from a user without it; return the others.

    Such an organization shows none of its figures (its pages redirect to the MFA set-up, see
    ``apps.tenants.middleware``), so its summary is neither shown nor even computed for this page.
    """
    has_mfa: bool | None = None
    open_organizations = []
    for row in rows:
        organization = row["organization"]
        if organization.mfa_required and has_mfa is None:
            has_mfa = bool(user.has_mfa)  # one query, only when an organization asks for it
        row["mfa_locked"] = bool(organization.mfa_required and not has_mfa)
        if not row["mfa_locked"]:
            open_organizations.append(organization)
    return open_organizations


def invalidate(organization_id: int) -> None:
    """Drop the summary. Runs after a user's write has committed: an unreachable cache must not turn
    that saved write into an error page (the summary then expires on its own, ``SUMMARY_TTL``)."""
    try:
        cache.delete(summary_key(organization_id))
    except Exception:  # noqa: BLE001 - any cache failure; the write it follows is already saved
        logger.warning("portfolio summary of organization %s not dropped: cache unreachable", organization_id,
                       exc_info=True)


def drop_summary_on_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``post_save`` / ``post_delete`` receiver: a tenant row changed, its organization's summary goes.

    Deduplicated per transaction (an import of 3,000 rows drops the summary once, after commit).
    """
    from apps.core.models import TenantModel

    organization_id = getattr(instance, "organization_id", None)
    if organization_id is None or not isinstance(instance, TenantModel):
        return
    connection = transaction.get_connection()
    # Already registered in this transaction? (Django drops these callbacks itself on rollback.)
    if any(getattr(entry[1], "portfolio_organization_id", None) == organization_id
           for entry in connection.run_on_commit):
        return

    def run() -> None:
        invalidate(organization_id)

    run.portfolio_organization_id = organization_id  # type: ignore[attr-defined]
    transaction.on_commit(run)
