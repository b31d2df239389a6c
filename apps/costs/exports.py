"""The costs in the CaRE dossier: the PDF section « Coûts » (totals per objective beside the actions'
estimates, per category, per establishment, then the lines), the XLSX sheet « Coûts » (one row per line), and
the cost-justification workbook as a document of the export worker (``ExportJob.Kind.COST_WORKBOOK``).

Autodiscovered by the exports app; runs in a worker inside the organization's scope (a limited member's export
holds their establishments' lines only) and language; a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from apps.costs import selectors, workbook
from apps.costs.models import Category
from apps.exports.registry import (
    Column,
    Document,
    PdfSection,
    XlsxSheet,
    register_document,
    register_pdf_section,
    register_xlsx_sheet,
)

if TYPE_CHECKING:
    from apps.exports.models import ExportJob
    from apps.tenants.models import Organization

PDF_LINES = 200  # the PDF is a synthesis: the workbooks hold every line


def costs_context(organization: Organization) -> dict[str, Any]:
    lines = list(selectors.cost_list(organization=organization).order_by("engaged_on", "id")[:PDF_LINES + 1])
    return {"totals": selectors.cost_totals(organization=organization), "lines": lines[:PDF_LINES],
            "more": len(lines) > PDF_LINES, "start": workbook_start()}


def workbook_start() -> Any:
    from apps.costs.services import eligibility_start

    return eligibility_start()


def cost_rows(organization: Organization) -> Iterator[list[Any]]:
    categories = dict(Category.choices)
    for line in selectors.cost_list(organization=organization).order_by("engaged_on", "id"):
        yield [line.engaged_on, ", ".join(line.requirement_ids), str(categories.get(line.category, line.category)),
               line.label, line.supplier, line.invoice_reference, line.establishment.name, line.amount_ht,
               line.amount_ttc, line.proof.original_name if line.proof else "",
               line.mission_letter.original_name if line.mission_letter else ""]


def _render(organization: Organization, job: ExportJob, path: Path, progress: Any) -> None:
    workbook.render_cost_workbook(organization=organization, path=path, progress=progress)


register_pdf_section(PdfSection(
    key="costs", order=850, title=_("Costs"), template="costs/exports/section.html", context=costs_context,
))
register_xlsx_sheet(XlsxSheet(
    key="costs", order=850, title=_("Costs"),
    columns=[Column(_("Date engaged"), width=14, kind="date"), Column(_("Objectives"), width=18),
             Column(_("Category"), width=28), Column(_("What was bought"), width=40), Column(_("Supplier"), width=28),
             Column(_("Invoice reference"), width=20), Column(_("Establishment"), width=30),
             Column(_("Amount excluding VAT (€)"), width=14, kind="number"),
             Column(_("Amount including VAT (€)"), width=14, kind="number"),
             Column(_("Invoice (file)"), width=30), Column(_("Lettre de mission"), width=30)],
    rows=cost_rows,
))
register_document(Document(kind="cost_workbook", render=_render, filename=workbook.workbook_filename))
