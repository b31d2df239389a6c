"""Import 5,000 rows of each kind from an XLSX into a throwaway organization and time each step.

    python manage.py imports_benchmark [--rows 5000] [--kinds resources,activities,dependencies] [--keep]
                                       [--json FILE]

For each kind, in this order: applications (a CMDB export with its own column names), activities (two
establishments, pôles and services), dependencies (activity → application and application → application,
named by name or by code, with workarounds). The dependencies are checked against the organization as the
first two imports left it (``--rows`` applications and activities; with ``--kinds dependencies`` alone they are
seeded by the same two imports, untimed). Each kind is imported three times: the file as is (every row new),
the same file again (every row unchanged), then a file where every row changed (every row updated).

Each pass prints the time of the upload check (hostile-file defences and parsing), of the preview (mapping,
every row checked against the organization's data) and of the apply (the file checked again, then one
transaction through the BIA services, the tables analysed), in wall time and in this process's CPU time.
Budget (ARCHITECTURE.md): 5,000 rows ≤ 10 s for upload + preview + apply. The organization is deleted at the
end unless ``--keep``.
"""

from __future__ import annotations

import io
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django_scopes import scopes_disabled
from openpyxl import Workbook

from apps.accounts.models import User
from apps.core import benchmark as bench
from apps.core import tenancy
from apps.imports import services
from apps.imports.models import ImportKind
from apps.tenants.models import Establishment, Organization
from apps.tenants.services import organization_create
from apps.tenants.validators import luhn_complete

BUDGET_SECONDS = 10.0
ESTABLISHMENTS = ["CHU de démonstration", "CH de démonstration"]
PASSES = [("new", "first import (all new)"), ("unchanged", "same file again (all unchanged)"),
          ("updated", "every row changed (all updated)")]


def _xlsx(sheet: str, rows: list[list[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def inventory(rows: int, changed: bool = False) -> bytes:
    """A CMDB-like export with its own column names (a few resources for each establishment)."""
    shift = 1 if changed else 0
    return _xlsx("Export CMDB", [
        ["Nom de l'application", "Code appli", "Éditeur", "Établissement", "RTO (h)", "RPO (h)",
         "Hébergé en SaaS", "Fin de contrat", "Colonne ignorée"],
        *([f"Application n°{i}", f"APP-{i:05d}", f"Éditeur {i % 40}", ESTABLISHMENTS[0] if i % 3 else "",
           4 + (i + shift) % 48, 1 + i % 24, "oui" if i % 5 == 0 else "non", f"31/12/20{27 + i % 5}", f"bruit {i}"]
          for i in range(rows))])


def activity_list(rows: int, changed: bool = False) -> bytes:
    """The activity map of two establishments: pôles and services, CaRE perimeters, recovery priorities."""
    perimeters = ["Service de soins à impact patient majeur", "", "Aucun"]
    return _xlsx("Activités", [
        ["Activité", "Code activité", "Établissement", "Pôle", "Service", "Processus", "Périmètre CaRE",
         "Priorité de reprise"],
        *([f"Activité n°{i}", f"ACT-{i:05d}", ESTABLISHMENTS[i % 2], f"Pôle {i % 12}", f"Service {i % 60}",
           f"Processus {i % 25}", perimeters[i % 3], (i + (7 if changed else 0)) % 100] for i in range(rows))])


def dependency_list(rows: int, seeded: int, changed: bool = False) -> bytes:
    """Seven rows in ten say which application an activity needs, three which application another one needs;
    every other row names its ends by code instead of by name. Workarounds on one row in four."""
    out: list[list[Any]] = [["Élément", "Dépend de", "Contournement", "Autonomie (h)",
                             "Description du contournement"]]
    ar = rows * 7 // 10
    for i in range(rows):
        by_code = i % 2 == 1
        if i < ar:
            a, r = i % seeded, (i * 7) % seeded
            source = f"ACT-{a:05d}" if by_code else f"Activité n°{a}"
            target = f"APP-{r:05d}" if by_code else f"Application n°{r}"
        else:
            j = i - ar
            r1, r2 = j % seeded, (j + 1) % seeded
            source = f"APP-{r1:05d}" if by_code else f"Application n°{r1}"
            target = f"APP-{r2:05d}" if by_code else f"Application n°{r2}"
        workaround = (i % 4 == 0) != changed  # the changed file turns every row's workaround on or off
        hours = 4 + i % 44 if workaround else None
        out.append([source, target, "oui" if workaround else "non", hours,
                    f"Mode dégradé {i % 9}" if workaround else ""])
    return _xlsx("Dépendances", out)


class _Clock:
    """Wall time and this process's CPU time since the last lap (the database's own CPU is in the wall time)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        result = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return result


class Command(BaseCommand):
    help = ("Time imports of 5,000 applications, activities and dependencies from XLSX files (budget: ≤ 10 s for "
            "upload + preview + apply).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=5000, help="rows of each file (default %(default)s; the "
                                                                   "import refuses more than 5,000)")
        parser.add_argument("--kinds", default=",".join(ImportKind.values),
                            help="kinds of import, comma-separated (default %(default)s)")
        parser.add_argument("--keep", action="store_true", help="keep the benchmark organization")
        parser.add_argument("--json", nargs="?", const="-", default=None, metavar="FILE",
                            help="also write the results as JSON to FILE (to standard output with no FILE)")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = options["rows"]
        kinds = [k.strip() for k in options["kinds"].split(",") if k.strip()]
        if rows < 1 or not kinds or any(k not in ImportKind.values for k in kinds):
            raise CommandError(f"--kinds takes some of {', '.join(ImportKind.values)}; --rows at least 1")
        report = bench.Report(self, "imports_benchmark", json_path=options["json"])
        report.extra.update(rows_per_file=rows, budget_s=BUDGET_SECONDS)  # "rows" holds the results
        suffix = secrets.token_hex(3)
        with scopes_disabled():
            organization = organization_create(actor=None, name=f"Benchmark imports {suffix}",
                                               slug=f"imports-benchmark-{suffix}", kind=Organization.Kind.GHT)
            for i, name in enumerate(ESTABLISHMENTS):
                Establishment.objects.create(organization=organization, name=name,
                                             finess_ej=luhn_complete(f"9900000{i}"))
            user = User.objects.create_user(email=f"imports-benchmark-{suffix}@resilis.invalid",
                                            password=secrets.token_urlsafe(16))
        files: dict[str, Callable[[bool], tuple[bytes, str]]] = {
            ImportKind.RESOURCES: lambda changed: (inventory(rows, changed), "application"),
            ImportKind.ACTIVITIES: lambda changed: (activity_list(rows, changed), ""),
            ImportKind.DEPENDENCIES: lambda changed: (dependency_list(rows, rows, changed), ""),
        }
        try:
            with tenancy.tenant_scope(organization):
                if ImportKind.DEPENDENCIES in kinds:
                    for seed in (ImportKind.RESOURCES, ImportKind.ACTIVITIES):
                        if seed not in kinds:
                            data, resource_kind = files[seed](False)
                            self._import(organization, user, seed, data, resource_kind)
                            report.say(f"seeded {rows} {seed} (untimed) for the dependencies")
                for kind in ImportKind.values:
                    if kind not in kinds:
                        continue
                    for expected, label in PASSES:
                        data, resource_kind = files[kind](expected == "updated")
                        row = self._time(organization, user, kind, data, resource_kind)
                        row.update(kind=kind, step=expected, label=label, size_kib=round(len(data) / 1024))
                        if row["counts"].get(expected) != rows:
                            report.say(f"  {kind}, {label}: unexpected counts {row['counts']}")
                        report.add(**row)
                        report.say(f"{kind:12} {label}: upload {row['upload_s']:.2f} s, preview "
                                   f"{row['preview_s']:.2f} s, apply {row['apply_s']:.2f} s, total "
                                   f"{row['total_s']:.2f} s (CPU {row['total_cpu_s']:.2f} s), {row['queries']} "
                                   f"queries — {row['verdict']}; counts {row['counts']}")
        finally:
            if not options["keep"]:
                with scopes_disabled():
                    organization.delete()
                    user.delete()
        report.say("")
        report.table(report.rows, [("kind", "kind", 12, "s"), ("step", "rows are", 9, "s"),
                                   ("upload_s", "upload s", 8, ".2f"), ("preview_s", "preview s", 9, ".2f"),
                                   ("apply_s", "apply s", 8, ".2f"), ("apply_cpu_s", "CPU", 5, ".2f"), ("total_s", "total s", 8, ".2f"),
                                   ("total_cpu_s", "CPU s", 6, ".2f"), ("queries", "queries", 7, "d"),
                                   ("verdict", "budget", 6, "s")])
        worst = max(report.rows, key=lambda r: r["total_s"])
        report.say(f"{rows} rows: worst total {worst['total_s']:.2f} s ({worst['kind']}, {worst['step']}); budget "
                   f"≤ {BUDGET_SECONDS:.0f} s in wall time: "
                   f"{'within' if all(r['verdict'] == 'ok' for r in report.rows) else 'OVER'} "
                   "(wall time includes waiting for a core on a shared machine; CPU time does not)")
        report.finish()

    @staticmethod
    def _import(organization: Organization, user: User, kind: str, data: bytes, resource_kind: str) -> Any:
        run = services.import_upload(organization=organization, actor=user, kind=kind,
                                     filename=f"{kind}.xlsx", data=data, resource_kind=resource_kind)
        services.import_map(run=run, actor=user, mapping=run.mapping)
        if run.counts.get("new") or run.counts.get("updated"):
            services.import_apply(run=run, actor=user)
        return run

    @staticmethod
    def _time(organization: Organization, user: User, kind: str, data: bytes, resource_kind: str) -> dict[str, Any]:
        queries = 0

        def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            clock = _Clock()
            run = services.import_upload(organization=organization, actor=user, kind=kind, filename=f"{kind}.xlsx",
                                         data=data, resource_kind=resource_kind)
            upload = clock.lap()
            services.import_map(run=run, actor=user, mapping=run.mapping)
            preview = clock.lap()
            applied = (0.0, 0.0)
            if run.counts.get("new") or run.counts.get("updated"):
                services.import_apply(run=run, actor=user)
                applied = clock.lap()
        total = upload[0] + preview[0] + applied[0]
        return {"upload_s": round(upload[0], 3), "upload_cpu_s": round(upload[1], 3),
                "preview_s": round(preview[0], 3), "preview_cpu_s": round(preview[1], 3),
                "apply_s": round(applied[0], 3), "apply_cpu_s": round(applied[1], 3),
                "total_s": round(total, 3), "total_cpu_s": round(upload[1] + preview[1] + applied[1], 3),
                "queries": queries, "counts": run.counts,
                "mapping": run.mapping, "verdict": "ok" if total <= BUDGET_SECONDS else "OVER"}
