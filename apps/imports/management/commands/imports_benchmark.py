"""Import 5,000 applications from an XLSX into a throwaway organization and time each step.

    python manage.py imports_benchmark [--rows 5000 --keep]

Prints the time of the upload check (hostile-file defences and parsing), of the preview (mapping, every row
checked against the organization's data) and of the apply (one transaction through the BIA services), then
the same file a second time (every row unchanged). Budget (ARCHITECTURE.md): 5,000 rows ≤ 10 s. The
organization is deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import io
import secrets
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_scopes import scopes_disabled
from openpyxl import Workbook

from apps.accounts.models import User
from apps.core import tenancy
from apps.core.benchmark import load_average
from apps.imports import services
from apps.tenants.models import Establishment, Organization
from apps.tenants.services import organization_create
from apps.tenants.validators import luhn_complete

BUDGET_SECONDS = 10.0


def inventory(rows: int) -> bytes:
    """A CMDB-like export with its own column names (a few resources for each establishment)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Export CMDB")
    ws.append(["Nom de l'application", "Code appli", "Éditeur", "Établissement", "RTO (h)", "RPO (h)",
               "Hébergé en SaaS", "Fin de contrat", "Colonne ignorée"])
    for i in range(rows):
        ws.append([f"Application n°{i}", f"APP-{i:05d}", f"Éditeur {i % 40}",
                   "CHU de démonstration" if i % 3 else "", 4 + i % 48, 1 + i % 24, "oui" if i % 5 == 0 else "non",
                   f"31/12/20{27 + i % 5}", f"bruit {i}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class _Clock:
    """Wall time and this process's CPU time since the last lap (the database's own CPU is in the wall time)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        result = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return result


def _fmt(lap: tuple[float, float]) -> str:
    return f"{lap[0]:.2f} s (CPU {lap[1]:.2f} s)"


class Command(BaseCommand):
    help = "Time an import of 5,000 applications from an XLSX (budget: ≤ 10 s, preview + apply)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=5000)
        parser.add_argument("--keep", action="store_true", help="keep the benchmark organization")

    def handle(self, *args: Any, **options: Any) -> None:
        suffix = secrets.token_hex(3)
        data = inventory(options["rows"])
        self.stdout.write(f"File: {options['rows']} rows, {len(data) / 1024:.0f} KiB; "
                          f"load average {' '.join(f'{v:.2f}' for v in load_average())}")
        with scopes_disabled():
            organization = organization_create(actor=None, name=f"Benchmark imports {suffix}",
                                               slug=f"imports-benchmark-{suffix}", kind=Organization.Kind.GHT)
            for i, name in enumerate(["CHU de démonstration", "CH de démonstration"]):
                Establishment.objects.create(organization=organization, name=name,
                                             finess_ej=luhn_complete(f"9900000{i}"))
            user = User.objects.create_user(email=f"imports-benchmark-{suffix}@resilis.invalid",
                                            password=secrets.token_urlsafe(16))
        try:
            with tenancy.tenant_scope(organization):
                for attempt in ("first import (all new)", "same file again (all unchanged)"):
                    clock = _Clock()
                    run = services.import_upload(organization=organization, actor=user, kind="resources",
                                                 filename="cmdb.xlsx", data=data, resource_kind="application")
                    upload = clock.lap()
                    services.import_map(run=run, actor=user, mapping=run.mapping)
                    preview = clock.lap()
                    applied = (0.0, 0.0)
                    if run.counts.get("new") or run.counts.get("updated"):
                        services.import_apply(run=run, actor=user)
                        applied = clock.lap()
                    total = (upload[0] + preview[0] + applied[0], upload[1] + preview[1] + applied[1])
                    self.stdout.write(
                        f"{attempt}: upload check {_fmt(upload)}, preview {_fmt(preview)}, apply {_fmt(applied)}, "
                        f"total {_fmt(total)} ({'within' if total[0] <= BUDGET_SECONDS else 'OVER'} the "
                        f"{BUDGET_SECONDS:.0f} s budget in wall time); counts {run.counts}")
                self.stdout.write(f"load average after: {' '.join(f'{v:.2f}' for v in load_average())} "
                                  "(wall time includes waiting for a core on a shared machine; CPU time does not)")
        finally:
            if not options["keep"]:
                with scopes_disabled():
                    organization.delete()
                    user.delete()
