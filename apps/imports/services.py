"""Import writes: upload, mapping and preview, apply all or nothing.

A failed import changes nothing (ARCHITECTURE.md « Writes and history »): the rows are written in one
transaction through the BIA services (each row validated by ``full_clean``, in the row history by the
pghistory triggers); the first failure rolls every row back and is recorded on the run, with its row.
"""

from __future__ import annotations

import datetime
import math
import time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.bia.models import Activity, ActivityDependency, ActivityLink, OrgUnit, Resource, ResourceDependency
from apps.bia.refresh import refresh_on_commit
from apps.bia.services.activities import activities_create_many, activities_update_many, org_unit_resolve
from apps.bia.services.resources import (
    LINK_ENDS,
    dependencies_set_many,
    resources_create_many,
    resources_update_many,
)
from apps.core import spreadsheets, tenancy
from apps.core.db import analyze
from apps.core.models import AuditEvent
from apps.core.services import RowInvalid, audit_log
from apps.imports import engine
from apps.imports.models import ColumnMapping, ImportKind, ImportRun
from apps.tenants.models import Organization

if TYPE_CHECKING:
    from apps.accounts.models import User

LIMITS = spreadsheets.Limits(max_rows=5000, max_columns=100)


class ImportRefused(Exception):
    """The run cannot go on (wrong state, required column not mapped); the message is for the user."""


def _cell(value: Any) -> Any:
    """A cell as JSON keeps it: text, numbers and booleans as they are, dates as ISO text."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def read(run: ImportRun) -> spreadsheets.Table:
    return spreadsheets.Table(headers=list(run.headers), rows=[(int(n), list(cells)) for n, cells in run.rows],
                              formula_cells={(int(n), int(c)) for n, c in run.formula_cells})


@transaction.atomic
def import_upload(*, organization: Organization, actor: User, kind: str, filename: str, data: bytes,
                  resource_kind: str = "") -> ImportRun:
    """Check the file (hostile-file defences, ``apps.core.spreadsheets``), keep it, guess the mapping from the
    headers and the organization's last mapping for this kind. ``SpreadsheetError`` when refused."""
    if kind not in ImportKind.values:
        raise ValidationError({"kind": _("Choose a kind of import.")})
    if resource_kind and resource_kind not in Resource.Kind.values:
        raise ValidationError({"resource_kind": _("Choose a kind of resource.")})
    table = spreadsheets.read_table(data, filename=filename, limits=LIMITS)
    remembered = ColumnMapping.objects.filter(organization=organization, kind=kind).first()
    limit = tenancy.allowed_establishments()
    run = ImportRun.objects.create(
        organization=organization, kind=kind, resource_kind=resource_kind if kind == ImportKind.RESOURCES else "",
        filename=filename[:255], headers=table.headers, row_count=len(table.rows),
        rows=[[n, [_cell(v) for v in cells]] for n, cells in table.rows],
        formula_cells=sorted([n, c] for n, c in table.formula_cells),
        mapping=engine.guess_mapping(kind, table.headers, remembered.mapping if remembered else None),
        created_by=actor, establishment_ids=sorted(limit) if limit is not None else None)
    audit_log(action=AuditEvent.Action.UPLOAD, actor=actor, organization=organization, target=run.filename,
              details={"kind": f"import_{kind}", "size": len(data), "rows": run.row_count, "import": str(run.pk)})
    return run


def _preview(run: ImportRun) -> tuple[list[engine.Row], float]:
    started = time.perf_counter()
    table = read(run)
    ctx = engine.load_context(organization=run.organization, allowed=tenancy.allowed_establishments(),
                              kind=run.kind, resource_kind=run.resource_kind)
    try:
        rows = engine.check(kind=run.kind, table=table, mapping=run.mapping, ctx=ctx)
    except ValueError as error:
        raise ImportRefused(str(error)) from error
    return rows, time.perf_counter() - started


def _counts(rows: list[engine.Row]) -> dict[str, int]:
    counts = {s: 0 for s in (engine.NEW, engine.UPDATED, engine.UNCHANGED, engine.REFUSED)}
    for row in rows:
        counts[row.status] += 1
    return counts


@transaction.atomic
def import_map(*, run: ImportRun, actor: User, mapping: dict[str, str]) -> ImportRun:
    """Record the mapping (on the run, and as the organization's mapping for this kind), then preview."""
    if run.status == ImportRun.Status.APPLIED:
        raise ImportRefused(_("This import was already applied; upload the file again."))
    keys = {f.key for f in engine.fields_of(run.kind)}
    mapping = {k: v for k, v in mapping.items() if k in keys and v in run.headers}
    run.mapping = mapping
    ColumnMapping.objects.update_or_create(organization=run.organization, kind=run.kind,
                                           defaults={"mapping": mapping, "updated_by": actor})
    rows, seconds = _preview(run)
    run.report = [r.as_report() for r in rows]
    run.counts = _counts(rows)
    run.status = ImportRun.Status.PREVIEWED
    run.preview_seconds = seconds
    run.error = ""
    run.save()
    return run


def import_apply(*, run: ImportRun, actor: User) -> ImportRun:
    """Check the file again against today's data, then write every new and updated row, or none.

    Refused rows block the import (fix the file and upload it again): what is applied is exactly what the
    preview showed. Afterwards the filled tables are analysed and the BIA analysis refreshed (debounced)."""
    if run.status != ImportRun.Status.PREVIEWED:
        raise ImportRefused(_("Preview the import before applying it."))
    started = time.perf_counter()
    rows, _seconds = _preview(run)
    counts = _counts(rows)
    if counts[engine.REFUSED]:
        run.report, run.counts = [r.as_report() for r in rows], counts
        run.save(update_fields=["report", "counts", "updated_at"])
        raise ImportRefused(_("%(count)s rows are refused: correct the file and import it again. Nothing was "
                             "changed.") % {"count": counts[engine.REFUSED]})
    current: engine.Row | None = None
    writer: _Writer | None = None
    try:
        with transaction.atomic():
            # Two clicks on « Apply »: the second waits for the first, then finds the import applied.
            locked = ImportRun.objects.select_for_update().only("status").get(pk=run.pk)
            if locked.status != ImportRun.Status.PREVIEWED:
                raise ImportRefused(_("This import was already applied; upload the file again."))
            writer = _Writer(run=run, actor=actor)
            for current in rows:
                if current.action is not None:
                    writer.write(current.action, row=current.row)
            current = None  # the rows go in batches: the writer names the row that fails validation
            writer.flush()
            analyze(*writer.models)
            refresh_on_commit(run.organization.pk)
            run.status = ImportRun.Status.APPLIED
            run.report, run.counts = [r.as_report() for r in rows], counts
            run.applied_at = timezone.now()
            run.apply_seconds = time.perf_counter() - started
            run.rows, run.formula_cells = [], []  # the rows are in Resilis now; the report keeps what happened
            run.save()
    except (ValidationError, DatabaseError, ObjectDoesNotExist, tenancy.EstablishmentLimitError, ValueError) as error:
        run.refresh_from_db()
        message = " ".join(getattr(error, "messages", None) or [str(error)])
        run.status = ImportRun.Status.FAILED
        row = current.row if current is not None else writer.failed_row if writer is not None else None
        if row is not None:
            run.error = _("Row %(row)s: %(message)s Nothing was changed.") % {"row": row, "message": message}
        else:
            run.error = _("Writing the new rows failed: %(message)s Nothing was changed.") % {"message": message}
        run.save(update_fields=["status", "error", "updated_at"])
        audit_log(action=AuditEvent.Action.UPLOAD, actor=actor, organization=run.organization,
                  target=run.filename, details={"kind": f"import_{run.kind}", "import": str(run.pk),
                                                "step": "apply", "result": "failed"})
        raise ImportRefused(run.error) from error
    audit_log(action=AuditEvent.Action.UPLOAD, actor=actor, organization=run.organization, target=run.filename,
              details={"kind": f"import_{run.kind}", "import": str(run.pk), "step": "apply", "result": "applied",
                       **counts})
    return run


class _Writer:
    """Each row through the BIA services the pages use (validated, tenant- and limit-checked), in batches: new
    resources and activities (``*_create_many``), updated ones (``*_update_many``), dependency rows
    (``dependencies_set_many``). A row that fails validation in a batch is named by ``failed_row``."""

    def __init__(self, *, run: ImportRun, actor: User) -> None:
        self.run, self.actor, self.organization = run, actor, run.organization
        self.models: set[type[Any]] = set()
        self.creates: list[dict[str, Any]] = []
        self.links: dict[str, list[dict[str, Any]]] = {}
        self.updates: list[tuple[int, int, dict[str, Any]]] = []  # (row, pk, data)
        self.failed_row: int | None = None
        self._units: dict[tuple[int, str, str], OrgUnit | None] = {}

    def write(self, action: tuple[str, dict[str, Any]], *, row: int) -> None:
        verb, data = action
        if verb == "update":
            data = dict(data)
            unit = data.pop("unit", None)
            if unit is not None:
                data["unit"] = self._unit(data["establishment"], unit)
            self.updates.append((row, data.pop("pk"), data))
            return
        getattr(self, f"_{self.run.kind}")(verb, dict(data))

    def flush(self) -> None:
        """The new resources or activities, and the dependency rows, in batches (after the row-by-row writes)."""
        self._flush_links()
        self._flush_updates()
        if not self.creates:
            return
        if self.run.kind == ImportKind.RESOURCES:
            resources_create_many(organization=self.organization, actor=self.actor, rows=self.creates)
        else:
            activities_create_many(organization=self.organization, actor=self.actor, rows=self.creates)
        self.creates = []

    def _flush_updates(self) -> None:
        if not self.updates:
            return
        model: Any = Resource if self.run.kind == ImportKind.RESOURCES else Activity
        self.models |= {model} if model is Resource else {model, OrgUnit}
        related = ["establishment"] if model is Resource else ["establishment", "site", "unit"]
        found = model.objects.filter(organization=self.organization).select_related(*related).in_bulk(
            [pk for _row, pk, _data in self.updates])
        if len(found) != len({pk for _row, pk, _data in self.updates}):
            raise ObjectDoesNotExist(_("An activity or a resource of the file was deleted meanwhile."))
        updates = [(found[pk], data) for _row, pk, data in self.updates]
        service = resources_update_many if model is Resource else activities_update_many
        try:
            service(organization=self.organization, actor=self.actor, updates=updates)
        except RowInvalid as error:
            self.failed_row = self.updates[error.index][0]
            raise
        self.updates = []

    def _resources(self, verb: str, data: dict[str, Any]) -> None:
        self.models.add(Resource)
        self.creates.append(data)

    def _unit(self, establishment: Any, unit: dict[str, str]) -> OrgUnit | None:
        key = (establishment.pk, unit["pole"], unit["service"])
        if key not in self._units:
            self._units[key] = org_unit_resolve(organization=self.organization, establishment=establishment,
                                                pole=unit["pole"], service=unit["service"])
        return self._units[key]

    def _activities(self, verb: str, data: dict[str, Any]) -> None:
        self.models |= {Activity, OrgUnit}
        unit = data.pop("unit", None)
        if unit is not None:
            data["unit"] = self._unit(data["establishment"], unit)
        self.creates.append(data)

    def _dependencies(self, verb: str, data: dict[str, Any]) -> None:
        self.links.setdefault(data.pop("prefix"), []).append(data)

    def _flush_links(self) -> None:
        """Every dependency row in batches, one kind of link at a time: the ends loaded in one query per model."""
        models = {"AR": (ActivityDependency, Activity, Resource), "RR": (ResourceDependency, Resource, Resource),
                  "AA": (ActivityLink, Activity, Activity)}
        for prefix, rows in self.links.items():
            model, source_model, target_model = models[prefix]
            a, b = LINK_ENDS[model]
            sources = source_model.objects.filter(organization=self.organization).in_bulk({r["source"] for r in rows})
            targets = target_model.objects.filter(organization=self.organization).in_bulk({r["target"] for r in rows})
            if not {r["source"] for r in rows} <= sources.keys() or not {r["target"] for r in rows} <= targets.keys():
                raise ObjectDoesNotExist(_("An activity or a resource of the file was deleted meanwhile."))
            self.models.add(model)
            dependencies_set_many(organization=self.organization, actor=self.actor, model=model, rows=[
                {a: sources[r["source"]], b: targets[r["target"]], "workaround_exists": r["workaround_exists"],
                 "workaround_note": r["workaround_note"], "workaround_hours": r["workaround_hours"]} for r in rows])
        self.links = {}
