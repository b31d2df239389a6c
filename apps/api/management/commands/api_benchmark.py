"""Time the API's gap endpoint on the large establishment (budget: ≤ 150 ms at p95, ARCHITECTURE.md).

    python manage.py api_benchmark [--runs 40] [--sizes 1] [--json [FILE]] [--keep]

Size 1× is the large establishment of ``bia_benchmark`` (300 activities, 400 resources, 3,000 dependencies,
seeded by ``apps.bia.benchmark.seed_large``). Each size gets a throwaway organization and a token; the gap
endpoint (and, for comparison, the activity list's first page and the backup controls) is requested
``--runs`` times through Django's test client with the bearer token (middleware, authentication, throttle,
scope, view, JSON): **warm** (the analysis in this process's memo, what most requests see) and **cold** (a
capability changed, the analysis recomputed as the worker does after a write, this process's memo cleared:
the request reads it from Redis). Wall and CPU time (median, p95, IQR, max), queries, response size, and the
load average at start and end are printed. The organizations are deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import datetime
import secrets
import time
from typing import Any

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandParser
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.api.services import API_CAPABILITIES, token_create
from apps.bia import selectors
from apps.bia.benchmark import seed_large
from apps.bia.models import Resource
from apps.core import benchmark as bench
from apps.core.tenancy import tenant_scope
from apps.tenants.models import Establishment, Organization
from apps.tenants.services import organization_create
from apps.tenants.validators import luhn_complete
from resilis.runtime import freeze_startup_objects

BASE = {"activities": 300, "resources": 400, "dependencies": 3000}
BUDGET_P95_MS = 150


class Command(BaseCommand):
    help = "Time the API's gap endpoint on the large establishment (budget ≤ 150 ms at p95)."

    def add_arguments(self, parser: CommandParser) -> None:
        bench.add_arguments(parser, sizes="1")
        parser.add_argument("--keep", action="store_true", help="keep the benchmark organizations")

    def handle(self, *args: Any, **options: Any) -> None:
        freeze_startup_objects()  # as resilis/wsgi.py does in the web processes
        runs = bench.check_runs(options["runs"])
        report = bench.Report(self, "api_benchmark", json_path=options["json"])
        created: list[Organization] = []
        try:
            for size in bench.parse_sizes(options["sizes"]):
                organization, plain = self._seed(size, report)
                created.append(organization)
                self._time(size, organization, plain, runs, report)
        finally:
            for organization in created if not options["keep"] else []:
                with scopes_disabled():
                    cache.delete(selectors.analysis_key(organization.pk, None))
                    organization.delete()
        rows = [r for r in report.rows if r["endpoint"] == "gaps"]
        worst = max((r["p95_ms"] for r in rows), default=float("nan"))
        report.extra["budget"] = {"gaps_p95_ms": BUDGET_P95_MS, "measured_worst_p95_ms": worst,
                                  "within": worst <= BUDGET_P95_MS}
        report.say(f"gap endpoint p95 (worst state): {worst:.1f} ms — budget {BUDGET_P95_MS} ms: "
                   f"{'within' if worst <= BUDGET_P95_MS else 'OVER'}")
        report.finish()

    def _seed(self, size: int, report: bench.Report) -> tuple[Organization, str]:
        suffix = secrets.token_hex(3)
        counts = {k: v * size for k, v in BASE.items()}
        with scopes_disabled():
            started = time.perf_counter()
            organization = organization_create(actor=None, name=f"Benchmark API {size}x {suffix}",
                                               slug=f"api-benchmark-{size}x-{suffix}",
                                               kind=Organization.Kind.LEGAL_ENTITY)
            establishment = Establishment.objects.create(organization=organization, name="CHU de démonstration",
                                                         finess_ej=luhn_complete("99000001"))
            seed_large(organization=organization, establishment=establishment, activities=counts["activities"],
                       resources=counts["resources"], dependencies=counts["dependencies"])
            _token, plain = token_create(organization=organization, actor=None, name="benchmark",
                                         capabilities=API_CAPABILITIES,
                                         expires_at=timezone.now() + datetime.timedelta(days=1))
        report.say(f"{size}× — seeded {counts['activities']:,} activities, {counts['resources']:,} resources, "
                   f"{counts['dependencies']:,} dependencies in {time.perf_counter() - started:.1f} s")
        return organization, plain

    def _time(self, size: int, organization: Organization, plain: str, runs: int, report: bench.Report) -> None:
        slug = organization.slug
        headers = {"Authorization": f"Bearer {plain}", "Accept-Language": "fr"}
        with tenant_scope(organization):
            resource_id = Resource.objects.filter(organization=organization).order_by("pk").values_list(
                "pk", flat=True)[0]
        flip = {"value": 1}

        def change_capability() -> None:
            # A write, the worker's recomputation (bia.analysis_refresh), then a cleared memo in this process.
            flip["value"] = 1 + (flip["value"] % 48)
            with scopes_disabled():
                Resource.objects.filter(pk=resource_id).update(rto_capability_hours=flip["value"])
            with tenant_scope(organization):
                selectors.refresh_analysis(organization=organization)
            selectors.clear_memo()

        endpoints = [("gaps", reverse("api:gaps", kwargs={"organization_slug": slug}), None),
                     ("gaps", reverse("api:gaps", kwargs={"organization_slug": slug}), change_capability),
                     ("activities", reverse("api:activities", kwargs={"organization_slug": slug}), None),
                     ("backup-controls", reverse("api:backup-controls", kwargs={"organization_slug": slug}), None)]
        columns = [("endpoint", "endpoint", 16, ""), ("state", "state", 5, ""), *bench.stats_columns(),
                   ("queries", "queries", 7, "d"), ("kib", "KiB", 7, ".1f")]
        rows = []
        with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False, API_THROTTLE_RATE="1000000/minute"):
            client = Client()
            for name, url, before in endpoints:
                timing = bench.time_page(client, url, runs=runs, before=before, headers=headers)
                if timing.status != 200:
                    report.say(f"{name}: HTTP {timing.status}")
                rows.append(report.add(size=size, endpoint=name, state="cold" if before else "warm",
                                       queries=timing.queries, kib=timing.size / 1024,
                                       **bench.flatten("", timing.stats)))
        report.table(rows, columns)
