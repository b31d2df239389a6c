"""Reads of the crisis day (never write): the live state, the kit's content, the copy register, « what if »."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from apps.bia import engine
from apps.continuity.models import DegradedMode, Plan, PlanVersion, RecoveryStep, ReflexSheet, VersionActivity
from apps.crisis import simulate
from apps.crisis.models import (
    Crisis,
    CrisisLogEntry,
    CrisisPlanVersion,
    DegradedActivation,
    KitCopy,
    RecoveryProgress,
    ReflexTick,
    SignalementDone,
)

if TYPE_CHECKING:
    from apps.tenants.models import Establishment, Organization


def crisis_queryset(*, organization: Organization) -> QuerySet[Crisis]:
    return Crisis.objects.filter(organization=organization).select_related("scenario", "establishment",
                                                                           "activated_by", "closed_by")


def crisis_list(*, organization: Organization) -> list[Crisis]:
    return list(crisis_queryset(organization=organization).annotate(
        entry_count=Count("log_entries", distinct=True)))


def activated_versions(*, crisis: Crisis) -> list[PlanVersion]:
    ids = CrisisPlanVersion.objects.filter(organization_id=crisis.organization_id, crisis=crisis).values("version_id")
    return list(PlanVersion.objects.filter(organization_id=crisis.organization_id, pk__in=ids)
                .select_related("plan").order_by("plan__title"))


def crisis_activity_ids(*, crisis: Crisis) -> set[int]:
    ids = CrisisPlanVersion.objects.filter(organization_id=crisis.organization_id, crisis=crisis).values("version_id")
    return set(VersionActivity.objects.filter(organization_id=crisis.organization_id, version_id__in=ids)
               .values_list("activity_id", flat=True))


def log_entries(*, crisis: Crisis) -> QuerySet[CrisisLogEntry]:
    return (CrisisLogEntry.objects.filter(organization_id=crisis.organization_id, crisis=crisis)
            .select_related("author").order_by("-occurred_at", "-id"))


@dataclass
class ActivityClock:
    activity_id: int
    name: str
    dmia_hours: float | None
    dmia_deadline: datetime.datetime | None
    dmia_left_seconds: int | None
    workaround_hours: float | None
    degraded_at: datetime.datetime | None = None
    degraded_by: str = ""
    degraded_until: datetime.datetime | None = None
    degraded_left_seconds: int | None = None
    has_degraded_mode: bool = False

    @property
    def dmia_exceeded(self) -> bool:
        return self.dmia_left_seconds is not None and self.dmia_left_seconds < 0

    @property
    def degraded_exceeded(self) -> bool:
        return self.degraded_left_seconds is not None and self.degraded_left_seconds < 0


@dataclass
class SheetLine:
    index: int
    text: str
    ticked_at: datetime.datetime | None = None
    ticked_by: str = ""


@dataclass
class Sheet:
    sheet: ReflexSheet
    plan: str
    lines: list[SheetLine] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for line in self.lines if line.ticked_at)


@dataclass
class LiveState:
    now: datetime.datetime
    elapsed_seconds: int
    activities: list[ActivityClock]
    sheets: list[Sheet]
    recovery: list[RecoveryProgress]
    signalements: list[SignalementDone]
    versions: list[PlanVersion]


def _left(deadline: datetime.datetime | None, now: datetime.datetime) -> int | None:
    return None if deadline is None else int((deadline - now).total_seconds())


def _name(user: Any) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


def live_state(*, crisis: Crisis, now: datetime.datetime | None = None) -> LiveState:
    """Everything the live page shows, in a fixed number of queries whatever the crisis's size."""
    from apps.bia.models import Activity, ActivityDependency

    org = crisis.organization_id
    now = now or (crisis.closed_at if crisis.closed_at else timezone.now())
    versions = activated_versions(crisis=crisis)
    version_ids = [v.pk for v in versions]
    activity_ids = set(VersionActivity.objects.filter(organization_id=org, version_id__in=version_ids)
                       .values_list("activity_id", flat=True))
    workaround = dict(ActivityDependency.objects.filter(
        organization_id=org, activity_id__in=activity_ids, workaround_exists=True, workaround_hours__isnull=False)
        .values("activity_id").annotate(h=Min("workaround_hours")).values_list("activity_id", "h"))
    with_mode = set(DegradedMode.objects.filter(organization_id=org, version_id__in=version_ids)
                    .values_list("activity_id", flat=True))
    activations = {a.activity_id: a for a in DegradedActivation.objects.filter(
        organization_id=org, crisis=crisis).select_related("activated_by")}
    clocks = []
    for activity in Activity.objects.filter(organization_id=org, pk__in=activity_ids).select_related("establishment"):
        dmia = activity.dmia_hours
        deadline = crisis.activated_at + datetime.timedelta(hours=float(dmia)) if dmia is not None else None
        wh = workaround.get(activity.pk)
        clock = ActivityClock(activity_id=activity.pk, name=activity.name, dmia_hours=dmia, dmia_deadline=deadline,
                              dmia_left_seconds=_left(deadline, now), workaround_hours=wh,
                              has_degraded_mode=activity.pk in with_mode)
        act = activations.get(activity.pk)
        if act is not None:
            clock.degraded_at, clock.degraded_by = act.activated_at, _name(act.activated_by)
            if wh is not None:
                clock.degraded_until = act.activated_at + datetime.timedelta(hours=float(wh))
                clock.degraded_left_seconds = _left(clock.degraded_until, now)
        clocks.append(clock)
    clocks.sort(key=lambda c: (c.dmia_left_seconds is None, c.dmia_left_seconds or 0, c.name))
    ticks = {(t.sheet_id, t.line): t for t in ReflexTick.objects.filter(organization_id=org, crisis=crisis)
             .select_related("ticked_by")}
    plan_titles = {v.pk: v.plan.title for v in versions}
    sheets = []
    for sheet in ReflexSheet.objects.filter(organization_id=org, version_id__in=version_ids).order_by("order", "role"):
        item = Sheet(sheet=sheet, plan=plan_titles.get(sheet.version_id, ""))
        for index, text in enumerate(x.strip() for x in sheet.first_actions.splitlines() if x.strip()):
            tick = ticks.get((sheet.pk, index))
            item.lines.append(SheetLine(index=index, text=text, ticked_at=tick.ticked_at if tick else None,
                                        ticked_by=_name(tick.ticked_by) if tick else ""))
        sheets.append(item)
    recovery = list(RecoveryProgress.objects.filter(organization_id=org, crisis=crisis)
                    .select_related("resource", "verified_by").order_by("position", "id"))
    signalements = list(SignalementDone.objects.filter(organization_id=org, crisis=crisis).select_related("done_by"))
    for s in signalements:
        s.crisis = crisis
        s.left_seconds = _left(s.deadline, now)  # type: ignore[attr-defined]
    for r in recovery:
        r.crisis = crisis
    return LiveState(now=now, elapsed_seconds=int((now - crisis.activated_at).total_seconds()), activities=clocks,
                     sheets=sheets, recovery=recovery, signalements=signalements, versions=versions)


def duration_label(seconds: int | None) -> str:
    """« 3 h 05 », « -0 h 12 » (exceeded), « 2 j 4 h »."""
    if seconds is None:
        return "—"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    minutes = seconds // 60
    days, rest = divmod(minutes, 24 * 60)
    if days:
        return f"{sign}{days} j {rest // 60} h"
    return f"{sign}{rest // 60} h {rest % 60:02d}"


# --- The kit --------------------------------------------------------------------------------

def kit_versions(*, organization: Organization, establishment: Establishment | None) -> list[PlanVersion]:
    """The approved, current version of each plan in the kit: the establishment's plans and the organization's
    shared ones (no establishment); every plan for the organization's kit."""
    plans = Plan.objects.filter(organization=organization, is_archived=False)
    if establishment is not None:
        plans = plans.filter(Q(establishment=establishment) | Q(establishment__isnull=True))
    return list(PlanVersion.objects.filter(organization=organization, plan__in=plans,
                                           status=PlanVersion.Status.APPROVED)
                .select_related("plan").order_by("plan__title"))


def kit_context(*, organization: Organization, establishment: Establishment | None,
                versions: list[PlanVersion]) -> dict[str, Any]:
    """What the offline kit holds (DOMAIN.md §11)."""
    from apps.bia.models import Resource
    from apps.governance import selectors as governance

    version_ids = [v.pk for v in versions]
    roles = governance.crisis_roles(organization=organization)
    profile = governance.governance_profile(organization=organization)
    sheets = list(ReflexSheet.objects.filter(organization=organization, version_id__in=version_ids)
                  .select_related("version__plan").order_by("order", "role"))
    modes = list(DegradedMode.objects.filter(organization=organization, version_id__in=version_ids)
                 .select_related("activity", "scenario", "version__plan").order_by("version__plan__title",
                                                                                    "activity__name"))
    steps = list(RecoveryStep.objects.filter(organization=organization, version_id__in=version_ids)
                 .select_related("resource", "version__plan").order_by("version__plan__title", "position"))
    suppliers = Resource.objects.filter(organization=organization, kind=Resource.Kind.SUPPLIER)
    if establishment is not None:
        suppliers = suppliers.filter(Q(establishment=establishment) | Q(establishment__isnull=True))
    duties = list(governance.duty_list(organization=organization))
    return {"organization": organization, "establishment": establishment, "versions": versions, "roles": roles,
            "profile": profile, "sheets": sheets, "modes": modes, "steps": steps,
            "suppliers": list(suppliers.order_by("name")), "duties": duties,
            "default_duties": [] if duties else DEFAULT_DUTIES}


DEFAULT_DUTIES = [
    ("CERT Santé (portail de signalement des incidents)", "Sans délai"),
    ("ARS", "Sans délai"),
    ("ANSSI", "Sans délai"),
    ("CNIL (violation de données personnelles)", "72 h"),
    ("Plainte (police / gendarmerie)", "Dès que possible"),
]


def register(*, organization: Organization) -> list[KitCopy]:
    return list(KitCopy.objects.filter(organization=organization).select_related("establishment",
                                                                                  "holder_member__user"))


def stale_count(*, organization: Organization) -> int:
    return KitCopy.objects.filter(organization=organization, state=KitCopy.State.STALE).count()


# --- « What if » ------------------------------------------------------------------------------

def run_simulation(*, organization: Organization, resource_ids: list[int], duration_hours: float,
                   establishment: Establishment | None = None,
                   ) -> tuple[engine.Graph, simulate.SimulationResult, dict[str, Any]]:
    """The simulation on the organization's cached BIA graph (``apps.bia.selectors.bia_analysis``)."""
    from apps.bia.selectors import bia_analysis

    graph, _analysis = bia_analysis(organization=organization)
    activity_ids = None
    if establishment is not None:
        activity_ids = [pk for pk, a in graph.activities.items() if a.establishment_id == establishment.pk]
    result = simulate.simulate(graph, resource_ids, duration_hours, activity_ids=activity_ids)
    return graph, result, simulate.as_json(graph, result)
