"""The BIA's parts of the CaRE dossier: the PDF section « Synthèse du BIA » and four XLSX sheets.

Autodiscovered by the exports app; runs in a worker inside the organization's scope and language,
reading through the BIA selectors and the engine (constant number of queries, no query per row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.bia import engine, selectors
from apps.bia.models import Activity, ActivityDependency, ActivityLink, ImpactAnswer, Resource, ResourceDependency
from apps.exports.registry import Column, PdfSection, XlsxSheet, register_pdf_section, register_xlsx_sheet
from apps.exports.snapshot import memo
from apps.exports.xlsx import choice_labels, person_name

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def _activities(organization: Organization) -> list[Activity]:
    return list(Activity.objects.filter(organization=organization)
                .select_related("establishment", "site", "unit", "unit__parent", "owner", "validated_by"))


def _ranked(activities: list[Activity]) -> list[Activity]:
    return sorted(activities, key=lambda a: (a.dmia_hours is None, a.dmia_hours or 0, a.pdma_hours or 0, a.name))


def analysis_for_export(organization: Organization) -> tuple[engine.Graph, engine.Analysis]:
    """The graph and the engine's analysis, read once per export job (``apps.exports.snapshot``)."""
    return memo(("bia.analysis", organization.pk), lambda: selectors.bia_analysis(organization=organization))


@dataclass
class CapabilityRow:
    kind: str
    name: str
    rto_required: float | None
    rto_promised: float | None
    rto_measured: float | None
    rto_gap: float | None
    rpo_required: float | None
    rpo_promised: float | None
    rpo_measured: float | None
    rpo_gap: float | None
    spof: int
    explanation: str

    @property
    def has_gap(self) -> bool:
        return bool(self.rto_gap or self.rpo_gap)


def _gap_hours(required: float | None, promised: float | None, measured: float | None) -> float | None:
    """How many hours the capability in force (measured, else promised) exceeds the need (None: no gap known)."""
    capability = measured if measured is not None else promised
    if required is None or capability is None:
        return None
    gap = float(capability) - float(required)
    return gap if gap > 0 else None


def capability_rows(organization: Organization) -> list[CapabilityRow]:
    """Per resource: required RTO/RPO (strictest dependent activity, the engine), promised and measured capability
    (the latest successful restoration back into production, ``apps.backups.measured``), the gap, SPOF count.
    Shared by the PDF table and the sheet « Besoins vs capacités » (one reading per job)."""
    return memo(("bia.capability_rows", organization.pk), lambda: _capability_rows(organization))


def _capability_rows(organization: Organization) -> list[CapabilityRow]:
    graph, analysis = analysis_for_export(organization)
    gap_by_node = {(g.kind, g.node): g for g in analysis.gaps}
    spof_counts: dict[int, int] = {}
    for spof in analysis.spofs:  # one pass, not a scan per resource
        spof_counts.setdefault(spof.resource_id, spof.count)
    kinds = choice_labels(Resource, "kind")
    rows = []
    for pk, resource in sorted(graph.resources.items(), key=lambda item: (item[1].kind, item[1].name)):
        key = (engine.RESOURCE, pk)
        rto_need = analysis.rto_requirements.get(key)
        rpo_need = analysis.rpo_requirements.get(key)
        gaps = [gap for gap in (gap_by_node.get(("rto", key)), gap_by_node.get(("rpo", key))) if gap is not None]
        sentence = "\n".join(selectors.gap_sentence(row) for row in selectors.gap_rows(graph, gaps)) if gaps else ""
        rto_required = rto_need.hours if rto_need else None
        rpo_required = rpo_need.hours if rpo_need else None
        rows.append(CapabilityRow(
            kind=kinds.get(resource.kind, resource.kind), name=resource.name,
            rto_required=rto_required, rto_promised=resource.rto_hours, rto_measured=resource.measured_rto_hours,
            rto_gap=_gap_hours(rto_required, resource.rto_hours, resource.measured_rto_hours)
            if gap_by_node.get(("rto", key)) else None,
            rpo_required=rpo_required, rpo_promised=resource.rpo_hours, rpo_measured=resource.measured_rpo_hours,
            rpo_gap=_gap_hours(rpo_required, resource.rpo_hours, resource.measured_rpo_hours)
            if gap_by_node.get(("rpo", key)) else None,
            spof=spof_counts.get(pk, 0), explanation=sentence))
    return rows


def _dependencies_by_activity(graph: engine.Graph) -> dict[int, list[dict[str, Any]]]:
    """Each activity's direct dependencies (resources and upstream activities), from the graph: one pass."""
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for edge in graph.edges:
        if edge.source[0] != engine.ACTIVITY:
            continue
        result[edge.source[1]].append({"label": graph.label(edge.target), "workaround": edge.workaround,
                                       "hours": edge.workaround_hours})
    for rows in result.values():
        rows.sort(key=lambda r: r["label"].lower())
    return result


def spof_summary(graph: engine.Graph, analysis: engine.Analysis) -> list[dict[str, Any]]:
    """The dossier's single points of failure: per resource, how many critical activities depend on it with no
    workaround, their establishments, and the chain of the first of them in listing order (the most critical).

    One row per resource, never one per chain: in a large establishment a core system (directory, network) is
    the single point of failure of nearly every critical activity, and printing every chain made the PDF of the
    300-activity benchmark establishment 2.7 MB of HTML for this table alone (105,000 chains, 96 % of the
    dossier). Every pair is in the workbook (sheet « Points uniques de défaillance », ``spof_rows``) and every
    chain on the resource's page."""
    rows = selectors.spof_rows(graph, analysis, paths_limit=1)
    for row, spof in zip(rows, analysis.spofs, strict=True):
        row["establishments"] = sorted({graph.activities[a].establishment for a in spof.listed()} - {""})
        row["example"] = row["paths"][0]["chain"] if row["paths"] else ""
    return rows


def bia_context(organization: Organization) -> dict[str, Any]:
    scale = selectors.scales(organization=organization)
    activities = _activities(organization)
    graph, analysis = analysis_for_export(organization)
    gaps = selectors.gap_rows(graph, analysis.gaps)
    for row in gaps:
        row.sentence = selectors.gap_sentence(row)
    kinds: dict[str, int] = defaultdict(int)
    for resource in graph.resources.values():
        kinds[resource.kind] += 1
    status: dict[str, int] = defaultdict(int)
    for a in activities:
        status[a.status] += 1
    dependencies = _dependencies_by_activity(graph)
    ranked = [a for a in _ranked(activities) if a.dmia_hours is not None]
    unranked = sorted((a for a in activities if a.dmia_hours is None), key=lambda a: (str(a.establishment), a.name))
    return {
        "scale": scale,
        "activity_count": len(activities),
        "status_counts": [(label, status.get(value, 0)) for value, label in Activity.Status.choices],
        "ranked": ranked,  # every activity: no cut list, the PDF paginates
        "activities": [{"activity": a, "dependencies": dependencies.get(a.pk, [])} for a in [*ranked, *unranked]],
        "capabilities": capability_rows(organization),
        "resource_counts": [(label, kinds.get(value, 0)) for value, label in Resource.Kind.choices],
        "dependency_counts": {
            "activity": sum(1 for e in graph.edges if e.source[0] == engine.ACTIVITY and e.target[0] == engine.RESOURCE),
            "resource": sum(1 for e in graph.edges if e.source[0] == engine.RESOURCE),
            "link": sum(1 for e in graph.edges if e.target[0] == engine.ACTIVITY),
            "workaround": sum(1 for e in graph.edges if e.workaround),
        },
        "gaps": gaps,
        "spofs": spof_summary(graph, analysis),
        "cycles": [[graph.label(k) for k in cycle] for cycle in analysis.cycles],
        "uncarried": selectors.uncarried_rows(graph, analysis),
        "workaround_known": sum(1 for e in graph.edges if e.workaround and e.workaround_hours is not None),
    }


def _grid_text(cells: dict[int, dict[int, int]], scale: dict[str, Any]) -> str:
    lines = []
    for criterion in scale["criteria"]:
        row = cells.get(criterion.pk)
        if not row:
            continue
        levels = " · ".join(str(row.get(h.pk, "—")) for h in scale["horizons"])
        lines.append(f"{criterion.name} : {levels}")
    return "\n".join(lines)


def _establishment(short_name: str | None, name: str | None) -> str:
    """``str(Establishment)`` from ``values_list`` columns."""
    return short_name or name or ""


def _rank_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """``_ranked`` on an ``ACTIVITY_ROW_FIELDS`` row: the DMIA in force (override, else derived), PDMA, name."""
    dmia = row[15] if row[15] is not None else row[16]
    return (dmia is None, dmia or 0, row[17] or 0, row[8])


ACTIVITY_ROW_FIELDS = (
    "pk", "establishment__short_name", "establishment__name", "site__finess_eg", "unit__kind", "unit__name",
    "unit__parent__name", "process", "name", "care_perimeter", "owner__first_name", "owner__last_name",
    "owner__email", "status", "criticality", "dmia_override_hours", "dmia_derived_hours", "pdma_hours",
    "dmia_override_justification", "critical_periods", "minimum_staff", "key_skills", "fallback_premises",
    "degraded_mode_exists", "degraded_mode_description", "recovery_priority", "validated_at",
    "validated_by__first_name", "validated_by__last_name", "validated_by__email",
)


def bia_rows(organization: Organization) -> Iterator[list[Any]]:
    """One row per activity, with its impact grid (criterion: levels per horizon).

    Read with ``values_list`` and label dictionaries (no model object, no ``get_…_display`` per row); the order is
    the activity list's (establishment, name) ranked by DMIA, PDMA and name, as ``_ranked`` does."""
    scale = selectors.scales(organization=organization)
    cells: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for activity_id, criterion_id, horizon_id, level in ImpactAnswer.objects.filter(
        organization=organization
    ).values_list("activity_id", "criterion_id", "horizon_id", "level"):
        cells[activity_id][criterion_id][horizon_id] = level
    horizon_labels = " · ".join(h.label for h in scale["horizons"])
    perimeters = choice_labels(Activity, "care_perimeter")
    statuses = choice_labels(Activity, "status")
    criticalities = choice_labels(Activity, "criticality")
    rows = list(Activity.objects.filter(organization=organization).values_list(*ACTIVITY_ROW_FIELDS))
    rows.sort(key=_rank_key)
    for (pk, est_short, est_name, finess_eg, unit_kind, unit_name, parent_name, process, name, perimeter,
         owner_first, owner_last, owner_email, status, criticality, override, derived, pdma, justification,
         critical_periods, minimum_staff, key_skills, fallback_premises, degraded_exists, degraded_description,
         recovery_priority, validated_at, validator_first, validator_last, validator_email) in rows:
        pole = parent_name if parent_name is not None else (unit_name if unit_kind == "pole" else "")
        yield [
            _establishment(est_short, est_name), finess_eg or "", pole or "",
            unit_name if unit_kind == "service" else "", process, name, perimeters.get(perimeter, perimeter),
            person_name(owner_first, owner_last, owner_email), statuses.get(status, status),
            criticalities.get(criticality, criticality), override if override is not None else derived, pdma,
            justification, _grid_text(cells.get(pk, {}), scale), horizon_labels, critical_periods,
            minimum_staff, key_skills, fallback_premises, degraded_description if degraded_exists else "",
            recovery_priority, validated_at.date() if validated_at else None,
            person_name(validator_first, validator_last, validator_email),
        ]


def dependency_rows(organization: Organization) -> Iterator[list[Any]]:
    """Activity → resource and resource → resource links, with workaround flags (``values_list`` rows, kinds
    and words looked up in dictionaries). Plain fetches, not ``iterator()``: outside a transaction its server-side
    cursor is declared WITH HOLD, which PostgreSQL materialises first (slower, and the tuples are small)."""
    kinds = choice_labels(Resource, "kind")
    yes, no, activity, upstream = _("yes"), _("no"), _("Activity"), _("Upstream activity")
    for (name, est_short, est_name, kind, resource, workaround, hours, note) in (
            ActivityDependency.objects.filter(organization=organization)
            .order_by("activity__establishment__name", "activity__name", "resource__name")
            .values_list("activity__name", "activity__establishment__short_name", "activity__establishment__name",
                         "resource__kind", "resource__name", "workaround_exists", "workaround_hours",
                         "workaround_note")):
        yield [activity, name, _establishment(est_short, est_name), kinds.get(kind, kind), resource,
               yes if workaround else no, hours, note]
    for (kind, resource, target_kind, target, workaround, hours, note) in (
            ResourceDependency.objects.filter(organization=organization)
            .order_by("resource__name", "depends_on__name")
            .values_list("resource__kind", "resource__name", "depends_on__kind", "depends_on__name",
                         "workaround_exists", "workaround_hours", "workaround_note")):
        yield [kinds.get(kind, kind), resource, "", kinds.get(target_kind, target_kind), target,
               yes if workaround else no, hours, note]
    for (name, est_short, est_name, target, target_short, target_est, workaround, hours, note) in (
            ActivityLink.objects.filter(organization=organization)
            .order_by("activity__establishment__name", "activity__name", "depends_on__name")
            .values_list("activity__name", "activity__establishment__short_name", "activity__establishment__name",
                         "depends_on__name", "depends_on__establishment__short_name",
                         "depends_on__establishment__name", "workaround_exists", "workaround_hours",
                         "workaround_note")):
        yield [activity, name, _establishment(est_short, est_name), upstream,
               f"{target} ({_establishment(target_short, target_est)})", yes if workaround else no, hours, note]


def needs_vs_capabilities_rows(organization: Organization) -> Iterator[list[Any]]:
    """Per resource: required RTO/RPO (strictest dependent activity), promised and measured capability (the latest
    successful restoration back into production, ``apps.backups.measured``), gap, single point of failure."""
    yes, no = _("yes"), _("no")
    for r in capability_rows(organization):
        yield [r.kind, r.name, r.rto_required, r.rto_promised, r.rto_measured, r.rpo_required, r.rpo_promised,
               r.rpo_measured, yes if r.explanation else no, r.spof, r.explanation]


def spof_pair_rows(organization: Organization) -> Iterator[list[Any]]:
    """Every (single point of failure, critical activity depending on it with no workaround) pair, most
    exposing resource first (the engine's order), the activities in listing order: what the PDF counts."""
    graph, analysis = analysis_for_export(organization)
    kinds = choice_labels(Resource, "kind")
    criticality = choice_labels(Activity, "criticality")
    for spof in analysis.spofs:
        resource = graph.resources[spof.resource_id]
        for activity_id in spof.listed():
            activity = graph.activities[activity_id]
            yield [kinds.get(resource.kind, resource.kind), resource.name, spof.count, activity.name,
                   activity.establishment, criticality.get(activity.criticality, activity.criticality)]


def uncarried_need_rows(organization: Organization) -> Iterator[list[Any]]:
    """Every workaround without a duration whose source has a need (the pages list the first ones): the need
    of the source stops at this link instead of reaching the dependency."""
    graph, analysis = analysis_for_export(organization)
    kinds, activity = choice_labels(Resource, "kind"), _("Activity")

    def kind(key: engine.NodeKey) -> str:
        if key[0] == engine.ACTIVITY:
            return activity
        resource_kind = graph.resources[key[1]].kind
        return kinds.get(resource_kind, resource_kind)

    for u in analysis.uncarried:
        yield [kind(u.source), graph.label(u.source), kind(u.target), graph.label(u.target), u.rto_hours, u.rpo_hours]


register_pdf_section(PdfSection(
    key="bia", order=300, title=gettext_lazy("BIA synthesis"), template="bia/exports/section.html",
    context=bia_context,
))
register_xlsx_sheet(XlsxSheet(
    key="bia", order=300, title=gettext_lazy("BIA"),
    columns=[
        Column(gettext_lazy("Establishment"), width=24), Column(gettext_lazy("Site (FINESS EG)"), width=14),
        Column(gettext_lazy("Pôle"), width=24), Column(gettext_lazy("Service / functional unit"), width=24),
        Column(gettext_lazy("Process"), width=22), Column(gettext_lazy("Activity"), width=32),
        Column(gettext_lazy("CaRE perimeter"), width=22), Column(gettext_lazy("Business owner"), width=22),
        Column(gettext_lazy("Status"), width=14), Column(gettext_lazy("Criticality"), width=12),
        Column(gettext_lazy("DMIA (hours)"), kind="number", width=10),
        Column(gettext_lazy("PDMA (hours)"), kind="number", width=10),
        Column(gettext_lazy("DMIA justification"), width=30), Column(gettext_lazy("Impact grid"), width=50),
        Column(gettext_lazy("Time horizons"), width=30), Column(gettext_lazy("Critical periods"), width=24),
        Column(gettext_lazy("Minimum staff"), kind="number", width=10), Column(gettext_lazy("Key skills"), width=24),
        Column(gettext_lazy("Fallback premises"), width=20), Column(gettext_lazy("Degraded mode"), width=30),
        Column(gettext_lazy("Recovery priority"), kind="number", width=10),
        Column(gettext_lazy("Validated on"), kind="date", width=12), Column(gettext_lazy("Validated by"), width=20),
    ],
    rows=bia_rows,
))
register_xlsx_sheet(XlsxSheet(
    key="bia_dependencies", order=310, title=gettext_lazy("Dependencies"),
    columns=[
        Column(gettext_lazy("From (kind)"), width=16), Column(gettext_lazy("From"), width=32),
        Column(gettext_lazy("Establishment"), width=22), Column(gettext_lazy("To (kind)"), width=16),
        Column(gettext_lazy("To"), width=32), Column(gettext_lazy("Workaround"), width=10),
        Column(gettext_lazy("Degraded mode holds (hours)"), kind="number", width=12),
        Column(gettext_lazy("Workaround description"), width=40),
    ],
    rows=dependency_rows,
))
register_xlsx_sheet(XlsxSheet(
    key="bia_needs_capabilities", order=320, title=gettext_lazy("Needs vs capabilities"),
    columns=[
        Column(gettext_lazy("Kind"), width=16), Column(gettext_lazy("Resource"), width=32),
        Column(gettext_lazy("Required RTO (hours)"), kind="number", width=12),
        Column(gettext_lazy("Promised RTO (hours)"), kind="number", width=12),
        Column(gettext_lazy("Measured RTO (hours, latest successful production restore)"), kind="number", width=14),
        Column(gettext_lazy("Required RPO (hours)"), kind="number", width=12),
        Column(gettext_lazy("Promised RPO (hours)"), kind="number", width=12),
        Column(gettext_lazy("Measured RPO (hours of data lost, latest successful production restore)"),
               kind="number", width=14),
        Column(gettext_lazy("Gap"), width=8), Column(gettext_lazy("Critical activities (SPOF)"), kind="number", width=12),
        Column(gettext_lazy("Explanation"), width=70),
    ],
    rows=needs_vs_capabilities_rows,
))
register_xlsx_sheet(XlsxSheet(
    key="bia_spofs", order=330, title=gettext_lazy("Single points of failure"),
    columns=[
        Column(gettext_lazy("Kind"), width=16), Column(gettext_lazy("Resource"), width=32),
        Column(gettext_lazy("Critical activities (SPOF)"), kind="number", width=12),
        Column(gettext_lazy("Critical activity depending on it without workaround"), width=36),
        Column(gettext_lazy("Establishment"), width=22), Column(gettext_lazy("Criticality"), width=12),
    ],
    rows=spof_pair_rows,
))
register_xlsx_sheet(XlsxSheet(
    key="bia_uncarried", order=335, title=gettext_lazy("Workarounds without a duration"),
    columns=[
        Column(gettext_lazy("From (kind)"), width=16), Column(gettext_lazy("From"), width=36),
        Column(gettext_lazy("To (kind)"), width=16), Column(gettext_lazy("To"), width=36),
        Column(gettext_lazy("Need not carried: recovery time (hours)"), kind="number", width=14),
        Column(gettext_lazy("Need not carried: data loss (hours)"), kind="number", width=14),
    ],
    rows=uncarried_need_rows,
))
