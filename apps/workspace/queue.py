"""« À approuver »: what waits for a decision, from a registry of queue sources.

Each app (or this module, for the apps that do not register their own) adds a ``QueueSource``: who may see it
(any of ``capabilities``) and a function listing the waiting items. An item's link is shown only when the member
may open it (``apps.core.navigation.link_allowed``). Another app adds its own source from its
``AppConfig.ready`` — the declaration to sign (apps/declaration) is meant to::

    from apps.workspace.queue import QueueItem, QueueSource, register_queue_source
    register_queue_source(QueueSource(key="declaration", order=40, label=_("Declaration to sign"),
                                      capabilities=("compliance.sign",), items=declarations_to_sign))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.core.navigation import link_allowed

if TYPE_CHECKING:
    from apps.tenants.models import Membership, Organization

LISTED = 10


@dataclass
class QueueItem:
    label: str
    url_name: str
    url_kwargs: dict[str, Any] = field(default_factory=dict)
    detail: str = ""
    since: Any = None  # a datetime: how long it has waited


@dataclass(frozen=True)
class QueueSource:
    key: str
    order: int
    label: str | Promise
    capabilities: tuple[str, ...]
    items: Callable[[Organization, Membership], list[QueueItem]] = field(compare=False)


_SOURCES: dict[str, QueueSource] = {}


def register_queue_source(source: QueueSource) -> None:
    _SOURCES[source.key] = source


def queue_sources() -> list[QueueSource]:
    return sorted(_SOURCES.values(), key=lambda s: s.order)


def visible_sources(membership: Membership) -> list[QueueSource]:
    return [s for s in queue_sources() if any(membership.has_capability(c) for c in s.capabilities)]


def approval_queue(*, organization: Organization, membership: Membership) -> list[dict[str, Any]]:
    """The sources this member sees, each with its waiting items (links they may follow only)."""
    result = []
    for source in visible_sources(membership):
        items = []
        for item in source.items(organization, membership):
            url = None
            if link_allowed(membership, item.url_name):
                url = reverse(item.url_name, kwargs={"org_slug": organization.slug, **item.url_kwargs})
            items.append({"label": item.label, "url": url, "detail": item.detail, "since": item.since})
        result.append({"key": source.key, "label": source.label, "items": items[:LISTED],
                       "more": max(0, len(items) - LISTED), "count": len(items)})
    return result


# --- The sources of the apps already here ---------------------------------------------------------------------

def _plans_submitted(organization: Organization, membership: Membership) -> list[QueueItem]:
    from apps.continuity.models import PlanVersion

    versions = (PlanVersion.objects.filter(organization=organization, status=PlanVersion.Status.SUBMITTED)
                .select_related("plan").order_by("submitted_at"))
    return [QueueItem(label=str(v.plan), url_name="continuity:plan-detail", url_kwargs={"pk": v.plan_id},
                      detail=f"v{v.number}", since=v.submitted_at) for v in versions]


def _bia_submitted(organization: Organization, membership: Membership) -> list[QueueItem]:
    from apps.bia.models import Activity

    activities = (Activity.objects.filter(organization=organization, status=Activity.Status.SUBMITTED)
                  .select_related("establishment").order_by("submitted_at"))
    return [QueueItem(label=a.name, url_name="bia:activity-detail", url_kwargs={"pk": a.pk},
                      detail=str(a.establishment), since=a.submitted_at) for a in activities]


def _retex_submitted(organization: Organization, membership: Membership) -> list[QueueItem]:
    from apps.exercises.models import Retex

    retexes = (Retex.objects.filter(organization=organization, status=Retex.Status.SUBMITTED)
               .select_related("exercise").order_by("updated_at"))
    return [QueueItem(label=str(r.exercise), url_name="exercises:retex", url_kwargs={"pk": r.exercise_id},
                      since=r.updated_at) for r in retexes]


def register_builtin_sources() -> None:
    register_queue_source(QueueSource(key="plans", order=10, label=_("Plans submitted for approval"),
                                      capabilities=("plans.approve",), items=_plans_submitted))
    # The direction follows the BIAs waiting for the RPCRA's validation; the RPCRA validates them.
    register_queue_source(QueueSource(key="bia", order=20, label=_("BIAs awaiting validation"),
                                      capabilities=("bia.validate", "plans.approve"), items=_bia_submitted))
    register_queue_source(QueueSource(key="retex", order=30, label=_("RETEX to approve"),
                                      capabilities=("exercises.approve",), items=_retex_submitted))
