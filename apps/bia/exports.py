"""The BIA's parts of the CaRE dossier: the PDF section « Synthèse du BIA » and three XLSX sheets.

Autodiscovered by the exports app; runs in a worker inside the organization's scope and language,
reading through the BIA selectors and the engine (constant number of queries, no query per row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.bia import engine, selectors
from apps.bia.models import Activity, ActivityDependency, ActivityLink, ImpactAnswer, Resource, ResourceDependency
from apps.exports.registry import Column, PdfSection, XlsxSheet, register_pdf_section, register_xlsx_sheet

if TYPE_CHECKING:
    from apps.tenants.models import Organization

PDF_ACTIVITY_LIMIT = 80
PDF_GAP_LIMIT = 40


def _activities(organization: Organization) -> list[Activity]:
    return list(Activity.objects.filter(organization=organization)
                .select_related("establishment", "site", "unit", "unit__parent", "owner", "validated_by"))


def _ranked(activities: list[Activity]) -> list[Activity]:
    return sorted(activities, key=lambda a: (a.dmia_hours is None, a.dmia_hours or 0, a.pdma_hours or 0, a.name))


def bia_context(organization: Organization) -> dict[str, Any]:
    scale = selectors.scales(organization=organization)
    activities = _activities(organization)
    graph, analysis = selectors.bia_analysis(organization=organization)
    gaps = selectors.gap_rows(graph, analysis.gaps)
    for row in gaps:
        row.sentence = selectors.gap_sentence(row)
    kinds: dict[str, int] = defaultdict(int)
    for resource in graph.resources.values():
        kinds[resource.kind] += 1
    status: dict[str, int] = defaultdict(int)
    for a in activities:
        status[a.status] += 1
    ranked = [a for a in _ranked(activities) if a.dmia_hours is not None]
    return {
        "scale": scale,
        "activity_count": len(activities),
        "status_counts": [(label, status.get(value, 0)) for value, label in Activity.Status.choices],
        "ranked": ranked[:PDF_ACTIVITY_LIMIT],
        "ranked_more": max(0, len(ranked) - PDF_ACTIVITY_LIMIT),
        "resource_counts": [(label, kinds.get(value, 0)) for value, label in Resource.Kind.choices],
        "dependency_counts": {
            "activity": sum(1 for e in graph.edges if e.source[0] == engine.ACTIVITY and e.target[0] == engine.RESOURCE),
            "resource": sum(1 for e in graph.edges if e.source[0] == engine.RESOURCE),
            "link": sum(1 for e in graph.edges if e.target[0] == engine.ACTIVITY),
            "workaround": sum(1 for e in graph.edges if e.workaround),
        },
        "gaps": gaps[:PDF_GAP_LIMIT],
        "gaps_more": max(0, len(gaps) - PDF_GAP_LIMIT),
        "spofs": selectors.spof_rows(graph, analysis),
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


def bia_rows(organization: Organization) -> Iterator[list[Any]]:
    """One row per activity, with its impact grid (criterion: levels per horizon)."""
    scale = selectors.scales(organization=organization)
    cells: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for activity_id, criterion_id, horizon_id, level in ImpactAnswer.objects.filter(
        organization=organization
    ).values_list("activity_id", "criterion_id", "horizon_id", "level"):
        cells[activity_id][criterion_id][horizon_id] = level
    horizon_labels = " · ".join(h.label for h in scale["horizons"])
    for a in _ranked(_activities(organization)):
        unit = a.unit
        pole = unit.parent.name if unit and unit.parent else (unit.name if unit and unit.kind == "pole" else "")
        service = unit.name if unit and unit.kind == "service" else ""
        yield [
            str(a.establishment), a.site.finess_eg if a.site else "", pole, service, a.process, a.name,
            str(a.get_care_perimeter_display()), (a.owner.get_full_name() or a.owner.email) if a.owner else "",
            str(a.get_status_display()), str(a.get_criticality_display()), a.dmia_hours, a.pdma_hours,
            a.dmia_override_justification, _grid_text(cells.get(a.pk, {}), scale), horizon_labels, a.critical_periods,
            a.minimum_staff, a.key_skills, a.fallback_premises,
            a.degraded_mode_description if a.degraded_mode_exists else "", a.recovery_priority,
            a.validated_at.date() if a.validated_at else None,
            (a.validated_by.get_full_name() or a.validated_by.email) if a.validated_by else "",
        ]


def dependency_rows(organization: Organization) -> Iterator[list[Any]]:
    """Activity → resource and resource → resource links, with workaround flags."""
    for d in (ActivityDependency.objects.filter(organization=organization)
              .select_related("activity", "activity__establishment", "resource")
              .order_by("activity__establishment__name", "activity__name", "resource__name").iterator(chunk_size=2000)):
        yield [_("Activity"), d.activity.name, str(d.activity.establishment), str(d.resource.get_kind_display()),
               d.resource.name, _("yes") if d.workaround_exists else _("no"), d.workaround_hours, d.workaround_note]
    for rd in (ResourceDependency.objects.filter(organization=organization).select_related("resource", "depends_on")
               .order_by("resource__name", "depends_on__name").iterator(chunk_size=2000)):
        yield [str(rd.resource.get_kind_display()), rd.resource.name, "", str(rd.depends_on.get_kind_display()),
               rd.depends_on.name, _("yes") if rd.workaround_exists else _("no"), rd.workaround_hours, rd.workaround_note]
    for link in (ActivityLink.objects.filter(organization=organization)
                 .select_related("activity", "activity__establishment", "depends_on", "depends_on__establishment")
                 .order_by("activity__establishment__name", "activity__name", "depends_on__name")
                 .iterator(chunk_size=2000)):
        yield [_("Activity"), link.activity.name, str(link.activity.establishment), _("Upstream activity"),
               f"{link.depends_on.name} ({link.depends_on.establishment})",
               _("yes") if link.workaround_exists else _("no"), link.workaround_hours, link.workaround_note]


def needs_vs_capabilities_rows(organization: Organization) -> Iterator[list[Any]]:
    """Per resource: required RTO/RPO (strictest dependent activity), promised and measured capability, gap."""
    graph, analysis = selectors.bia_analysis(organization=organization)
    gap_by_node = {(g.kind, g.node): g for g in analysis.gaps}
    kinds = dict(Resource.Kind.choices)
    for pk, resource in sorted(graph.resources.items(), key=lambda item: (item[1].kind, item[1].name)):
        key = (engine.RESOURCE, pk)
        rto_need = analysis.rto_requirements.get(key)
        rpo_need = analysis.rpo_requirements.get(key)
        spof = next((s for s in analysis.spofs if s.resource_id == pk), None)
        sentence = ""
        for kind in ("rto", "rpo"):
            gap = gap_by_node.get((kind, key))
            if gap is not None:
                row = selectors.gap_rows(graph, [gap])[0]
                sentence = (sentence + "\n" if sentence else "") + selectors.gap_sentence(row)
        yield [
            str(kinds.get(resource.kind, resource.kind)), resource.name,
            rto_need.hours if rto_need else None, resource.rto_hours, resource.measured_rto_hours,
            rpo_need.hours if rpo_need else None, resource.rpo_hours,
            _("yes") if (("rto", key) in gap_by_node or ("rpo", key) in gap_by_node) else _("no"),
            len(spof.activity_ids) if spof else 0, sentence,
        ]


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
        Column(gettext_lazy("Measured restore (hours)"), kind="number", width=12),
        Column(gettext_lazy("Required RPO (hours)"), kind="number", width=12),
        Column(gettext_lazy("Promised RPO (hours)"), kind="number", width=12),
        Column(gettext_lazy("Gap"), width=8), Column(gettext_lazy("Critical activities (SPOF)"), kind="number", width=12),
        Column(gettext_lazy("Explanation"), width=70),
    ],
    rows=needs_vs_capabilities_rows,
))
