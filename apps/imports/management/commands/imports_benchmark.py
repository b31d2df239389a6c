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
                    started = time.perf_counter()
                    run = services.import_upload(organization=organization, actor=user, kind="resources",
                                                 filename="cmdb.xlsx", data=data, resource_kind="application")
                    upload = time.perf_counter() - started
                    services.import_map(run=run, actor=user, mapping=run.mapping)
                    preview = time.perf_counter() - started - upload
                    applied = 0.0
                    if run.counts.get("new") or run.counts.get("updated"):
                        before = time.perf_counter()
                        services.import_apply(run=run, actor=user)
                        applied = time.perf_counter() - before
                    total = upload + preview + applied
                    self.stdout.write(
                        f"{attempt}: upload check {upload:.2f} s, preview {preview:.2f} s, apply {applied:.2f} s, "
                        f"total {total:.2f} s ({'within' if total <= BUDGET_SECONDS else 'OVER'} the "
                        f"{BUDGET_SECONDS:.0f} s budget); counts {run.counts}")
        finally:
            if not options["keep"]:
                with scopes_disabled():
                    organization.delete()
                    user.delete()
