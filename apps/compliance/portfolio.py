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

A summary holds numbers only (no labels): the page translates them when it renders. Dates in it (the earliest
open milestone) are turned into « days left » and an urgency flag at render time (``deadline_of``), so a summary
computed yesterday still says today's truth.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from apps.compliance.catalogue import load_catalogue
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
VERSION = 2
# Urgent: requirements still open with this many days or fewer before the end of the CaRE phase (the catalogue's
# last calendar date, 31/12/2026).
URGENT_DAYS = 60

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
        milestone_due = _earliest_open_milestone(organization)
        stage_percents = [{"key": stage.key, "percent": stage_progress(stage, organization)[0]}
                          for stage in progress_stages()]
    summary = {
        "met": counts[CheckResult.MET],
        "partial": counts[CheckResult.PARTIAL],
        "not_met": counts[CheckResult.NOT_MET],
        "unchecked": counts["unchecked"],
        "total": len(statuses),
        "milestone_due": milestone_due.isoformat() if milestone_due else None,
        "stages": stage_percents,
        "percent": round(sum(s["percent"] for s in stage_percents) / len(stage_percents)) if stage_percents else 0,
        "computed_at": timezone.now().isoformat(),
    }
    cache.set(summary_key(organization.pk), summary, SUMMARY_TTL)
    cache.delete(_pending_key(organization.pk))
    return summary


def _earliest_open_milestone(organization: Organization) -> datetime.date | None:
    from django.db.models import Min

    from apps.backups.models import Milestone

    return Milestone.objects.filter(organization=organization, done_on__isnull=True).aggregate(
        due=Min("due_on"))["due"]


@dataclass(frozen=True)
class Deadline:
    """The next date an organization must meet, how many days are left, and whether it is urgent."""

    date: datetime.date
    label: str  # the catalogue's French label, or "" for a milestone of the organization's backup trajectory
    days_left: int
    late_milestone: bool
    urgent: bool

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


def deadline_of(summary: dict[str, Any], *, today: datetime.date | None = None) -> Deadline:
    """The nearest of: the earliest open milestone of the backup trajectories (late when past), and the next
    date of the CaRE calendar. Urgent when a milestone is late, or when requirements are still open with
    ``URGENT_DAYS`` or fewer before the end of the phase."""
    today = today or timezone.localdate()
    calendar = load_catalogue().calendar
    end = calendar[-1].date if calendar else datetime.date(2026, 12, 31)
    upcoming = next((m for m in calendar if m.date >= today), None)
    milestone = datetime.date.fromisoformat(summary["milestone_due"]) if summary.get("milestone_due") else None
    late = milestone is not None and milestone < today
    candidates: list[tuple[datetime.date, str]] = []
    if milestone is not None:
        candidates.append((milestone, ""))
    if upcoming is not None:
        candidates.append((upcoming.date, upcoming.label))
    date, label = min(candidates) if candidates else (end, "")
    open_requirements = summary.get("met", 0) < summary.get("total", 0)
    urgent = late or (open_requirements and (end - today).days <= URGENT_DAYS)
    return Deadline(date=date, label=label, days_left=(date - today).days, late_milestone=late, urgent=urgent)


# « Mon portefeuille » sorts: column key → how a row's summary sorts (rows without a summary go last).
SORTS = ("name", "progress", "met", "deadline", "urgency")


def sort_key(sort: str, name: str, summary: dict[str, Any] | None, today: datetime.date) -> tuple[Any, ...]:
    if sort == "name" or summary is None:
        return (summary is None, name.casefold())
    if sort == "progress":
        return (False, summary["percent"], name.casefold())
    if sort == "met":
        return (False, summary["met"], name.casefold())
    deadline = deadline_of(summary, today=today)
    if sort == "deadline":
        return (False, deadline.days_left, name.casefold())
    return (False, not deadline.urgent, deadline.days_left, name.casefold())


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


def prepare_dossiers(*, user: User, organization_ids: Iterable[int], request: Any = None) -> tuple[list[str], list[str]]:
    """Queue a dossier export (``apps.exports.services.export_request``) for ``user`` in each of these
    organizations where their membership may run exports; each runs in that organization's tenant scope and the
    member's establishment limit, like a request from its exports page. Returns the names queued and skipped."""
    from django_scopes import scopes_disabled

    from apps.core.tenancy import tenant_scope
    from apps.exports.models import ExportJob
    from apps.exports.services import export_request
    from apps.tenants.models import Membership

    with scopes_disabled():
        memberships = list(Membership.objects.filter(user=user, organization_id__in=list(organization_ids))
                           .select_related("organization").order_by("organization__name"))
    queued, skipped = [], []
    has_mfa = bool(user.has_mfa) if any(m.organization.mfa_required for m in memberships) else False
    for membership in memberships:
        organization = membership.organization
        if not membership.has_capability("exports.run") or (organization.mfa_required and not has_mfa):
            skipped.append(organization.name)
            continue
        with tenant_scope(organization, establishments=membership.allowed_establishment_ids):
            export_request(organization=organization, actor=user, kind=ExportJob.Kind.DOSSIER_PDF, request=request)
        queued.append(organization.name)
    return queued, skipped


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
