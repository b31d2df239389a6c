"""The plans' parts of the CaRE dossier: the PDF section « Plans de continuité » and the XLSX sheets
« Plans » and « Couverture». Autodiscovered by the exports app; runs in a worker inside the
organization's scope and language, reading through the selectors (constant number of queries)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.bia.models import Activity
from apps.bia.selectors import bia_graph
from apps.continuity import selectors
from apps.continuity.models import (
    DegradedMode,
    NotApplicable,
    Plan,
    PlanVersion,
    RecoveryStep,
    ReflexSheet,
    Scenario,
)
from apps.continuity.recovery import dependency_violations
from apps.exports.registry import Column, PdfSection, XlsxSheet, register_pdf_section, register_xlsx_sheet
from apps.exports.xlsx import choice_labels

if TYPE_CHECKING:
    from apps.tenants.models import Organization

PDF_PLAN_LIMIT = 40


def _shown_versions(organization: Organization, plans: list[selectors.PlanListItem]) -> dict[int, PlanVersion]:
    """Per plan: the approved version when there is one, else the current one."""
    shown: dict[int, PlanVersion] = {}
    for item in plans:
        version = item.approved_version or item.plan.current_version
        if version:
            shown[item.plan.pk] = version
    return shown


def plans_context(organization: Organization) -> dict[str, Any]:
    plans = selectors.plan_list(organization=organization)
    shown = _shown_versions(organization, plans)
    ids = [v.pk for v in shown.values()]
    modes: dict[int, list[DegradedMode]] = defaultdict(list)
    for d in (DegradedMode.objects.filter(organization=organization, version_id__in=ids)
              .select_related("activity", "scenario").order_by("activity__name", "scenario_id")):
        modes[d.version_id].append(d)
    sheets: dict[int, list[ReflexSheet]] = defaultdict(list)
    for s in ReflexSheet.objects.filter(organization=organization, version_id__in=ids).order_by("order", "role"):
        sheets[s.version_id].append(s)
    not_applicable: dict[int, dict[str, Any]] = defaultdict(dict)
    for n in (NotApplicable.objects.filter(organization=organization, version_id__in=ids)
              .select_related("activity", "scenario").order_by("activity__name", "scenario_id")):
        not_applicable[n.version_id][f"{n.activity.name} × {n.scenario}"] = {"reason": n.reason}
    warnings = _recovery_warnings(organization, [v for v in shown.values() if not v.snapshot])
    rows = []
    for item in plans[:PDF_PLAN_LIMIT]:
        v = shown.get(item.plan.pk)
        frozen = [r for r in (v.snapshot.get("recovery", []) if v else []) if r.get("dependency_warning")]
        rows.append({"plan": item.plan, "scenarios": item.scenarios, "activities": item.activities,
                     "review_changes": item.review_changes, "version": v,
                     "degraded_modes": modes.get(v.pk, []) if v else [],
                     "reflex_sheets": sheets.get(v.pk, []) if v else [],
                     "not_applicable": not_applicable.get(v.pk, {}) if v else {},
                     "recovery_warnings": (frozen or warnings.get(v.pk, [])) if v else []})
    return {"rows": rows, "more": max(0, len(plans) - PDF_PLAN_LIMIT),
            "matrix": selectors.coverage_matrix(organization=organization)}


def _recovery_warnings(organization: Organization, versions: list[PlanVersion]) -> dict[int, list[dict[str, Any]]]:
    """Per version not frozen yet: the systems of its recovery sequence placed before one they depend on."""
    steps: dict[int, list[RecoveryStep]] = defaultdict(list)
    for s in (RecoveryStep.objects.filter(organization=organization, version_id__in=[v.pk for v in versions])
              .select_related("resource").order_by("position", "id")):
        steps[s.version_id].append(s)
    if not steps:
        return {}
    graph = bia_graph(organization=organization)
    result: dict[int, list[dict[str, Any]]] = {}
    for version_id, rows in steps.items():
        names = {s.resource_id: s.resource.name for s in rows}
        violations = dependency_violations(graph, [s.resource_id for s in rows])
        result[version_id] = [
            {"position": s.position, "resource": s.resource.name,
             "dependency_warning": selectors.recovery_warning_text(names, violations[s.resource_id])}
            for s in rows if s.resource_id in violations]
    return result


def _person(user: Any) -> str:
    return (user.get_full_name() or user.email) if user else ""


def plan_rows(organization: Organization) -> Iterator[list[Any]]:
    """One row per plan × activity × scenario, with the degraded mode summary of the shown version.

    Labels (perimeter, status, scenario) come from dictionaries and per-plan values are computed once per plan,
    not once per row."""
    plans = selectors.plan_list(organization=organization)
    shown = _shown_versions(organization, plans)
    modes = {(d.version_id, d.activity_id, d.scenario_id): d for d in DegradedMode.objects.filter(
        organization=organization, version_id__in=[v.pk for v in shown.values()])}
    perimeters = choice_labels(Plan, "care_perimeter")
    statuses = choice_labels(PlanVersion, "status")
    scenario_kinds = choice_labels(Scenario, "kind")
    yes, no = _("yes"), _("no")
    for item in plans:
        p = item.plan
        v = shown.get(p.pk)
        plan_cells = [p.title, perimeters.get(p.care_perimeter, p.care_perimeter), str(p.establishment or "")]
        version_cells = [f"v{v.number}" if v else "", statuses.get(v.status, v.status) if v else "",
                         _person(v.approved_by) if v else "", v.approved_at if v else None]
        review = yes if item.review_changes else no
        scenarios = [(s.pk, scenario_kinds.get(s.kind, s.kind)) for s in item.scenarios]
        for a in sorted(item.activities, key=lambda a: (a.dmia_hours is None, a.dmia_hours or 0, a.name)):
            for scenario_id, scenario in scenarios:
                d = modes.get((v.pk, a.pk, scenario_id)) if v else None
                yield [
                    *plan_cells, a.name, a.dmia_hours, scenario, *version_cells,
                    yes if d else no, d.trigger if d else "", d.decided_by if d else "",
                    d.procedure if d else "", review,
                ]


def coverage_rows(organization: Organization) -> Iterator[list[Any]]:
    """One row per critical activity × scenario of the coverage matrix (labels from dictionaries, each activity's
    and each plan version's text computed once)."""
    matrix = selectors.coverage_matrix(organization=organization)
    criticalities = choice_labels(Activity, "criticality")
    statuses = choice_labels(PlanVersion, "status")
    scenario_kinds = choice_labels(Scenario, "kind")
    scenarios = [scenario_kinds.get(s.kind, s.kind) for s in matrix["scenarios"]]
    yes, no = _("yes"), _("no")
    plan_texts: dict[tuple[int, int], str] = {}
    for row in matrix["rows"]:
        a = row["activity"]
        activity_cells = [a.name, str(a.establishment), criticalities.get(a.criticality, a.criticality)]
        for scenario, cell in zip(scenarios, row["cells"], strict=True):
            texts = []
            for p, v in cell.plans:
                text = plan_texts.get((p.pk, v.pk))
                if text is None:
                    text = plan_texts[(p.pk, v.pk)] = f"{p.title} v{v.number} ({statuses.get(v.status, v.status)})"
                texts.append(text)
            approved = [v.approved_at for _p, v in cell.plans if v.approved_at]
            yield [*activity_cells, a.dmia_hours, scenario, yes if cell.degraded_mode else no, "; ".join(texts),
                   max(approved) if approved else None]


register_pdf_section(PdfSection(
    key="plans", order=400, title=gettext_lazy("Continuity plans"), template="continuity/exports/section.html",
    context=plans_context,
))
register_xlsx_sheet(XlsxSheet(
    key="plans", order=400, title=gettext_lazy("Plans"),
    columns=[
        Column(gettext_lazy("Plan"), width=30), Column(gettext_lazy("CaRE perimeter"), width=22),
        Column(gettext_lazy("Establishment"), width=22), Column(gettext_lazy("Activity"), width=30),
        Column(gettext_lazy("DMIA (hours)"), kind="number", width=10), Column(gettext_lazy("Scenario"), width=24),
        Column(gettext_lazy("Version"), width=8), Column(gettext_lazy("Status"), width=14),
        Column(gettext_lazy("Approved by"), width=20), Column(gettext_lazy("Approved on"), kind="datetime", width=16),
        Column(gettext_lazy("Degraded mode"), width=10), Column(gettext_lazy("Trigger"), width=30),
        Column(gettext_lazy("Who decides"), width=20), Column(gettext_lazy("Procedure"), width=50),
        Column(gettext_lazy("To review"), width=10),
    ],
    rows=plan_rows,
))
register_xlsx_sheet(XlsxSheet(
    key="plans_coverage", order=410, title=gettext_lazy("Coverage"),
    columns=[
        Column(gettext_lazy("Activity"), width=30), Column(gettext_lazy("Establishment"), width=22),
        Column(gettext_lazy("Criticality"), width=12), Column(gettext_lazy("DMIA (hours)"), kind="number", width=10),
        Column(gettext_lazy("Scenario"), width=24), Column(gettext_lazy("Degraded mode"), width=10),
        Column(gettext_lazy("Plan and version"), width=40),
        Column(gettext_lazy("Approved on"), kind="datetime", width=16),
    ],
    rows=coverage_rows,
))
