"""The CaRE D2 workbook: one sheet per registered ``XlsxSheet``, streamed with openpyxl's write-only mode.

French headers (the columns' translated labels), frozen header row, auto-filter, column widths,
real dates and numbers. Formula injection: a text cell starting with ``= + - @``, a tab or a carriage
return is written as a *string* cell with Excel's ``quotePrefix`` flag (what typing a leading
apostrophe does), so Excel and LibreOffice show the text and never evaluate it, and the user editing
the cell keeps text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from apps.exports.registry import Column, XlsxSheet, xlsx_sheets

if TYPE_CHECKING:
    from apps.tenants.models import Organization

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
NUMBER_FORMAT = "#,##0.##"
PERCENT_FORMAT = "0 %"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
# Characters XML 1.0 cannot hold (openpyxl refuses them): dropped from user text.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str, used: set[str]) -> str:
    base = _INVALID_TITLE.sub(" ", title).strip()[:31] or "Feuille"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would take this text for a formula (the one rule of the project)."""
    return text.startswith(FORMULA_TRIGGERS)


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would take for a formula gets a leading apostrophe (formula injection)."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def unneutralise(text: str) -> str:
    """The text a user typed back from a neutralised cell (``'=SOMME`` → ``=SOMME``)."""
    return text[1:] if text.startswith("'") and is_formula_like(text[1:]) else text


def make_cell(ws: Any, value: Any, column: Column) -> WriteOnlyCell:
    """A typed cell: dates as dates, numbers as numbers, text inert."""
    if value is None or value == "":
        return WriteOnlyCell(ws, value=None)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT if column.kind == "date" else DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, bool):
        return WriteOnlyCell(ws, value=_("Yes") if value else _("No"))
    if isinstance(value, int | float | Decimal):
        if column.kind == "percent":  # registry convention: percent values are given on 0–100
            cell = WriteOnlyCell(ws, value=float(value) / 100)
            cell.number_format = PERCENT_FORMAT
        else:
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = NUMBER_FORMAT if not isinstance(value, int) else "0"
        return cell
    text = _ILLEGAL.sub("", str(value))[:32767]
    cell = WriteOnlyCell(ws, value=text)
    if is_formula_like(text):
        cell.data_type = "s"  # openpyxl typed it "f" (formula): force a string
        cell.quotePrefix = True
    return cell


def write_sheet(wb: Workbook, sheet: XlsxSheet, organization: Organization, used_titles: set[str]) -> int:
    ws = wb.create_sheet(title=sheet_title(str(sheet.title), used_titles))
    columns = sheet.columns or [Column("")]
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = make_cell(ws, str(column.header), Column(""))
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
        header.append(cell)
    ws.append(header)
    count = 0
    for row in sheet.rows(organization):
        values = list(row)
        ws.append([make_cell(ws, value, columns[i] if i < len(columns) else Column(""))
                   for i, value in enumerate(values)])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return count


def render_workbook(*, organization: Organization, path: Path, progress: Callable[[int, str], None] | None = None,
                    sheets: list[XlsxSheet] | None = None) -> dict[str, int]:
    """Write the workbook to ``path``; returns the number of data rows per sheet title."""
    from apps.exports.services import SectionError

    sheets = xlsx_sheets() if sheets is None else sheets
    wb = Workbook(write_only=True)
    used: set[str] = set()
    counts: dict[str, int] = {}
    for index, sheet in enumerate(sheets):
        title = str(sheet.title)
        if progress:
            progress(5 + 85 * index // max(len(sheets), 1), _("Sheet “%(title)s”") % {"title": title})
        try:
            counts[title] = write_sheet(wb, sheet, organization, used)
        except Exception as error:
            raise SectionError(title) from error
    if not sheets:
        ws = wb.create_sheet(title=pgettext("workbook sheet", "Summary")[:31])
        ws.append([_("No data to export yet.")])
    if progress:
        progress(92, _("Saving the workbook"))
    wb.save(str(path))
    return counts
