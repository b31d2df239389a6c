"""The guided CaRE journey shown on the organization's home page.

Stages come from ``apps.core.navigation.stages()``: each app registers its own with a ``progress``
callable, so a new app plugs in without editing this file. Stages of the CaRE D2 work that no app
provides yet are listed in ``UPCOMING_STAGES`` and shown as « à venir »; each disappears from that
list as soon as an app registers a stage with the same key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.compliance.catalogue import Milestone, current_catalogue
from apps.compliance.selectors import requirement_statuses, status_summary
from apps.core.navigation import link_allowed, stages

if TYPE_CHECKING:
    from apps.tenants.models import Membership, Organization

# (key, order, label) of the CaRE D2 stages, in the order of the work (DOMAIN.md §2).
UPCOMING_STAGES: list[tuple[str, int, Promise]] = [
    ("governance", 200, _("Organisation and governance")),
    ("bia", 300, _("Business impact analysis (BIA)")),
    ("plans", 400, _("Continuity and recovery plans")),
    ("backups", 500, _("Backups and restoration")),
    ("exercises", 600, _("Tests and exercises")),
    ("dossier", 900, _("CaRE dossier")),
]
# Registered stages that are navigation only, not a step of the CaRE work.
NOT_JOURNEY = {"home", "organization", "compliance", "actions", "costs", "declaration"}
# Shown in the journey with their next action (« 3 copies périmées »), but not a step of the CaRE work: no column
# of the consultant portfolio, no share of its progress.
NOT_SCORED = {"crisis"}


@dataclass
class JourneyStage:
    key: str
    order: int
    label: Any
    description: Any = ""
    available: bool = True
    percent: int | None = None
    missing: list[Any] = field(default_factory=list)
    next_label: Any = None
    next_url: str | None = None
    can_act: bool = False  # the next step is the member's to take (else the link only opens the stage's page)

    @property
    def state(self) -> str:
        if not self.available:
            return "upcoming"
        if self.percent is None:
            return "open"
        if self.percent >= 100:
            return "done"
        return "started" if self.percent > 0 else "todo"


def _reverse(url_name: str, slug: str) -> str | None:
    try:
        return reverse(url_name, kwargs={"org_slug": slug})
    except NoReverseMatch:
        return url_name if url_name.startswith("/") else None


def progress_stages() -> list[Any]:
    """Registered stages of the CaRE work that measure their progress (journey, portfolio)."""
    return [s for s in stages() if s.key not in NOT_JOURNEY | NOT_SCORED and s.progress is not None]


def stage_progress(stage: Any, organization: Organization) -> tuple[int, dict[str, Any]]:
    """The stage's percentage (clamped to 0–100) and its full progress dict."""
    progress = stage.progress(organization)
    return max(0, min(100, int(progress.get("percent", 0)))), progress


def journey_stages(*, organization: Organization, membership: Membership) -> list[JourneyStage]:
    """Registered stages with their computed progress, then the « à venir » ones, in CaRE order."""
    result: list[JourneyStage] = []
    registered = set()
    editor = any(c.endswith(".change") for c in membership.capabilities)
    for stage in stages():
        registered.add(stage.key)
        if stage.key in NOT_JOURNEY or not membership.has_capability(stage.capability):
            continue
        item = JourneyStage(key=stage.key, order=stage.order, label=stage.label, description=stage.description)
        if stage.progress is not None:
            item.percent, progress = stage_progress(stage, organization)
            item.missing = list(progress.get("missing", []))
            next_action = progress.get("next_action")
            # The stage's next step only for a member who may take it (``link_allowed``: never a 403); else the
            # first of the stage's links they may open.
            if next_action and link_allowed(membership, next_action[1]):
                item.next_label, url_name = next_action
                item.next_url = _reverse(url_name, organization.slug)
                # A reader follows the link to read; only a member who changes things is offered a « next step ».
                item.can_act = editor
        if item.next_url is None and stage.links:
            link = next((link for link in stage.links
                         if link_allowed(membership, link.url_name, link.capability)), None)
            if link:
                item.next_label, item.next_url = link.label, _reverse(link.url_name, organization.slug)
        result.append(item)
    for key, order, label in UPCOMING_STAGES:
        if key not in registered:
            result.append(JourneyStage(key=key, order=order, label=label, available=False))
    return sorted(result, key=lambda s: s.order)


@dataclass
class CalendarEntry:
    milestone: Milestone
    past: bool
    days_left: int


def care_calendar(*, today: date | None = None) -> list[CalendarEntry]:
    today = today or timezone.localdate()
    return [CalendarEntry(milestone=m, past=m.date < today, days_left=(m.date - today).days)
            for m in current_catalogue().calendar]


def journey_context(*, organization: Organization, membership: Membership) -> dict[str, Any]:
    statuses = requirement_statuses(organization=organization)
    catalogue = current_catalogue()
    return {
        "journey": journey_stages(organization=organization, membership=membership),
        "calendar": care_calendar(),
        "requirement_statuses": statuses,
        "requirement_summary": status_summary(statuses),
        "catalogue": catalogue,
    }
