"""The cost-justification workbook (« trame de justification des coûts »), its layout kept as data.

``layouts/ans_d2_v1.json`` describes the sheets, their columns (header, field, width, kind) and total rows: a
new version of the ANS template is a new layout file (``CURRENT_LAYOUT``), not a code change. The renderer
streams with openpyxl's write-only mode; text is made inert by the dossier workbook's own cell writer
(``apps.exports.xlsx.cell_value``: formula-like text stored as a string). Totals are written as values,
computed from the same lines the sheet lists (the tests re-add the lines and compare).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from apps.costs import selectors
from apps.costs.models import Category
from apps.exports.registry import Column
from apps.exports.xlsx import cell_value, sheet_title

if TYPE_CHECKING:
    from apps.tenants.models import Organization

LAYOUT_DIR = Path(__file__).resolve().parent / "layouts"
CURRENT_LAYOUT = "ans_d2_v1.json"
MONEY_FORMAT = "#,##0.00"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class LayoutColumn:
    header: str
    field: str
    width: int = 18
    kind: str = "text"  # text, number, money, date


@dataclass(frozen=True)
class LayoutSheet:
    key: str
    title: str
    kind: str  # "lines" or "totals"
    columns: tuple[LayoutColumn, ...]
    group: str = ""  # totals: requirement, category, establishment
    heading: tuple[str, ...] = ()
    total_label: str = "Total"


@dataclass(frozen=True)
class Layout:
    version: str
    sheets: tuple[LayoutSheet, ...]


@cache
def load_layout(filename: str = CURRENT_LAYOUT) -> Layout:
    raw = json.loads((LAYOUT_DIR / filename).read_text(encoding="utf-8"))
    return Layout(version=raw["version"], sheets=tuple(
        LayoutSheet(key=s["key"], title=s["title"], kind=s["kind"], group=s.get("group", ""),
                    heading=tuple(s.get("heading", ())), total_label=s.get("total_label", "Total"),
                    columns=tuple(LayoutColumn(**c) for c in s["columns"]))
        for s in raw["sheets"]))


def line_rows(organization: Organization) -> Iterator[dict[str, Any]]:
    """Every line the scope shows, as the layout's fields (one query)."""
    categories = dict(Category.choices)
    qs = selectors.cost_list(organization=organization).order_by("engaged_on", "id")
    for number, line in enumerate(qs, start=1):
        yield {
            "number": number, "engaged_on": line.engaged_on, "requirements": ", ".join(line.requirement_ids),
            "category": str(categories.get(line.category, line.category)), "label": line.label,
            "supplier": line.supplier, "invoice_reference": line.invoice_reference,
            "establishment": line.establishment.name, "finess_ej": line.establishment.finess_ej,
            "ht": line.amount_ht, "ttc": line.amount_ttc,
            "proof": line.proof.original_name if line.proof else "",
            "proof_sha256": line.proof.sha256 if line.proof else "",
            "mission_letter": line.mission_letter.original_name if line.mission_letter else "",
        }


def _cell(ws: Any, value: Any, column: LayoutColumn, *, bold: bool = False) -> Any:
    if column.kind == "money" and value is not None:
        cell = WriteOnlyCell(ws, value=Decimal(value))
        cell.number_format = MONEY_FORMAT
    else:
        result = cell_value(ws, value, Column("", kind="date" if column.kind == "date" else "text"))
        cell = result if isinstance(result, Cell) else WriteOnlyCell(ws, value=result)
    if bold:
        cell.font = BOLD
    return cell


def _header(ws: Any, sheet: LayoutSheet) -> None:
    row = []
    for index, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
        row.append(cell)
    ws.append(row)


def _total_row(ws: Any, sheet: LayoutSheet, values: dict[str, Any]) -> list[Any]:
    row = []
    for index, column in enumerate(sheet.columns):
        if index == 0:
            row.append(_cell(ws, sheet.total_label, LayoutColumn("", "", kind="text"), bold=True))
        elif column.field in values:
            row.append(_cell(ws, values[column.field], column, bold=True))
        else:
            row.append(None)
    return row


def render_cost_workbook(*, organization: Organization, path: Path,
                         progress: Callable[[int, str], None] | None = None, layout: Layout | None = None) -> None:
    layout = layout or load_layout()
    totals = selectors.cost_totals(organization=organization)
    wb = Workbook(write_only=True)
    wb.properties.title = layout.version
    wb.properties.creator = organization.name
    used: set[str] = set()
    groups = {"requirement": totals.by_requirement, "category": totals.by_category,
              "establishment": totals.by_establishment}
    for index, sheet in enumerate(layout.sheets):
        if progress:
            progress(10 + 80 * index // max(len(layout.sheets), 1), sheet.title)
        ws = wb.create_sheet(title=sheet_title(sheet.title, used))
        if sheet.heading:
            from apps.exports.selectors import establishments_with_sites

            finess = ", ".join(e.establishment.finess_ej for e in establishments_with_sites(organization=organization))
            heading_values: list[Any] = [organization.name, finess, layout.version, timezone.localdate()]
            for label, value in zip(sheet.heading, heading_values, strict=True):
                ws.append([_cell(ws, label, LayoutColumn("", ""), bold=True),
                           _cell(ws, value, LayoutColumn("", "", kind="date" if label.startswith("Date") else "text"))])
            ws.append([])
        _header(ws, sheet)
        if sheet.kind == "lines":
            ht = ttc = Decimal("0")
            count = 0
            for row in line_rows(organization):
                ws.append([_cell(ws, row.get(c.field), c) for c in sheet.columns])
                ht += row["ht"]
                ttc += row["ttc"]
                count += 1
            ws.append(_total_row(ws, sheet, {"ht": ht, "ttc": ttc, "number": count}))
        else:
            for total in groups[sheet.group]:
                fields: dict[str, Any] = {"key": total.key, "label": total.label, "count": total.count, "ht": total.ht,
                          "ttc": total.ttc, "estimate": total.estimate}
                ws.append([_cell(ws, fields.get(c.field), c) for c in sheet.columns])
            grand = totals.grand
            ws.append(_total_row(ws, sheet, {"count": grand.count, "ht": grand.ht, "ttc": grand.ttc}))
    if progress:
        progress(92, "")
    wb.save(str(path))


def workbook_filename(job: Any) -> str:
    from django.utils.text import slugify

    org = slugify(job.organization.name)[:50] or job.organization.slug
    date = timezone.localtime(job.finished_at or job.created_at).strftime("%Y-%m-%d")
    return f"couts-care-d2-{org}-v{job.dossier_version}-{date}.xlsx"
