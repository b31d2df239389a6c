"""The plans' parts of the CaRE dossier: the PDF section « Plans de continuité » and the XLSX sheets
« Plans » and « Couverture». Autodiscovered by the exports app; runs in a worker inside the
organization's scope and language, reading through the selectors (constant number of queries)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.bia.models import Activity
from apps.continuity import selectors
from apps.continuity.models import (
    DegradedMode,
    Plan,
    PlanVersion,
    Scenario,
)
from apps.exports.registry import Column, PdfSection, XlsxSheet, register_pdf_section, register_xlsx_sheet
from apps.exports.xlsx import choice_labels

if TYPE_CHECKING:
    from apps.tenants.models import Organization

def _shown_versions(organization: Organization, plans: list[selectors.PlanListItem]) -> dict[int, PlanVersion]:
    """Per plan: the approved version when there is one, else the current one."""
    shown: dict[int, PlanVersion] = {}
    for item in plans:
        version = item.approved_version or item.plan.current_version
        if version:
            shown[item.plan.pk] = version
    return shown


# What a degraded mode holds, in the order the dossier prints it (the frozen snapshot's keys).
DEGRADED_MODE_FIELDS = (
    ("trigger", gettext_lazy("Trigger and activation threshold")), ("decided_by", gettext_lazy("Who decides")),
    ("activation_delay_hours", gettext_lazy("Activate after (hours)")),
    ("procedure", gettext_lazy("Step-by-step procedure")), ("paper_forms", gettext_lazy("Paper forms and downtime kit")),
    ("minimum_staff", gettext_lazy("Minimum staff")), ("fallback_premises", gettext_lazy("Fallback premises")),
    ("data_capture", gettext_lazy("How data is captured meanwhile")),
    ("data_reentry", gettext_lazy("How data is re-entered on return")),
)
RETURN_FIELDS = (
    ("return_checks", gettext_lazy("Checks before returning to nominal")),
    ("return_data_reentry", gettext_lazy("Data re-entry")),
    ("return_communication", gettext_lazy("Announcing the return to nominal")),
)
COMMUNICATION_FIELDS = (
    ("communication_internal", gettext_lazy("Internal communication")),
    ("communication_patients", gettext_lazy("Communication to patients and families")),
    ("communication_ars", gettext_lazy("Communication to the ARS")),
    ("communication_press", gettext_lazy("Communication to the press")),
)


def _labelled(values: dict[str, Any], fields: tuple[tuple[str, Any], ...]) -> list[tuple[str, Any]]:
    """(label, value) pairs; durations in hours read as the pages write them (« 0,5 h »), numbers localized."""
    from apps.bia.templatetags.bia_tags import hours

    result: list[tuple[str, Any]] = []
    for key, label in fields:
        value = values.get(key)
        if key.endswith("_hours") and value not in (None, ""):
            value = hours(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = number_format(value)
        result.append((str(label), value))
    return result


def printed_plan(item: selectors.PlanListItem, version: PlanVersion) -> dict[str, Any]:
    """An approved, current plan as the dossier prints it: its frozen content (the version's snapshot), in full."""
    content = selectors.version_content(version=version)
    return {
        "plan": item.plan, "version": version, "perimeter": content.get("plan", {}),
        "degraded_modes": [{"title": title, "fields": _labelled(mode, DEGRADED_MODE_FIELDS)}
                           for title, mode in content.get("degraded_modes", {}).items()],
        "not_applicable": [{"title": title, "reason": n.get("reason", "")}
                           for title, n in content.get("not_applicable", {}).items()],
        "recovery": content.get("recovery", []),
        "return_fields": _labelled(content.get("return", {}), RETURN_FIELDS),
        "communication_fields": _labelled(content.get("communication", {}), COMMUNICATION_FIELDS),
        "reflex_sheets": [{"role": role,
                           "first_actions": [line.strip() for line in (sheet.get("first_actions") or "").splitlines()
                                             if line.strip()],
                           "who_to_call": sheet.get("who_to_call", ""), "do_not": sheet.get("do_not", "")}
                          for role, sheet in content.get("reflex_sheets", {}).items()],
    }


def plans_context(organization: Organization) -> dict[str, Any]:
    """Approved, current plans printed in full; drafts, submitted versions and plans « à revoir » only listed.

    A plan counts for D2.O1.C through its approved version when the BIA it relies on has not changed since; the
    dossier prints exactly those (their frozen snapshot). A newer draft of a printed plan, a plan never approved
    and a plan « à revoir » are listed in a short table with their state, never printed as plans."""
    plans = selectors.plan_list(organization=organization)
    printed, listed = [], []
    statuses = choice_labels(PlanVersion, "status")
    for item in plans:
        approved, current = item.approved_version, item.plan.current_version
        if approved is not None and not item.review_changes:
            printed.append(printed_plan(item, approved))
        elif approved is not None:
            listed.append({"plan": item.plan, "version": approved,
                           "state": _("To review: the BIA changed since its approval"),
                           "changes": item.review_changes})
        if current is not None and (approved is None or current.pk != approved.pk) \
                and current.status in (PlanVersion.Status.DRAFT, PlanVersion.Status.SUBMITTED):
            listed.append({"plan": item.plan, "version": current,
                           "state": statuses.get(current.status, current.status), "changes": []})
        elif approved is None and current is None:
            listed.append({"plan": item.plan, "version": None, "state": _("No version yet"), "changes": []})
    return {"printed": printed, "listed": listed, "matrix": selectors.coverage_matrix(organization=organization)}


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
