"""Reads for the plan pages, the checks and the exports; tenant first, constant query counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from apps.bia import selectors as bia_selectors
from apps.bia.models import CRITICALITY_RANK, Activity, ActivityDependency, CarePerimeter
from apps.continuity import fingerprint as fp
from apps.continuity.models import (
    DegradedMode,
    NotApplicable,
    Plan,
    PlanActivity,
    PlanScenario,
    PlanVersion,
    RecoveryStep,
    ReflexSheet,
    Scenario,
    VersionActivity,
    VersionScenario,
)
from apps.continuity.recovery import dependency_violations, recovery_order

if TYPE_CHECKING:
    from apps.tenants.models import Organization

# The activities a scenario needs a degraded mode (or a « sans objet ») for: the critical and high ones of the
# perimeter, as the coverage matrix shows them; a perimeter with none of them needs it for all its activities.
COVERAGE_CRITICALITIES = ("critical", "high")

STEPS = (
    (1, "perimeter"), (2, "prefill"), (3, "degraded"), (4, "reflex"), (5, "recovery"), (6, "return"), (7, "submit"),
)


def scenario_list(*, organization: Organization) -> list[Scenario]:
    """The organization's scenarios in the order of their kinds (created with the organization)."""
    order = list(Scenario.Kind.values)
    return sorted(Scenario.objects.filter(organization=organization), key=lambda s: order.index(s.kind))


def plan_queryset(*, organization: Organization) -> QuerySet[Plan]:
    return Plan.objects.filter(organization=organization, is_archived=False)


def _approved_versions(organization: Organization, plan_ids: list[int]) -> dict[int, PlanVersion]:
    result: dict[int, PlanVersion] = {}
    for v in (PlanVersion.objects.filter(organization=organization, plan_id__in=plan_ids,
                                         status=PlanVersion.Status.APPROVED).select_related("approved_by")):
        result[v.plan_id] = v
    return result


@dataclass
class PlanListItem:
    """A plan of the list page and the exports, with what they show beside it."""

    plan: Plan
    approved_version: PlanVersion | None  # the last approved version, if any
    scenarios: list[Scenario]
    activities: list[Activity]
    review_changes: list[str]  # what changed in the BIA since approval (« à revoir » when not empty)


def plan_list(*, organization: Organization) -> list[PlanListItem]:
    """Plans with their scenarios, activities, last approved version and the « à revoir » flag."""
    plans = list(plan_queryset(organization=organization)
                 .select_related("establishment", "unit", "current_version")
                 .prefetch_related(Prefetch("plan_scenarios", queryset=PlanScenario.objects.select_related("scenario")),
                                   Prefetch("plan_activities", queryset=PlanActivity.objects.select_related("activity")))
                 .order_by("title"))
    approved = _approved_versions(organization, [p.pk for p in plans])
    state = fp.bia_state(organization=organization) if approved else None
    frozen: dict[int, list[int]] = defaultdict(list)
    for v, a in VersionActivity.objects.filter(organization=organization, version_id__in=[
            v.pk for v in approved.values()]).values_list("version_id", "activity_id"):
        frozen[v].append(a)
    items: list[PlanListItem] = []
    for plan in plans:
        item = PlanListItem(plan=plan, approved_version=approved.get(plan.pk),
                            scenarios=[ps.scenario for ps in plan.plan_scenarios.all()],
                            activities=[pa.activity for pa in plan.plan_activities.all()], review_changes=[])
        if item.approved_version is not None and state is not None:
            item.review_changes = fp.fingerprint_changes(
                item.approved_version.bia_fingerprint, fp.fingerprint(state, frozen.get(item.approved_version.pk, [])))
        items.append(item)
    return items


def plan_members(*, plan: Plan) -> tuple[list[Activity], list[Scenario]]:
    activities = [pa.activity for pa in PlanActivity.objects.filter(organization=plan.organization, plan=plan)
                  .select_related("activity", "activity__establishment", "activity__unit")]
    activities.sort(key=lambda a: (a.dmia_hours is None, a.dmia_hours or 0, a.name))
    scenarios = [ps.scenario for ps in PlanScenario.objects.filter(organization=plan.organization, plan=plan)
                 .select_related("scenario").order_by("scenario_id")]
    return activities, scenarios


def review_changes(*, plan: Plan, approved: PlanVersion | None) -> list[str]:
    """What changed in the BIA the plan relies on since its last approval (empty: nothing)."""
    if approved is None:
        return []
    activity_ids, _scenario_ids = version_perimeter(version=approved)
    current = fp.fingerprint(fp.bia_state(organization=plan.organization), activity_ids)
    return fp.fingerprint_changes(approved.bia_fingerprint, current)


def version_perimeter(*, version: PlanVersion) -> tuple[list[int], list[int]]:
    """Activity and scenario ids of a version: frozen at approval, else the plan's perimeter being edited."""
    org = version.organization_id
    if version.perimeter_frozen:
        return (list(VersionActivity.objects.filter(organization_id=org, version=version)
                     .values_list("activity_id", flat=True)),
                list(VersionScenario.objects.filter(organization_id=org, version=version)
                     .values_list("scenario_id", flat=True)))
    return (list(PlanActivity.objects.filter(organization_id=org, plan_id=version.plan_id)
                 .values_list("activity_id", flat=True)),
            list(PlanScenario.objects.filter(organization_id=org, plan_id=version.plan_id)
                 .values_list("scenario_id", flat=True)))


def needs_degraded_mode(criticalities: dict[int, str]) -> list[int]:
    """The activities of a perimeter (id → criticality) each covered scenario needs a degraded mode for."""
    critical = [pk for pk, c in criticalities.items() if c in COVERAGE_CRITICALITIES]
    return sorted(critical or criticalities)


def covered_scenario_ids(criticalities: dict[int, str], scenario_ids: list[int],
                         written: set[tuple[int, int]]) -> set[int]:
    """THE coverage rule: a scenario of the perimeter is covered when every activity that needs a degraded mode
    (``needs_degraded_mode``) has one for it, or a « sans objet » with its reason (``written``: (activity, scenario)
    cells of the version)."""
    needed = needs_degraded_mode(criticalities)
    if not needed:
        return set()
    return {s for s in scenario_ids if all((a, s) in written for a in needed)}


def version_parts(*, version: PlanVersion) -> dict[str, Any]:
    org = version.organization_id
    return {
        "degraded_modes": list(DegradedMode.objects.filter(organization_id=org, version=version)
                               .select_related("activity", "scenario").order_by("activity__name", "scenario_id")),
        "reflex_sheets": list(ReflexSheet.objects.filter(organization_id=org, version=version).order_by("order", "role")),
        "recovery_steps": list(RecoveryStep.objects.filter(organization_id=org, version=version)
                               .select_related("resource").order_by("position", "id")),
        "not_applicable": list(NotApplicable.objects.filter(organization_id=org, version=version)
                               .select_related("activity", "activity__establishment", "scenario")
                               .order_by("activity__name", "scenario_id")),
    }


def _num(value: Any) -> Any:
    return None if value is None else float(value)


def version_content(*, version: PlanVersion) -> dict[str, Any]:
    """Everything written in a version, as JSON (the frozen snapshot of an approved version)."""
    if version.status in (PlanVersion.Status.APPROVED, PlanVersion.Status.SUPERSEDED) and version.snapshot:
        return version.snapshot
    plan = version.plan
    activities, scenarios = plan_members(plan=plan)
    parts = version_parts(version=version)
    warnings = recovery_warnings(organization=plan.organization, steps=parts["recovery_steps"])
    return {
        "plan": {
            "title": plan.title, "care_perimeter": str(plan.get_care_perimeter_display()),
            "establishment": str(plan.establishment) if plan.establishment_id else "",
            "unit": str(plan.unit) if plan.unit_id else "",
            "activities": [a.name for a in activities], "scenarios": [str(s) for s in scenarios],
        },
        "return": {f: getattr(version, f) for f in ("return_checks", "return_data_reentry", "return_communication")},
        "communication": {f: getattr(version, f) for f in ("communication_internal", "communication_patients",
                                                           "communication_ars", "communication_press")},
        "degraded_modes": {
            f"{d.activity.name} × {d.scenario}": {
                "activity_id": d.activity_id, "scenario_kind": d.scenario.kind, "trigger": d.trigger,
                "decided_by": d.decided_by, "activation_delay_hours": _num(d.activation_delay_hours),
                "procedure": d.procedure, "paper_forms": d.paper_forms, "minimum_staff": d.minimum_staff,
                "fallback_premises": d.fallback_premises, "data_capture": d.data_capture, "data_reentry": d.data_reentry,
            } for d in parts["degraded_modes"]
        },
        "reflex_sheets": {
            s.role: {"first_actions": s.first_actions, "who_to_call": s.who_to_call, "do_not": s.do_not}
            for s in parts["reflex_sheets"]
        },
        "not_applicable": {
            f"{n.activity.name} × {n.scenario}": {"activity_id": n.activity_id, "scenario_kind": n.scenario.kind,
                                                  "reason": n.reason}
            for n in parts["not_applicable"]
        },
        "recovery": [
            {"position": s.position, "resource": s.resource.name, "required_rto_hours": _num(s.required_rto_hours),
             "adjustment_reason": s.adjustment_reason if s.adjusted else "",
             "dependency_warning": warnings.get(s.resource_id, "")}
            for s in parts["recovery_steps"]
        ],
        "completeness": completeness(version=version),
    }


@dataclass
class DiffRow:
    section: str
    item: str
    field: str
    old: Any
    new: Any

    @property
    def changed(self) -> bool:
        return self.old != self.new


def _flatten(content: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    flat: dict[tuple[str, str, str], Any] = {}
    plan = content.get("plan", {})
    for key, value in plan.items():
        flat[("plan", "", key)] = ", ".join(value) if isinstance(value, list) else value
    for section in ("return", "communication"):
        for key, value in content.get(section, {}).items():
            flat[(section, "", key)] = value
    for section in ("degraded_modes", "reflex_sheets"):
        for item, fields in content.get(section, {}).items():
            for key, value in fields.items():
                if key in ("activity_id", "scenario_kind"):
                    continue
                flat[(section, item, key)] = value
    for item, fields in content.get("not_applicable", {}).items():
        flat[("not_applicable", item, "reason")] = fields.get("reason")
    for row in content.get("recovery", []):
        flat[("recovery", row["resource"], "position")] = row["position"]
        flat[("recovery", row["resource"], "required_rto_hours")] = row["required_rto_hours"]
        flat[("recovery", row["resource"], "adjustment_reason")] = row["adjustment_reason"]
        if row.get("dependency_warning"):
            flat[("recovery", row["resource"], "dependency_warning")] = row["dependency_warning"]
    return flat


def version_diff(*, old: dict[str, Any], new: dict[str, Any], only_changes: bool = False) -> list[DiffRow]:
    """Field-level comparison of two versions' contents."""
    a, b = _flatten(old), _flatten(new)
    keys = list(a) + [k for k in b if k not in a]
    rows = [DiffRow(section=k[0], item=k[1], field=k[2], old=a.get(k), new=b.get(k)) for k in keys]
    return [r for r in rows if r.changed] if only_changes else rows


def plan_versions(*, plan: Plan) -> list[PlanVersion]:
    return list(PlanVersion.objects.filter(organization=plan.organization, plan=plan)
                .select_related("approved_by", "submitted_by").order_by("-number"))


@dataclass
class Prefill:
    activities: list[Activity]
    dependencies: dict[int, list[ActivityDependency]]
    gaps: list[Any]
    cycles: list[list[str]]
    proposed_recovery: Any


def prefill(*, plan: Plan, activities: list[Activity]) -> Prefill:
    """What the BIA says about the perimeter: activities by DMIA, their dependencies, the gaps to address."""
    ids = [a.pk for a in activities]
    deps: dict[int, list[ActivityDependency]] = defaultdict(list)
    for d in (ActivityDependency.objects.filter(organization=plan.organization, activity_id__in=ids)
              .select_related("resource").order_by("resource__kind", "resource__name")):
        deps[d.activity_id].append(d)
    for a in activities:
        a.plan_dependencies = deps.get(a.pk, [])  # type: ignore[attr-defined]
    graph, analysis = bia_selectors.bia_analysis(organization=plan.organization)
    keys = {("activity", pk) for pk in ids}
    gaps = bia_selectors.gap_rows(graph, [g for g in analysis.gaps if g.path and g.path[0] in keys])
    for row in gaps:
        row.sentence = bia_selectors.gap_sentence(row)  # type: ignore[attr-defined]
    order = recovery_order(graph, ids)
    return Prefill(activities=activities, dependencies=dict(deps), gaps=gaps,
                   cycles=[[graph.resources[r].name for r in c] for c in order.cycles], proposed_recovery=order)


def perimeter_choices(*, organization: Organization) -> list[dict[str, Any]]:
    """The three CaRE minimum perimeters first, each with the BIA activities tagged with it."""
    rows: dict[str, list[Activity]] = defaultdict(list)
    for a in (Activity.objects.filter(organization=organization).exclude(care_perimeter=CarePerimeter.NONE)
              .select_related("establishment").order_by("name")):
        rows[a.care_perimeter].append(a)
    return [{"value": value, "label": label, "activities": rows.get(value, [])}
            for value, label in CarePerimeter.choices if value != CarePerimeter.NONE]


def recovery_warnings(*, organization: Organization, steps: list[RecoveryStep]) -> dict[int, str]:
    """Resource id → « comes back before X, Y it depends on » for every system of ``steps`` placed before one of
    its dependencies (read from the BIA now; an approved version keeps the text in its snapshot)."""
    if not steps:
        return {}
    graph = bia_selectors.bia_graph(organization=organization)
    names = {s.resource_id: s.resource.name for s in steps}
    violations = dependency_violations(graph, [s.resource_id for s in steps])
    return {pk: recovery_warning_text(names, deps) for pk, deps in violations.items()}


def recovery_warning_text(names: dict[int, str], deps: tuple[int, ...]) -> str:
    return _("Restored before %(list)s, which it depends on.") % {"list": ", ".join(names[d] for d in deps)}


def completeness(*, version: PlanVersion) -> list[str]:
    """What the version still lacks, one sentence each (empty: complete): a degraded mode (or « sans objet ») for
    every activity × scenario the coverage rule needs, a fiche réflexe, a recovery sequence, the return to nominal
    and the communication plan."""
    activity_ids, scenario_ids = version_perimeter(version=version)
    org = version.organization_id
    activities = {a.pk: a for a in Activity.objects.filter(organization_id=org, pk__in=activity_ids)
                  .select_related("establishment")}
    scenarios = {s.pk: s for s in Scenario.objects.filter(organization_id=org, pk__in=scenario_ids)}
    written = _written_cells(org, [version.pk])[version.pk]
    missing: list[str] = []
    needed = needs_degraded_mode({pk: a.criticality for pk, a in activities.items()})
    for sid in sorted(scenarios, key=lambda pk: list(Scenario.Kind.values).index(scenarios[pk].kind)):
        for aid in sorted(needed, key=lambda pk: activities[pk].name):
            if (aid, sid) not in written:
                missing.append(_("Degraded mode (or « not applicable » with its reason): %(activity)s (%(establishment)s)"
                                 " × %(scenario)s.") % {"activity": activities[aid].name,
                                                         "establishment": activities[aid].establishment,
                                                         "scenario": scenarios[sid]})
    if not ReflexSheet.objects.filter(organization_id=org, version=version).exists():
        missing.append(_("No fiche réflexe."))
    if not RecoveryStep.objects.filter(organization_id=org, version=version).exists():
        missing.append(_("No recovery sequence (PRA)."))
    if not (version.return_checks.strip() or version.return_data_reentry.strip()):
        missing.append(_("Return to nominal not described."))
    if not any(getattr(version, f).strip() for f in ("communication_internal", "communication_patients",
                                                     "communication_ars", "communication_press")):
        missing.append(_("No communication plan."))
    return missing


def _written_cells(organization_id: int, version_ids: list[int]) -> dict[int, set[tuple[int, int]]]:
    """Per version: the (activity, scenario) cells with a degraded mode or a « sans objet »."""
    cells: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for model in (DegradedMode, NotApplicable):
        for v, a, sc in model.objects.filter(organization_id=organization_id, version_id__in=version_ids).values_list(
                "version_id", "activity_id", "scenario_id"):
            cells[v].add((a, sc))
    return cells


@dataclass
class CountedPlan:
    """An approved plan as D2.O1.C reads it: its frozen perimeter, what it covers, and whether it counts."""

    plan: Plan
    version: PlanVersion
    activity_ids: list[int]
    scenario_ids: list[int]
    covered_scenario_ids: set[int]
    review_changes: list[str]

    @property
    def counts(self) -> bool:
        """Approved and current: a plan « à revoir » (the BIA changed since approval) does not count."""
        return not self.review_changes


def approved_plans(*, organization: Organization) -> list[CountedPlan]:
    """Every non-archived plan with an approved version, read from that version only (never a draft): its frozen
    perimeter, the scenarios it covers by ``covered_scenario_ids``, and its « à revoir » changes. Eight queries."""
    plans = {p.pk: p for p in plan_queryset(organization=organization)}
    versions = _approved_versions(organization, list(plans))
    if not versions:
        return []
    ids = [v.pk for v in versions.values()]
    perimeter_activities: dict[int, list[int]] = defaultdict(list)
    for vid, a in VersionActivity.objects.filter(organization=organization, version_id__in=ids).values_list(
            "version_id", "activity_id"):
        perimeter_activities[vid].append(a)
    perimeter_scenarios: dict[int, list[int]] = defaultdict(list)
    for vid, sc in VersionScenario.objects.filter(organization=organization, version_id__in=ids).values_list(
            "version_id", "scenario_id"):
        perimeter_scenarios[vid].append(sc)
    written = _written_cells(organization.pk, ids)
    state = fp.bia_state(organization=organization)
    result = []
    for plan_id, v in sorted(versions.items(), key=lambda kv: plans[kv[0]].title):
        activity_ids = sorted(perimeter_activities.get(v.pk, []))
        crit = {a: state.activities[a]["criticality"] for a in activity_ids if a in state.activities}
        result.append(CountedPlan(
            plan=plans[plan_id], version=v, activity_ids=activity_ids,
            scenario_ids=sorted(perimeter_scenarios.get(v.pk, [])),
            covered_scenario_ids=covered_scenario_ids(crit, perimeter_scenarios.get(v.pk, []), written[v.pk]),
            review_changes=fp.fingerprint_changes(v.bia_fingerprint, fp.fingerprint(state, activity_ids))))
    return result


@dataclass
class CoverageCell:
    degraded_mode: bool = False
    plans: list[tuple[Plan, PlanVersion]] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)  # reasons of the « sans objet » shown
    counted: bool = False  # written in an approved version that counts (approved, current)

    @property
    def approved(self) -> bool:
        return self.counted

    @property
    def written(self) -> bool:
        return self.degraded_mode or bool(self.not_applicable)


def coverage_matrix(*, organization: Organization, criticalities: tuple[str, ...] = COVERAGE_CRITICALITIES
                    ) -> dict[str, Any]:
    """Critical activities × scenarios: degraded mode (or « sans objet ») or not, in which plan version.

    The version shown is the last approved one when there is one, else the current draft; a cell is « covered »
    only when written in an approved version that counts (not « à revoir »), by the same rule as D2.O1.C
    (``approved_plans``). ``scenario_covered``: the scenarios an approved plan that counts covers.
    """
    scenarios = scenario_list(organization=organization)
    activities = list(Activity.objects.filter(organization=organization, criticality__in=criticalities)
                      .select_related("establishment"))
    activities.sort(key=lambda a: (-CRITICALITY_RANK.get(a.criticality, 0), a.dmia_hours or 0, a.name))
    plans = {p.pk: p for p in plan_queryset(organization=organization).select_related("current_version")}
    approved = approved_plans(organization=organization)
    counted = {c.version.pk for c in approved if c.counts}
    by_plan = {c.plan.pk: c.version for c in approved}
    shown = {pk: by_plan.get(pk) or p.current_version for pk, p in plans.items()}
    version_ids = [v.pk for v in shown.values() if v is not None]
    cells: dict[tuple[int, int], CoverageCell] = defaultdict(CoverageCell)
    for d in DegradedMode.objects.filter(organization=organization, version_id__in=version_ids).select_related(
        "version"
    ):
        cell = cells[(d.activity_id, d.scenario_id)]
        cell.degraded_mode = True
        cell.counted = cell.counted or d.version_id in counted
        cell.plans.append((plans[d.version.plan_id], d.version))
    for n in NotApplicable.objects.filter(organization=organization, version_id__in=version_ids).select_related(
        "version"
    ):
        cell = cells[(n.activity_id, n.scenario_id)]
        cell.not_applicable.append(n.reason)
        cell.counted = cell.counted or n.version_id in counted
        cell.plans.append((plans[n.version.plan_id], n.version))
    rows = []
    gaps = 0
    for a in activities:
        row_cells = [cells.get((a.pk, s.pk), CoverageCell()) for s in scenarios]
        gaps += sum(1 for c in row_cells if not c.written)
        rows.append({"activity": a, "cells": row_cells})
    covered = set().union(*(c.covered_scenario_ids for c in approved if c.counts)) if approved else set()
    return {"scenarios": scenarios, "rows": rows, "gaps": gaps,
            "scenario_covered": [s.pk in covered for s in scenarios],
            "to_review": [c for c in approved if not c.counts]}
