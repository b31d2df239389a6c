"""Compliance's parts of the dossier: the CaRE requirement matrix, the synthesis and the evidence index.

Per requirement the dossier prints what a reviewer of the ARS/ANS checks: its status overall and, where the 66 %
rule applies (D2.O1.C, D2.O1.D), per entity (FINESS EJ or EG) as the checks computed it
(``CheckResult.coverage``, never computed again here); the annex's target text; the « pièces à fournir » of the
catalogue against the pieces provided (each file with its name, date and SHA-256); what is missing; and the open
actions of the action plan that serve it. The requirement statuses are computed once per export job
(``apps.exports.snapshot``) and shared by the PDF section and the workbook's sheets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.compliance import selectors
from apps.compliance.catalogue import current_catalogue
from apps.compliance.coverage import ESTABLISHMENT, SINGLE, CoverageResult, pct
from apps.compliance.models import Evidence
from apps.compliance.registry import CheckResult
from apps.exports.registry import Column, PdfSection, XlsxSheet, register_pdf_section, register_xlsx_sheet
from apps.exports.snapshot import memo
from apps.exports.xlsx import person_name

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def status_label(row: selectors.RequirementStatus) -> str:
    if not row.has_checks:
        return _("Not assessed yet")
    return result_label(row.status)


def result_label(status: str) -> str:
    return {CheckResult.MET: _("Met"), CheckResult.PARTIAL: _("Partially met")}.get(status, _("Not met"))


def requirement_rows(organization: Organization) -> list[selectors.RequirementStatus]:
    """Every requirement with its checks run and its files: once per export job (``apps.exports.snapshot``)."""
    return memo(("compliance.requirement_rows", organization.pk),
                lambda: selectors.requirement_rows(organization=organization))


def expected_pieces(text: str) -> list[str]:
    """The catalogue's « pièces à fournir » of a requirement, one piece per item (the data lists them with commas).

    The first letter is capitalised: the dossier's labels start with a capital."""
    pieces = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    return [p[:1].upper() + p[1:] for p in pieces]


@dataclass
class EntityRow:
    name: str
    weight: str
    basis: str
    counts: bool
    status: str
    lacking: str


@dataclass
class CoverageTable:
    summary: str
    level_label: str
    share: str
    threshold: str
    weights_complete: bool
    status: str
    rows: list[EntityRow] = field(default_factory=list)


def _perimeter_labels(perimeters: list[str]) -> str:
    from apps.bia.models import CarePerimeter

    return ", ".join(str(CarePerimeter(p).label) for p in perimeters if p in CarePerimeter.values)


def coverage_table(result: CheckResult) -> CoverageTable | None:
    """The per-entity reading of a 66 % check, from the ``CoverageResult`` the check kept."""
    coverage: CoverageResult | None = result.coverage
    if coverage is None:
        return None
    if coverage.level == SINGLE:
        level = _("a single entity (100 %)")
    elif coverage.level == ESTABLISHMENT:
        level = _("legal entity (FINESS EJ)")
    else:
        level = _("site (FINESS EG)")
    per_perimeter = any(e.needed != frozenset({"tested"}) for e in coverage.entities)
    rows = []
    for e in coverage.entities:
        lacking = _perimeter_labels(e.lacking) if per_perimeter else ""
        if not e.needed:
            lacking = _("No minimum perimeter recorded for it.")
        rows.append(EntityRow(
            name=e.name, weight=f"{pct(e.weight)} %", basis=", ".join(
                p for p in (e.basis, date_format(e.weighed_on, "SHORT_DATE_FORMAT") if e.weighed_on else "") if p),
            counts=e.counts, status=_("Counts") if e.counts else _("Does not count"), lacking=lacking))
    return CoverageTable(summary=str(result.summary), level_label=str(level), share=f"{pct(coverage.share)} %",
                         threshold=f"{pct(coverage.threshold)} %", weights_complete=coverage.weights_complete,
                         status=result_label(coverage.status), rows=rows)


def open_actions_by_requirement(organization: Organization) -> dict[str, list[Any]]:
    """The open actions of the action plan per requirement (the action plan section's rows, shared)."""
    from apps.actions.exports import action_groups

    result: dict[str, list[Any]] = {}
    for group in action_groups(organization)["groups"]:
        if group.requirement_id:
            result[group.requirement_id] = [r for r in group.rows if r.is_open]
    return result


@dataclass
class RequirementBlock:
    id: str
    kind: str
    label: str
    target: str
    status: str
    status_key: str
    checks: list[dict[str, Any]]
    coverage: list[CoverageTable]
    expected: list[str]
    files: list[Evidence]
    evidence: list[str]
    missing: list[str]
    actions: list[Any]


def requirement_blocks(organization: Organization,
                       rows: list[selectors.RequirementStatus] | None = None) -> list[RequirementBlock]:
    actions = open_actions_by_requirement(organization)
    blocks = []
    for row in requirement_rows(organization) if rows is None else rows:
        r = row.requirement
        tables = [t for t in (coverage_table(c) for c in row.results) if t is not None]
        blocks.append(RequirementBlock(
            id=r.id, kind=_("Prerequisite") if r.kind == "prerequisite" else _("Objective"), label=r.label,
            target=r.target, status=status_label(row), status_key=row.status if row.has_checks else "unchecked",
            checks=[{"summary": str(c.summary), "status": result_label(c.status)} for c in row.results],
            coverage=tables, expected=expected_pieces(r.evidence), files=row.files,
            evidence=[str(e) for e in row.evidence], missing=[str(m) for m in row.missing],
            actions=actions.get(r.id, []),
        ))
    return blocks


def requirements_context(organization: Organization) -> dict[str, Any]:
    rows = requirement_rows(organization)
    return {"blocks": requirement_blocks(organization, rows), "summary": selectors.status_summary(rows),
            "catalogue": current_catalogue()}


def evidence_annex_context(organization: Organization) -> dict[str, Any]:
    catalogue = current_catalogue()
    order = {r.id: i for i, r in enumerate(catalogue.requirements)}
    files = list(selectors.evidence_list(organization=organization))
    files.sort(key=lambda e: (min((order.get(r, 99) for r in e.requirement_ids), default=100), e.title.lower()))
    return {"files": files}


def synthesis_rows(organization: Organization) -> Iterator[list[Any]]:
    for row in requirement_rows(organization):
        r = row.requirement
        per_entity: list[str] = []
        for check in row.results:
            table = coverage_table(check)
            if table is not None and table.rows:
                per_entity.extend(f"{e.name} ({e.weight}) : {e.status}" for e in table.rows)
        yield [r.id, r.label, r.target, status_label(row), "\n".join(per_entity),
               "\n".join(expected_pieces(r.evidence)), "\n".join(str(e) for e in row.evidence),
               "\n".join(f"{f.title} — {f.original_name} — {f.sha256}" for f in row.files),
               "\n".join(str(m) for m in row.missing)]


def evidence_rows(organization: Organization) -> Iterator[list[Any]]:
    """The evidence index, read with ``values_list`` (no model object per file)."""
    for (title, requirement_ids, original_name, document_date, created_at, first_name, last_name, email, size,
         sha256) in selectors.evidence_list(organization=organization).values_list(
            "title", "requirement_ids", "original_name", "document_date", "created_at", "uploaded_by__first_name",
            "uploaded_by__last_name", "uploaded_by__email", "size", "sha256"):
        yield [title, ", ".join(requirement_ids), original_name, document_date, created_at.date(),
               person_name(first_name, last_name, email), size, sha256]


register_pdf_section(PdfSection(
    key="compliance", order=800, title=gettext_lazy("CaRE requirements"),
    template="compliance/exports/section.html", context=requirements_context,
))
register_pdf_section(PdfSection(
    key="evidence", order=900, title=gettext_lazy("Annex: evidence index"),
    template="compliance/exports/evidence_annex.html", context=evidence_annex_context,
))
register_xlsx_sheet(XlsxSheet(
    key="requirements", order=10, title=gettext_lazy("Requirements summary"),
    columns=[Column(gettext_lazy("ID"), width=10), Column(gettext_lazy("Requirement"), width=40),
             Column(gettext_lazy("Target"), width=60), Column(gettext_lazy("Status"), width=20),
             Column(gettext_lazy("Status per entity"), width=50),
             Column(gettext_lazy("Pieces to provide"), width=40),
             Column(gettext_lazy("Evidence"), width=50), Column(gettext_lazy("Evidence files"), width=60),
             Column(gettext_lazy("What is missing"), width=50)],
    rows=synthesis_rows,
))
register_xlsx_sheet(XlsxSheet(
    key="evidence", order=900, title=gettext_lazy("Evidence index"),
    columns=[Column(gettext_lazy("Title"), width=40), Column(gettext_lazy("Requirements"), width=20),
             Column(gettext_lazy("File name"), width=30), Column(gettext_lazy("Document date"), kind="date", width=14),
             Column(gettext_lazy("Added on"), kind="date", width=14), Column(gettext_lazy("Added by"), width=24),
             Column(gettext_lazy("Size (bytes)"), kind="number", width=12),
             Column(gettext_lazy("SHA-256 checksum"), width=66)],
    rows=evidence_rows,
))
