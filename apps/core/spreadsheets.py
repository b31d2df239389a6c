"""Hostile-file defences for uploaded spreadsheets (XLSX and CSV), shared by every import.

Everything that can be checked before parsing is: the size, the ZIP signature, the archive's entry count
and unpacked size (a zip bomb never reaches openpyxl), then each worksheet's rows and columns counted in
its XML as it is decompressed (a 200,000-row sheet is refused after its first rows, never parsed whole).
Only then is the workbook opened, in openpyxl's read-only mode, and its rows streamed and capped again
(a lying ``<dimension>`` hides nothing). A CSV is decoded (UTF-8, else Windows-1252), its delimiter
guessed, its rows and columns capped the same way.

Every refusal is a ``SpreadsheetError`` with a ``code`` (``too_big``, ``not_xlsx``, ``unpacked``,
``rows``, ``columns``, ``not_csv``, ``empty``) and a French message; a caller with its own wording (the
BIA workbook) maps the code to it. Cells are returned as they are: formulas are reported by ``Table``
(``formula_cells``), never evaluated (``data_only=False``, the cached result is not trusted).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

ZIP_MAGIC = b"PK\x03\x04"
# A worksheet's rows are counted in its XML before openpyxl sees it; this much is read at a time.
SCAN_CHUNK = 256 * 1024
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\"")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")


@dataclass(frozen=True)
class Limits:
    """What an upload may hold; ``max_rows`` counts data rows (the header rows come on top)."""

    max_bytes: int = 5 * 1024 * 1024
    max_uncompressed_bytes: int = 50 * 1024 * 1024
    max_entries: int = 500
    max_rows: int = 5000
    max_columns: int = 100
    header_rows: int = 1


class SpreadsheetError(Exception):
    """The file as a whole is refused; ``code`` says why (see the module docstring)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _error(code: str, limits: Limits) -> SpreadsheetError:
    messages = {
        "too_big": _("The file is too big (more than %(size)s MB).") % {"size": limits.max_bytes // (1024 * 1024)},
        "not_xlsx": _("This file is not an XLSX workbook."),
        "unpacked": _("The workbook is too big once unpacked; it was refused."),
        "rows": _("The file has more than %(max)s rows: it was refused.")
        % {"max": number_format(limits.max_rows, force_grouping=True)},
        "columns": _("The file has more than %(max)s columns: it was refused.") % {"max": limits.max_columns},
        "not_csv": _("This file is not a readable CSV file (UTF-8 or Windows-1252 text)."),
        "empty": _("The file has no header row."),
    }
    return SpreadsheetError(code, messages[code])


def check_size(data: bytes, limits: Limits) -> None:
    if len(data) > limits.max_bytes:
        raise _error("too_big", limits)


def scan_sheet(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Refuse a worksheet beyond the caps from its XML alone: the ``<dimension>`` it declares, then
    its ``<row>`` elements counted as the entry is decompressed (a missing or lying dimension)."""
    cap = limits.max_rows + limits.header_rows
    rows = 0
    tail = b""
    with archive.open(name) as stream:
        first = True
        while chunk := stream.read(SCAN_CHUNK):
            window = tail + chunk
            if first and (match := _DIMENSION.search(window)):
                last_column, last_row = match.group(3) or match.group(1), match.group(4) or match.group(2)
                if last_row and int(last_row) > cap:
                    raise _error("rows", limits)
                if last_column and column_index_from_string(last_column.decode()) > limits.max_columns:
                    raise _error("columns", limits)
            first = False
            # Rows whose tag straddles two chunks are counted in the next window only.
            cut = max(0, len(window) - 16)
            rows += len(_ROW.findall(window, 0, cut)) if cut else 0
            tail = window[cut:]
            if rows > cap:
                raise _error("rows", limits)
        rows += len(_ROW.findall(tail))
    if rows > cap:
        raise _error("rows", limits)


def open_xlsx(data: bytes, limits: Limits) -> Any:
    """The workbook in openpyxl's read-only mode, after the checks that need no parsing (in this order:
    size, ZIP signature, entries and unpacked size, each worksheet's rows and columns)."""
    check_size(data, limits)
    if not data.startswith(ZIP_MAGIC):
        raise _error("not_xlsx", limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise _error("not_xlsx", limits) from error
    if len(entries) > limits.max_entries or sum(info.file_size for info in entries) > limits.max_uncompressed_bytes:
        raise _error("unpacked", limits)
    try:
        for info in entries:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                scan_sheet(archive, info.filename, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as error:
        raise _error("not_xlsx", limits) from error
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a corrupt file
        raise _error("not_xlsx", limits) from error


def is_formula(cell: Any) -> bool:
    return getattr(cell, "data_type", None) == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))


@dataclass
class Table:
    """A sheet as a header row and data rows; ``formula_cells`` holds (row number, column index) of the
    formulas found (their value is left out: ``None``)."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    formula_cells: set[tuple[int, int]] = field(default_factory=set)


def _unique_headers(raw: list[Any]) -> list[str]:
    headers: list[str] = []
    seen: set[str] = set()
    for index, value in enumerate(raw):
        text = " ".join(str(value).split()) if value is not None else ""
        text = text[:200] or _("Column %(letter)s") % {"letter": get_column_letter(index + 1)}
        base, number = text, 2
        while text.casefold() in seen:
            text = f"{base} ({number})"
            number += 1
        seen.add(text.casefold())
        headers.append(text)
    return headers


def _trim(raw_headers: list[Any]) -> list[Any]:
    while raw_headers and (raw_headers[-1] is None or str(raw_headers[-1]).strip() == ""):
        raw_headers.pop()
    return raw_headers


def _xlsx_rows(data: bytes, limits: Limits) -> Iterator[tuple[int, list[Any], set[int]]]:
    wb = open_xlsx(data, limits)
    try:
        if not wb.worksheets:
            raise _error("empty", limits)
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # trust no <dimension>: rows are streamed and capped
        for offset, cells in enumerate(ws.iter_rows()):
            if offset >= limits.max_rows + limits.header_rows:
                raise _error("rows", limits)
            if len(cells) > limits.max_columns:
                # Trailing empty cells (formatting) are not columns.
                if any(getattr(c, "value", None) not in (None, "") for c in cells[limits.max_columns:]):
                    raise _error("columns", limits)
                cells = cells[:limits.max_columns]
            formulas = {i for i, c in enumerate(cells) if is_formula(c)}
            yield offset + 1, [None if i in formulas else getattr(c, "value", None) for i, c in enumerate(cells)], formulas
    finally:
        wb.close()


def _decode(data: bytes, limits: Limits) -> str:
    if b"\0" in data:
        raise _error("not_csv", limits)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _error("not_csv", limits)


def _csv_rows(data: bytes, limits: Limits) -> Iterator[tuple[int, list[Any], set[int]]]:
    check_size(data, limits)
    text = _decode(data, limits)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t", "|"), key=first.count) if first else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for offset, cells in enumerate(reader):
            if offset >= limits.max_rows + limits.header_rows:
                raise _error("rows", limits)
            if len(cells) > limits.max_columns:
                if any(c.strip() for c in cells[limits.max_columns:]):
                    raise _error("columns", limits)
                cells = cells[:limits.max_columns]
            formulas = {i for i, c in enumerate(cells) if c.startswith("=")}
            yield offset + 1, [None if i in formulas else c for i, c in enumerate(cells)], formulas
    except csv.Error as error:
        raise _error("not_csv", limits) from error


def is_xlsx(data: bytes, filename: str = "") -> bool:
    return data.startswith(ZIP_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm"))


def read_table(data: bytes, *, filename: str = "", limits: Limits | None = None) -> Table:
    """The first sheet of an XLSX, or a CSV, as a ``Table``: its first non-blank row is the header row,
    blank rows are skipped. Anything unreadable or beyond the limits raises ``SpreadsheetError``."""
    limits = limits or Limits()
    check_size(data, limits)
    rows = _xlsx_rows(data, limits) if is_xlsx(data, filename) else _csv_rows(data, limits)
    table: Table | None = None
    for number, values, formulas in rows:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values) and not formulas:
            continue
        if table is None:
            if formulas:
                raise SpreadsheetError("empty", _("Formulas are not allowed in the header row."))
            table = Table(headers=_unique_headers(_trim(list(values))))
            if not table.headers:
                raise _error("empty", limits)
            continue
        width = len(table.headers)
        values = values[:width]  # cells right of the last header are not imported (no header, no field)
        table.rows.append((number, values + [None] * (width - len(values))))
        table.formula_cells |= {(number, i) for i in formulas if i < width}
    if table is None:
        raise _error("empty", limits)
    return table
