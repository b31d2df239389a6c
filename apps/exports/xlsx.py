"""The CaRE D2 workbook: one sheet per registered ``XlsxSheet``, streamed with openpyxl's write-only mode.

French headers (the columns' translated labels, the only styled row), frozen header row, auto-filter,
column widths, real dates and numbers. Data rows are appended as plain values (openpyxl writes them through
one reused cell); a styled cell is made only for dates (French format), percentages and formula-like text,
so the workbook costs little more than openpyxl itself (``exports_benchmark`` prints the ratio to a raw
write-only script writing the same cells). Formula injection: a text cell starting with ``= + - @``, a tab or a carriage
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

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from apps.exports.registry import Column, XlsxSheet, xlsx_sheets

if TYPE_CHECKING:
    from apps.tenants.models import Organization

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
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


def choice_labels(model: type[models.Model], field: str) -> dict[Any, str]:
    """A field's choices as ``{stored value: translated label}`` in the active language, for rows read with
    ``values_list``: one dictionary per sheet instead of a ``get_<field>_display()`` per row."""
    choices = model._meta.get_field(field)
    assert isinstance(choices, models.Field)  # a concrete column, not a relation
    return {value: str(label) for value, label in choices.flatchoices}


def person_name(first_name: str | None, last_name: str | None, email: str | None) -> str:
    """``User.get_full_name() or User.email`` from ``values_list`` columns ("" without a user)."""
    return f"{first_name or ''} {last_name or ''}".strip() or email or ""


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


class _Labels:
    """The workbook's few translated words, looked up once per sheet (``gettext`` per cell was a hot spot)."""

    def __init__(self) -> None:
        self.yes, self.no = _("Yes"), _("No")


def _number(ws: Any, value: int | float | Decimal, column: Column) -> Any:
    if column.kind == "percent":  # registry convention: percent values are given on 0–100
        cell = WriteOnlyCell(ws, value=float(value) / 100)
        cell.number_format = PERCENT_FORMAT
        return cell
    return value  # General format: Excel and LibreOffice show it in the reader's locale


def cell_value(ws: Any, value: Any, column: Column, labels: _Labels | None = None) -> Any:
    """What to append for ``value``: the plain value when openpyxl writes it as it is (most cells: text, numbers),
    a styled ``WriteOnlyCell`` only for dates, percentages and formula-like text.

    Text is inert: XML-illegal characters dropped, at most 32,767 characters, and text starting with a formula
    trigger stored as a string with ``quotePrefix`` (see the module docstring).
    """
    if value is None:
        return None
    kind = type(value)
    if kind is str or isinstance(value, str):
        if kind is not str:
            value = str.__str__(value)  # SafeString, a choices member…: its text, as a plain str
        if not value:
            return None
        if len(value) > 32767 or _ILLEGAL.search(value):
            value = _ILLEGAL.sub("", value)[:32767]
        if value.startswith(FORMULA_TRIGGERS):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # openpyxl typed it "f" (formula): force a string
            cell.quotePrefix = True
            return cell
        return value
    if kind is int or kind is float or kind is Decimal:
        return _number(ws, value, column)
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
        labels = labels or _Labels()
        return labels.yes if value else labels.no
    if isinstance(value, int | float | Decimal):  # subclasses (integer choices…)
        return _number(ws, value, column)
    return cell_value(ws, str(value), column, labels)  # lazy translations, model instances…


def make_cell(ws: Any, value: Any, column: Column) -> Cell:
    """A typed cell: dates as dates, numbers as numbers, text inert (``cell_value`` as a cell, always)."""
    result = cell_value(ws, value, column)
    return result if isinstance(result, Cell) else WriteOnlyCell(ws, value=result)


def write_sheet(wb: Workbook, sheet: XlsxSheet, organization: Organization, used_titles: set[str]) -> int:
    """One sheet: a styled, frozen, filtered header row, then the rows as plain values (styled cells only where
    ``cell_value`` needs one)."""
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
    labels = _Labels()
    spare = Column("")
    count = 0
    append = ws.append
    for row in sheet.rows(organization):
        values = list(row)
        if len(values) > len(columns):
            columns = [*columns, *[spare] * (len(values) - len(columns))]
        append([cell_value(ws, value, column, labels) for value, column in zip(values, columns, strict=False)])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns or [spare]))}{count + 1}"
    return count


def set_properties(wb: Workbook, organization: Organization) -> None:
    """The workbook's document properties (File → Properties): title, author = the organization, language."""
    props = wb.properties
    props.title = _("CaRE D2 workbook — %(name)s") % {"name": organization.name}
    props.subject = _("Business continuity and recovery plan, CaRE Domaine 2 candidacy")
    props.creator = organization.name
    props.lastModifiedBy = organization.name
    props.keywords = "CaRE, Domaine 2, PCRA"
    props.language = translation.get_language() or "fr"
    props.created = props.modified = timezone.now().replace(tzinfo=None, microsecond=0)


def render_workbook(*, organization: Organization, path: Path, progress: Callable[[int, str], None] | None = None,
                    sheets: list[XlsxSheet] | None = None) -> dict[str, int]:
    """Write the workbook to ``path``; returns the number of data rows per sheet title."""
    from apps.exports.services import SectionError
    from apps.exports.snapshot import export_snapshot

    sheets = xlsx_sheets() if sheets is None else sheets
    wb = Workbook(write_only=True)
    set_properties(wb, organization)
    used: set[str] = set()
    counts: dict[str, int] = {}
    with export_snapshot():  # the sheets share one reading of the requirement checks and the BIA analysis
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
