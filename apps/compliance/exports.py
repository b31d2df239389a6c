"""Compliance's parts of the dossier: the CaRE requirement matrix, the synthesis and the evidence index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.compliance import selectors
from apps.compliance.catalogue import current_catalogue
from apps.compliance.registry import CheckResult
from apps.exports.registry import Column, PdfSection, XlsxSheet, register_pdf_section, register_xlsx_sheet
from apps.exports.xlsx import person_name

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def status_label(row: selectors.RequirementStatus) -> str:
    if not row.has_checks:
        return _("Not assessed yet")
    return {CheckResult.MET: _("Met"), CheckResult.PARTIAL: _("Partially met")}.get(row.status, _("Not met"))


def requirements_context(organization: Organization) -> dict[str, Any]:
    rows = selectors.requirement_rows(organization=organization)
    return {"rows": rows, "summary": selectors.status_summary(rows), "catalogue": current_catalogue(),
            "labels": {r.requirement.id: status_label(r) for r in rows}}


def synthesis_rows(organization: Organization) -> Iterator[list[Any]]:
    for row in selectors.requirement_rows(organization=organization):
        yield [row.requirement.id, row.requirement.label, row.requirement.target, status_label(row),
               "\n".join(str(e) for e in row.evidence), "\n".join(f.title for f in row.files),
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
register_xlsx_sheet(XlsxSheet(
    key="requirements", order=10, title=gettext_lazy("Requirements summary"),
    columns=[Column(gettext_lazy("ID"), width=10), Column(gettext_lazy("Requirement"), width=40),
             Column(gettext_lazy("Target"), width=60), Column(gettext_lazy("Status"), width=20),
             Column(gettext_lazy("Evidence"), width=50), Column(gettext_lazy("Evidence files"), width=40),
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
