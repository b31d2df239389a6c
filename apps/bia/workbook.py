"""The BIA workbook: an XLSX to fill offline, re-imported with every cell re-validated on the server.

Download: an instructions sheet, one « BIA » sheet (one row per activity: CaRE perimeter, DMIA
override and justification, PDMA, critical periods, staff, skills, degraded mode, and the impact grid
with 1–4 drop-downs), a « Dépendances » sheet (one row per dependency: activity → resource, resource →
resource, activity → upstream activity, with its workaround, whether one exists and how many hours its
degraded mode holds), protected headers and identity columns, and a very hidden « meta » sheet holding
a signed token (organization id, column keys, sheet names, date) — ``django.core.signing``, so a workbook
from another organization or an edited token is refused.

Upload: size, signature and archive checks first (a zip bomb never reaches openpyxl), each sheet's
rows and columns counted in its XML (a 200,000-row sheet is refused after its first 5,001 rows), then
the rows streamed in openpyxl's read-only mode, capped again, and every cell is checked
whatever the drop-downs said (Excel and LibreOffice let users paste around them): no formula, the
right type, values in range (durations 1 to 8,760 h, as the models bound them), activities and dependencies
of this organization only. The result is either a row-by-row French error report, or a preview of the
changes carried by a signed payload that ``apply`` writes all-or-nothing. Dependencies are only edited here
(their workaround), never added or removed: that stays on the activity and resource pages.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from apps.bia import selectors
from apps.bia.models import (
    MAX_HOURS,
    MAX_STAFF,
    Activity,
    ActivityDependency,
    ActivityLink,
    CarePerimeter,
    ImpactAnswer,
    ResourceDependency,
)
from apps.bia.services.activities import activity_update
from apps.bia.services.questionnaire import activity_save_step, impacts_save
from apps.bia.services.resources import activity_dependency_set, activity_link_set, resource_dependency_set
from apps.core import spreadsheets
from apps.core.db import analyze
from apps.exports.xlsx import neutralise, unneutralise
from apps.tenants.models import Membership, Organization

if TYPE_CHECKING:
    from apps.accounts.models import User

SALT = "resilis.bia.workbook"
PAYLOAD_SALT = "resilis.bia.workbook.payload"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
# The import's documented limit (ARCHITECTURE.md budgets: « import of 5,000 rows ≤ 10 s »).
MAX_ROWS = 5000
# Columns a sheet may have beyond the current scale's: an absolute cap checked before the scale is read.
MAX_COLUMNS = 100
EXTRA_COLUMNS = 5
DATA_SHEET = "BIA"
META_SHEET = "meta"
HEADER_ROW = 1
FIRST_ROW = 2

# Fixed columns: key, header msgid, kind, editable
FIXED_COLUMNS: list[tuple[str, str, str, bool]] = [
    ("id", gettext_noop("Identifier (do not change)"), "id", False),
    ("establishment", gettext_noop("Establishment"), "label", False),
    ("name", gettext_noop("Activity"), "label", False),
    ("owner", gettext_noop("Business owner"), "label", False),
    ("care_perimeter", gettext_noop("CaRE perimeter"), "perimeter", True),
    ("dmia_override_hours", gettext_noop("DMIA set by hand (hours)"), "hours", True),
    ("dmia_override_justification", gettext_noop("Justification of the DMIA set by hand"), "text", True),
    ("pdma_hours", gettext_noop("PDMA (hours)"), "hours", True),
    ("critical_periods", gettext_noop("Critical periods"), "text", True),
    ("minimum_staff", gettext_noop("Minimum staff"), "count", True),
    ("key_skills", gettext_noop("Key skills"), "text", True),
    ("degraded_mode_exists", gettext_noop("A degraded mode exists (yes/no)"), "bool", True),
    ("degraded_mode_description", gettext_noop("Degraded mode"), "text", True),
]
TEXT_MAX = 4000

# The dependencies sheet: one row per link, its workaround editable (key, header msgid, kind, editable).
DEPENDENCY_COLUMNS: list[tuple[str, str, str, bool]] = [
    ("id", gettext_noop("Identifier (do not change)"), "id", False),
    ("link", gettext_noop("Kind of link"), "label", False),
    ("source", gettext_noop("Depends"), "label", False),
    ("target", gettext_noop("On"), "label", False),
    ("workaround_exists", gettext_noop("A workaround exists (yes/no)"), "bool", True),
    ("workaround_note", gettext_noop("Workaround"), "text", True),
    ("workaround_hours", gettext_noop("Degraded mode holds (hours)"), "hours", True),
]
# Identifier prefix of each kind of link: « AR-12 » is the activity → resource dependency 12.
LINK_LABELS = {"AR": gettext_noop("Activity → resource"), "RR": gettext_noop("Resource → resource"),
               "AA": gettext_noop("Activity → upstream activity")}
_LINK_ID = re.compile(r"^(AR|RR|AA)-(\d+)$")
# What each kind of column accepts: hours as the models bound them (0 < h ≤ 8,760), counts up to a head count.
BOUNDS = {"hours": (1, MAX_HOURS), "count": (0, MAX_STAFF)}


class WorkbookError(Exception):
    """The file as a whole is refused (not a workbook, too big, foreign, tampered)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str
    sheet: str = DATA_SHEET


@dataclass
class Parsed:
    errors: list[RowError] = field(default_factory=list)
    # activity id → {"fields": {field: value}, "cells": {"c<id>_h<id>": level | None}}
    changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    preview: list[dict[str, Any]] = field(default_factory=list)
    # link identifier (« AR-12 ») → {"workaround_exists": bool, "workaround_note": str, "workaround_hours": int | None}
    dependency_changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    dependency_preview: list[dict[str, Any]] = field(default_factory=list)


def _columns(scale: dict[str, Any]) -> list[dict[str, Any]]:
    columns = [{"key": k, "header": _(m), "kind": kind, "editable": e} for k, m, kind, e in FIXED_COLUMNS]
    for criterion in scale["criteria"]:
        if not criterion.is_active:
            continue
        for horizon in scale["horizons"]:
            columns.append({"key": f"c{criterion.pk}_h{horizon.pk}", "header": f"{criterion.name} — {horizon.label}",
                            "kind": "level", "editable": True, "criterion": criterion.pk, "horizon": horizon.pk})
    return columns


def _dependency_columns() -> list[dict[str, Any]]:
    return [{"key": k, "header": _(m), "kind": kind, "editable": e} for k, m, kind, e in DEPENDENCY_COLUMNS]


def _dependencies_sheet_name() -> str:
    return _("Dependencies")[:31]


def _link_label(activity: Activity) -> str:
    """An activity as the BIA pages name it: with its establishment (names repeat across establishments)."""
    return f"{activity.name} ({activity.establishment})"


def _dependencies(*, organization: Organization, membership: Membership,
                  activity_ids: list[int] | None = None) -> dict[str, tuple[Any, str, str]]:
    """Link identifier → (link row, source label, target label) for the links this member may edit: those of
    the activities they see, and the links between resources for BIA managers (in the establishment limit)."""
    if activity_ids is None:
        activity_ids = list(selectors.activity_queryset(organization=organization, membership=membership)
                            .values_list("pk", flat=True))
    rows: dict[str, tuple[Any, str, str]] = {}
    for dep in (ActivityDependency.objects.filter(organization=organization, activity_id__in=activity_ids)
                .select_related("activity__establishment", "resource")
                .order_by("activity__establishment__name", "activity__name", "resource__name", "pk")):
        rows[f"AR-{dep.pk}"] = (dep, _link_label(dep.activity), dep.resource.name)
    if membership.has_capability("bia.change"):
        for rdep in (ResourceDependency.objects.filter(organization=organization)
                     .select_related("resource", "depends_on").order_by("resource__name", "depends_on__name", "pk")):
            rows[f"RR-{rdep.pk}"] = (rdep, rdep.resource.name, rdep.depends_on.name)
    for link in (ActivityLink.objects.filter(organization=organization, activity_id__in=activity_ids,
                                             depends_on_id__in=activity_ids)
                 .select_related("activity__establishment", "depends_on__establishment")
                 .order_by("activity__establishment__name", "activity__name", "depends_on__name", "pk")):
        rows[f"AA-{link.pk}"] = (link, _link_label(link.activity), _link_label(link.depends_on))
    return rows


def _perimeter_labels() -> dict[str, str]:
    return {str(label): value for value, label in CarePerimeter.choices}


def _yes_no() -> tuple[str, str]:
    return _("yes"), _("no")


def build(*, organization: Organization, membership: Membership) -> bytes:
    """The workbook for the activities this member may see."""
    scale = selectors.scales(organization=organization)
    columns = _columns(scale)
    activities = list(selectors.activity_list(organization=organization, membership=membership))
    cells: dict[int, dict[str, int]] = {}
    for activity_id, criterion_id, horizon_id, level in ImpactAnswer.objects.filter(
        organization=organization, activity_id__in=[a.pk for a in activities]
    ).values_list("activity_id", "criterion_id", "horizon_id", "level"):
        cells.setdefault(activity_id, {})[f"c{criterion_id}_h{horizon_id}"] = level
    yes, no = _yes_no()

    wb = Workbook()
    info = wb.active
    info.title = _("Instructions")[:31]
    lines = [
        _("BIA workbook — %(organization)s") % {"organization": organization.name},
        _("Generated on %(date)s.") % {"date": timezone.localtime().strftime("%d/%m/%Y %H:%M")},
        "",
        _("1. Fill in the « BIA » sheet: one row per activity. Grey columns cannot be changed."),
        _("2. Impact grid: for each criterion and time horizon, choose a level from 1 (minor) to 4 (critical); "
          "leave the cell empty when you do not know."),
        _("3. A DMIA set by hand needs a justification. Durations are whole numbers of hours."),
        _("4. Do not type formulas, do not add rows or sheets, do not rename the sheets."),
        _("5. Import the file on the « BIA workbook » page: every cell is checked again, you see the changes "
          "before they are applied, and nothing is changed if one row is wrong."),
        _("6. « Dependencies » sheet: for each dependency, say whether a workaround (degraded mode) exists and how "
          "many hours it holds (1 to 8,760). With a duration, the dependency must be back within that duration + "
          "the activity's need; without one, the need is not carried to the dependency and the gap list warns "
          "about it. Dependencies are added or removed on the activity and resource pages."),
        "",
        _("Levels:"),
    ]
    for level_rows in (scale["criteria"][0].level_rows if scale["criteria"] else []):
        lines.append(f"  {level_rows.level} — {level_rows.label}")
    for criterion in scale["criteria"]:
        if criterion.is_active:
            lines.append("")
            lines.append(criterion.name)
            lines += [f"  {lv.level} : {lv.description}" for lv in criterion.level_rows]
    for i, line in enumerate(lines, start=1):
        info.cell(row=i, column=1, value=line)
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 120
    info.protection.sheet = True

    ws = wb.create_sheet(DATA_SHEET)
    locked_fill = PatternFill("solid", fgColor="E2E8F0")
    header_fill = PatternFill("solid", fgColor="1E3A8A")
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=column["header"])
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(index)].width = 14 if column["kind"] == "level" else 24
    ws.row_dimensions[HEADER_ROW].height = 60
    labels = {value: str(label) for value, label in CarePerimeter.choices}
    for r, activity in enumerate(activities, start=FIRST_ROW):
        values = {
            "id": activity.pk, "establishment": str(activity.establishment), "name": activity.name,
            "owner": (activity.owner.get_full_name() or activity.owner.email) if activity.owner else "",
            "care_perimeter": labels.get(activity.care_perimeter, ""),
            "dmia_override_hours": activity.dmia_override_hours,
            "dmia_override_justification": activity.dmia_override_justification,
            "pdma_hours": activity.pdma_hours, "critical_periods": activity.critical_periods,
            "minimum_staff": activity.minimum_staff, "key_skills": activity.key_skills,
            "degraded_mode_exists": yes if activity.degraded_mode_exists else no,
            "degraded_mode_description": activity.degraded_mode_description,
            **cells.get(activity.pk, {}),
        }
        for index, column in enumerate(columns, start=1):
            value = values.get(column["key"])
            cell = ws.cell(row=r, column=index, value=neutralise(value))
            if column["editable"]:
                cell.protection = Protection(locked=False)
            else:
                cell.fill = locked_fill
    last = FIRST_ROW + max(len(activities), 1) - 1
    _validations(ws, columns, last, yes, no)
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=4)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    dep_columns = _dependency_columns()
    dep_sheet = _dependencies_sheet_name()
    _dependencies_sheet(wb.create_sheet(dep_sheet), dep_columns, _dependencies(
        organization=organization, membership=membership, activity_ids=[a.pk for a in activities]),
        header_fill, locked_fill, yes, no)

    meta = wb.create_sheet(META_SHEET)
    token = signing.dumps({"org": organization.pk, "cols": [c["key"] for c in columns],
                           "dep_sheet": dep_sheet, "dep_cols": [c["key"] for c in dep_columns],
                           "at": timezone.now().isoformat()}, salt=SALT, compress=True)
    meta["A1"] = "resilis-bia-workbook"
    meta["A2"] = token
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    wb.active = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _dependencies_sheet(ws: Any, columns: list[dict[str, Any]], links: dict[str, tuple[Any, str, str]],
                        header_fill: PatternFill, locked_fill: PatternFill, yes: str, no: str) -> None:
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=column["header"])
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(index)].width = 40 if column["kind"] in ("label", "text") else 18
    ws.row_dimensions[HEADER_ROW].height = 45
    for r, (identifier, (link, source, target)) in enumerate(links.items(), start=FIRST_ROW):
        values = {"id": identifier, "link": _(LINK_LABELS[identifier[:2]]), "source": source, "target": target,
                  "workaround_exists": yes if link.workaround_exists else no, "workaround_note": link.workaround_note,
                  "workaround_hours": link.workaround_hours}
        for index, column in enumerate(columns, start=1):
            cell = ws.cell(row=r, column=index, value=neutralise(values.get(column["key"])))
            if column["editable"]:
                cell.protection = Protection(locked=False)
            else:
                cell.fill = locked_fill
    _validations(ws, columns, FIRST_ROW + max(len(links), 1) - 1, yes, no)
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=5)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _validations(ws: Any, columns: list[dict[str, Any]], last: int, yes: str, no: str) -> None:
    def add(dv: DataValidation, index: int) -> None:
        letter = get_column_letter(index)
        dv.error = _("This value is not allowed here.")
        dv.errorTitle = _("Invalid value")
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{letter}{FIRST_ROW}:{letter}{last}")

    perimeters = ",".join(str(label).replace(",", " ") for _v, label in CarePerimeter.choices)
    for index, column in enumerate(columns, start=1):
        kind = column["kind"]
        if kind == "level":
            add(DataValidation(type="list", formula1='"1,2,3,4"', allow_blank=True), index)
        elif kind == "perimeter":
            add(DataValidation(type="list", formula1=f'"{perimeters}"', allow_blank=True), index)
        elif kind == "bool":
            add(DataValidation(type="list", formula1=f'"{yes},{no}"', allow_blank=True), index)
        elif kind in BOUNDS:
            low, high = BOUNDS[kind]
            add(DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high),
                               allow_blank=True), index)


# --- Import --------------------------------------------------------------------------------------

MAX_ENTRIES = 500


def _too_many_rows() -> WorkbookError:
    return WorkbookError(_("A sheet of the workbook has more than %(max)s rows (a workbook holds at most %(max)s "
                           "activities): it was refused.") % {"max": number_format(MAX_ROWS, force_grouping=True)})


def _too_many_columns(limit: int) -> WorkbookError:
    return WorkbookError(_("A sheet of the workbook has more than %(max)s columns: it was refused.") % {"max": limit})


def _open(data: bytes, *, max_columns: int = MAX_COLUMNS) -> Any:
    """The workbook in openpyxl's read-only mode, after the checks that need no parsing
    (``apps.core.spreadsheets.open_xlsx``: size, signature, zip bomb, rows and columns counted in the
    XML), each refusal worded for the BIA workbook. Rows are streamed afterwards."""
    limits = spreadsheets.Limits(max_bytes=MAX_UPLOAD_BYTES, max_uncompressed_bytes=MAX_UNCOMPRESSED_BYTES,
                                 max_entries=MAX_ENTRIES, max_rows=MAX_ROWS, max_columns=max_columns,
                                 header_rows=HEADER_ROW)
    try:
        return spreadsheets.open_xlsx(data, limits)
    except spreadsheets.SpreadsheetError as error:
        if error.code == "rows":
            raise _too_many_rows() from error
        if error.code == "columns":
            raise _too_many_columns(max_columns) from error
        message = {
            "too_big": _("The file is too big (more than 5 MB). Download a fresh workbook and fill it in."),
            "unpacked": _("The workbook is too big once unpacked; it was refused."),
        }.get(error.code, _("This file is not an XLSX workbook."))
        raise WorkbookError(message) from error


def _token(wb: Any, organization: Organization) -> dict[str, Any]:
    if META_SHEET not in wb.sheetnames or DATA_SHEET not in wb.sheetnames:
        raise WorkbookError(_("This is not a Resilis BIA workbook: download it from this page."))
    raw = wb[META_SHEET]["A2"].value
    try:
        token = signing.loads(str(raw or ""), salt=SALT)
    except signing.BadSignature as error:
        raise WorkbookError(_("The workbook's signature is invalid: it was altered. Download a fresh one.")) from error
    if token.get("org") != organization.pk:
        raise WorkbookError(_("This workbook belongs to another organization; it was refused."))
    return token


def _cell_error(row: int, header: str, message: str) -> RowError:
    return RowError(row=row, column=header, message=message)


def _parse_number(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        if float(value) != int(value):
            raise ValueError
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError


def parse(*, data: bytes, organization: Organization, membership: Membership) -> Parsed:
    """Check every cell; return the errors, or the changes with a preview."""
    scale = selectors.scales(organization=organization)
    columns = {c["key"]: c for c in _columns(scale)}
    wb = _open(data, max_columns=max(MAX_COLUMNS, len(columns) + EXTRA_COLUMNS))
    try:
        return _parse_rows(wb, organization=organization, membership=membership, columns=columns)
    finally:
        wb.close()


def _read_rows(ws: Any, keys: list[str], headers: dict[str, str], sheet: str,
               errors: list[RowError]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The non-blank rows of a sheet as (row number, {key: value}), capped; formulas and cells beyond the
    workbook's columns are reported in ``errors`` and left out of the values."""
    # Trust no <dimension>: a lying one would hide rows or cut columns. Rows are streamed and capped.
    ws.reset_dimensions()
    width = len(keys) + EXTRA_COLUMNS
    for offset, row_cells in enumerate(ws.iter_rows(min_row=FIRST_ROW)):
        if offset >= MAX_ROWS:
            raise _too_many_rows()
        if len(row_cells) > width:
            raise _too_many_columns(width)
        row = FIRST_ROW + offset
        values = {}
        blank = True
        for index, cell in enumerate(row_cells):
            if cell.value is not None and cell.value != "":
                blank = False
            column = headers.get(keys[index], keys[index]) if index < len(keys) else get_column_letter(index + 1)
            if spreadsheets.is_formula(cell):
                errors.append(RowError(row, column, _("Formulas are not allowed; type the value itself."), sheet))
                continue
            if index >= len(keys):
                if cell.value not in (None, ""):
                    errors.append(RowError(row, column, _("This column is not part of the workbook."), sheet))
                continue
            values[keys[index]] = cell.value
        if not blank:
            yield row, values


def _parse_rows(wb: Any, *, organization: Organization, membership: Membership,
                columns: dict[str, dict[str, Any]]) -> Parsed:
    token = _token(wb, organization)
    keys: list[str] = token["cols"]
    unknown = [k for k in keys if k not in columns]
    if unknown:
        raise WorkbookError(_("The scales changed since this workbook was downloaded; download a fresh one."))
    visible = {a.pk: a for a in selectors.activity_queryset(organization=organization, membership=membership)}
    existing = _existing_cells(organization, list(visible))
    perimeters = _perimeter_labels()
    yes, no = _yes_no()
    result = Parsed()
    seen: set[int] = set()
    headers = {k: c["header"] for k, c in columns.items()}
    for row, values in _read_rows(wb[DATA_SHEET], keys, headers, DATA_SHEET, result.errors):
        try:
            activity_id = _parse_number(values.get("id"))
        except ValueError:
            result.errors.append(_cell_error(row, columns["id"]["header"], _("The activity identifier was changed.")))
            continue
        activity = visible.get(activity_id)
        if activity is None:
            result.errors.append(_cell_error(row, columns["id"]["header"],
                                             _("Unknown activity: rows cannot be added or copied from another workbook.")))
            continue
        if activity_id in seen:
            result.errors.append(_cell_error(row, columns["id"]["header"], _("This activity appears twice.")))
            continue
        seen.add(activity_id)
        fields, cells, row_errors = _check_row(row, values, keys, columns, perimeters, yes, no)
        if row_errors:
            result.errors += row_errors
            continue
        change = _diff(activity, fields, cells, existing.get(activity_id, {}))
        if change["fields"] or change["cells"]:
            result.changes[activity_id] = change
            result.preview.append(_preview(activity, change, columns, existing.get(activity_id, {})))
    # Keep the error report readable; the order follows the sheet.
    result.errors.sort(key=lambda e: e.row)
    if token.get("dep_sheet"):  # a workbook downloaded before the dependencies sheet existed has none
        _parse_dependencies(wb, token, result, organization=organization, membership=membership,
                            activity_ids=list(visible), yes=yes, no=no)
    return result


def _parse_dependencies(wb: Any, token: dict[str, Any], result: Parsed, *, organization: Organization,
                        membership: Membership, activity_ids: list[int], yes: str, no: str) -> None:
    """The « Dependencies » sheet: each row's workaround, checked like the rest (yes/no, 1 to 8,760 h, a duration
    only with a workaround); errors are added to ``result.errors`` after the BIA sheet's."""
    sheet = str(token["dep_sheet"])
    if sheet not in wb.sheetnames:
        raise WorkbookError(_("The sheet « %(sheet)s » is missing: do not rename or delete the sheets.")
                            % {"sheet": sheet})
    columns = {c["key"]: c for c in _dependency_columns()}
    keys: list[str] = token.get("dep_cols", [])
    if [k for k in keys if k not in columns]:
        raise WorkbookError(_("This workbook comes from another version of Resilis; download a fresh one."))
    links = _dependencies(organization=organization, membership=membership, activity_ids=activity_ids)
    headers = {k: c["header"] for k, c in columns.items()}
    errors: list[RowError] = []
    seen: set[str] = set()
    for row, values in _read_rows(wb[sheet], keys, headers, sheet, errors):
        identifier = str(values.get("id") or "").strip()
        if not _LINK_ID.match(identifier):
            errors.append(RowError(row, headers["id"], _("The dependency identifier was changed."), sheet))
            continue
        entry = links.get(identifier)
        if entry is None:
            errors.append(RowError(row, headers["id"], _(
                "Unknown dependency: rows cannot be added or copied from another workbook (add dependencies on "
                "the activity and resource pages)."), sheet))
            continue
        if identifier in seen:
            errors.append(RowError(row, headers["id"], _("This dependency appears twice."), sheet))
            continue
        seen.add(identifier)
        fields, row_errors = _check_dependency_row(row, values, keys, columns, sheet, yes, no)
        if row_errors:
            errors += row_errors
            continue
        link, source, target = entry
        changed = {k: v for k, v in fields.items() if getattr(link, k) != v}
        if changed:
            result.dependency_changes[identifier] = fields
            result.dependency_preview.append({
                "title": f"{source} → {target}", "link": _(LINK_LABELS[identifier[:2]]),
                "lines": [(columns[k]["header"], _display(getattr(link, k)), _display(v)) for k, v in changed.items()]})
    errors.sort(key=lambda e: e.row)
    result.errors += errors


def _check_dependency_row(row: int, values: dict[str, Any], keys: list[str], columns: dict[str, dict[str, Any]],
                          sheet: str, yes: str, no: str) -> tuple[dict[str, Any], list[RowError]]:
    fields: dict[str, Any] = {}
    errors: list[RowError] = []
    for key in keys:
        column = columns[key]
        if not column["editable"]:
            continue
        try:
            fields[key] = _cell_value(column["kind"], values.get(key), yes, no)
        except ValueError:
            errors.append(RowError(row, column["header"], _expected(column["kind"]), sheet))
        except _TextTooLong:
            errors.append(RowError(row, column["header"], _("The text is too long (more than 4,000 characters)."),
                                   sheet))
    if fields.get("workaround_hours") is not None and fields.get("workaround_exists") is False:
        errors.append(RowError(row, columns["workaround_hours"]["header"], _(
            "A duration needs a workaround: answer « yes » in « %(column)s », or empty this cell.")
            % {"column": columns["workaround_exists"]["header"]}, sheet))
    return fields, errors


def _existing_cells(organization: Organization, ids: list[int]) -> dict[int, dict[str, int]]:
    cells: dict[int, dict[str, int]] = {}
    for activity_id, criterion_id, horizon_id, level in ImpactAnswer.objects.filter(
        organization=organization, activity_id__in=ids
    ).values_list("activity_id", "criterion_id", "horizon_id", "level"):
        cells.setdefault(activity_id, {})[f"c{criterion_id}_h{horizon_id}"] = level
    return cells


class _TextTooLong(Exception):
    pass


def _cell_value(kind: str, value: Any, yes: str, no: str, perimeters: dict[str, str] | None = None) -> Any:
    """One editable cell, checked whatever the drop-downs said; ``ValueError`` when it is not acceptable."""
    if isinstance(value, str):
        value = unneutralise(value.strip())
    empty = value is None or value == ""
    if kind == "level":
        if empty:
            return None
        level = _parse_number(value)
        if not 1 <= level <= 4:
            raise ValueError
        return level
    if kind in BOUNDS:
        if empty:
            return None
        number = _parse_number(value)
        low, high = BOUNDS[kind]
        if not low <= number <= high:
            raise ValueError
        return number
    if kind == "perimeter":
        if empty:
            return CarePerimeter.NONE
        if perimeters is not None and str(value) in perimeters:
            return perimeters[str(value)]
        raise ValueError
    if kind == "bool":
        text = str(value).lower() if not empty else no.lower()
        if text not in (yes.lower(), no.lower()):
            raise ValueError
        return text == yes.lower()
    if isinstance(value, datetime) or (not empty and not isinstance(value, (str, int, float))):
        raise ValueError
    text = "" if empty else str(value)
    if len(text) > TEXT_MAX:
        raise _TextTooLong
    return text


def _check_row(row: int, values: dict[str, Any], keys: list[str], columns: dict[str, dict[str, Any]],
               perimeters: dict[str, str], yes: str, no: str) -> tuple[dict[str, Any], dict[str, int | None], list[RowError]]:
    fields: dict[str, Any] = {}
    cells: dict[str, int | None] = {}
    errors: list[RowError] = []
    for key in keys:
        column = columns[key]
        if not column["editable"]:
            continue
        kind = column["kind"]
        header = column["header"]
        try:
            value = _cell_value(kind, values.get(key), yes, no, perimeters)
        except ValueError:
            errors.append(_cell_error(row, header, _expected(kind)))
            continue
        except _TextTooLong:
            errors.append(_cell_error(row, header, _("The text is too long (more than 4,000 characters).")))
            continue
        if kind == "level":
            cells[key] = value
        else:
            fields[key] = value
    if fields.get("dmia_override_hours") is not None and not fields.get("dmia_override_justification"):
        errors.append(_cell_error(row, columns["dmia_override_justification"]["header"],
                                  _("A DMIA set by hand needs a justification.")))
    if fields.get("degraded_mode_exists") and not fields.get("degraded_mode_description"):
        errors.append(_cell_error(row, columns["degraded_mode_description"]["header"],
                                  _("Describe the degraded mode in a few words.")))
    return fields, cells, errors


def _expected(kind: str) -> str:
    return {
        "level": _("Expected a level from 1 to 4, or an empty cell."),
        "hours": _("Expected a whole number of hours from 1 to 8,760 (a year), or an empty cell."),
        "count": _("Expected a whole number from 0 to 100,000, or an empty cell."),
        "perimeter": _("Choose a CaRE perimeter from the list."),
        "bool": _("Expected « yes » or « no »."),
    }.get(kind, _("Expected text."))


def _diff(activity: Activity, fields: dict[str, Any], cells: dict[str, int | None],
          current_cells: dict[str, int]) -> dict[str, Any]:
    changed_fields = {k: v for k, v in fields.items() if getattr(activity, k) != v}
    changed_cells = {k: v for k, v in cells.items() if current_cells.get(k) != v}
    return {"fields": changed_fields, "cells": changed_cells}


def _display(value: Any) -> str:
    yes, no = _yes_no()
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return yes if value else no
    if value in CarePerimeter.values:
        return str(CarePerimeter(value).label)
    return str(value)


def _preview(activity: Activity, change: dict[str, Any], columns: dict[str, dict[str, Any]],
             current_cells: dict[str, int]) -> dict[str, Any]:
    lines = [(columns[k]["header"], _display(getattr(activity, k)), _display(v)) for k, v in change["fields"].items()]
    lines += [(columns[k]["header"], _display(current_cells.get(k)), _display(v)) for k, v in change["cells"].items()]
    return {"activity": activity, "lines": lines}


def payload_dumps(*, organization: Organization, user: User, changes: dict[int, dict[str, Any]],
                  dependencies: dict[str, dict[str, Any]] | None = None) -> str:
    return signing.dumps({"org": organization.pk, "user": user.pk, "changes": changes, "deps": dependencies or {}},
                         salt=PAYLOAD_SALT, compress=True)


def payload_loads(*, organization: Organization, user: User,
                  payload: str) -> tuple[dict[int, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The activity changes and the dependency changes of a preview, as ``parse`` found them."""
    try:
        data = signing.loads(payload, salt=PAYLOAD_SALT, max_age=3600)
    except signing.BadSignature as error:
        raise WorkbookError(_("The preview expired or was altered; import the workbook again.")) from error
    if data.get("org") != organization.pk or data.get("user") != user.pk:
        raise WorkbookError(_("The preview expired or was altered; import the workbook again."))
    return {int(k): v for k, v in data["changes"].items()}, dict(data.get("deps") or {})


@transaction.atomic
def apply(*, organization: Organization, membership: Membership, actor: User | None,
          changes: dict[int, dict[str, Any]], dependencies: dict[str, dict[str, Any]] | None = None) -> tuple[int, int]:
    """Write every change or none: any failure rolls the whole import back. Returns how many activities and how
    many dependencies were updated."""
    visible = {a.pk: a for a in selectors.activity_queryset(organization=organization, membership=membership)
               .filter(pk__in=list(changes))}
    if len(visible) != len(changes):
        raise WorkbookError(_("Some activities no longer exist; import the workbook again."))
    for activity_id, change in changes.items():
        activity = visible[activity_id]
        if change["cells"]:
            levels = {}
            for key, level in change["cells"].items():
                criterion_id, horizon_id = key[1:].split("_h")
                levels[(int(criterion_id), int(horizon_id))] = level
            activity = impacts_save(activity=activity, actor=actor, levels=levels)
        fields = dict(change["fields"])
        perimeter = fields.pop("care_perimeter", None)
        if perimeter is not None:
            activity_update(activity=activity, actor=actor, data={"care_perimeter": perimeter})
        if fields:
            activity_save_step(activity=activity, actor=actor, step=0, data=fields)
    dependencies = dependencies or {}
    if dependencies:
        _apply_dependencies(organization=organization, membership=membership, actor=actor, changes=dependencies)
    # A bulk write: fresh planner statistics once it commits.
    analyze(Activity, ImpactAnswer, ActivityDependency, ResourceDependency, ActivityLink)
    return len(changes), len(dependencies)


def _apply_dependencies(*, organization: Organization, membership: Membership, actor: User | None,
                        changes: dict[str, dict[str, Any]]) -> None:
    """Each link's workaround through the BIA services (validated, in the history), the links looked up again in
    this member's scope."""
    links = _dependencies(organization=organization, membership=membership)
    for identifier, data in changes.items():
        entry = links.get(identifier)
        if entry is None:
            raise WorkbookError(_("Some dependencies no longer exist; import the workbook again."))
        link = entry[0]
        exists, note = bool(data["workaround_exists"]), str(data.get("workaround_note") or "")
        hours = data.get("workaround_hours")
        hours = int(hours) if hours is not None else None
        if isinstance(link, ActivityDependency):
            activity_dependency_set(activity=link.activity, actor=actor, resource=link.resource,
                                    workaround_exists=exists, workaround_note=note, workaround_hours=hours)
        elif isinstance(link, ResourceDependency):
            resource_dependency_set(resource=link.resource, actor=actor, depends_on=link.depends_on,
                                    workaround_exists=exists, workaround_note=note, workaround_hours=hours)
        else:
            activity_link_set(activity=link.activity, actor=actor, depends_on=link.depends_on,
                              workaround_exists=exists, workaround_note=note, workaround_hours=hours)
