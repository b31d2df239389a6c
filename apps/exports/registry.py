"""Sections of the PDF dossier and sheets of the XLSX workbook, contributed by each app.

An app declares its parts in ``apps/<app>/exports.py`` (autodiscovered by the exports app)::

    from apps.exports.registry import PdfSection, XlsxSheet, register_pdf_section, register_xlsx_sheet

    register_pdf_section(PdfSection(
        key="governance", order=200, title=_("Gouvernance"),
        template="governance/exports/section.html",       # an HTML fragment, rendered with context(org)
        context=lambda organization: {...},               # reads through the app's selectors only
    ))
    register_xlsx_sheet(XlsxSheet(
        key="governance", order=200, title=_("Gouvernance"),
        columns=[Column(_("Rôle"), width=30), Column(_("Titulaire"), width=30), Column(_("Depuis"), kind="date")],
        rows=lambda organization: (...),                  # an iterable of lists, one per row (streamed)
    ))

Both callables run inside the organization's scope and language (see ``apps.core.tasks.TenantTask``),
in a Celery worker, and must not issue a query per row. Orders: 0–99 cover/synthesis, 100 entities,
200 governance, 300 BIA, 400 plans, 500 backups, 600 exercises, 700 actions, 800 compliance, 900 annexes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from apps.exports.models import ExportJob
    from apps.tenants.models import Organization


@dataclass(frozen=True)
class PdfSection:
    key: str
    order: int
    title: str | Promise
    template: str
    context: Callable[[Organization], dict[str, Any]]


@dataclass(frozen=True)
class Column:
    header: str | Promise
    width: int = 18
    kind: str = "text"  # text, number, date, datetime, percent


@dataclass(frozen=True)
class XlsxSheet:
    key: str
    order: int
    title: str | Promise  # ≤ 31 characters (Excel's limit)
    columns: list[Column] = field(default_factory=list)
    rows: Callable[[Organization], Iterable[list[Any]]] = lambda organization: ()


_PDF: dict[str, PdfSection] = {}
_XLSX: dict[str, XlsxSheet] = {}


def register_pdf_section(section: PdfSection) -> None:
    _PDF[section.key] = section


def register_xlsx_sheet(sheet: XlsxSheet) -> None:
    if len(str(sheet.title)) > 31:
        raise ValueError(f"Sheet title too long for Excel: {sheet.title!r}")
    _XLSX[sheet.key] = sheet


def pdf_sections() -> list[PdfSection]:
    return sorted(_PDF.values(), key=lambda s: s.order)


def xlsx_sheets() -> list[XlsxSheet]:
    return sorted(_XLSX.values(), key=lambda s: s.order)


@dataclass(frozen=True)
class Document:
    """A document another app renders through the export worker (an exercise kit…), under its own job kind
    (``ExportJob.Kind``): the job is requested, claimed, rendered, checksummed and downloaded like the dossier.

    ``render(organization, job, path, progress)`` writes the file (its parameters are in ``job.parameters``,
    set by the app's service, never by the export form); ``filename(job)`` is the download name (ASCII).
    """

    kind: str
    render: Callable[[Organization, ExportJob, Path, Callable[[int, str], None]], Any]
    filename: Callable[[ExportJob], str]


_DOCUMENTS: dict[str, Document] = {}


def register_document(document: Document) -> None:
    _DOCUMENTS[document.kind] = document


def document(kind: str) -> Document | None:
    return _DOCUMENTS.get(kind)
