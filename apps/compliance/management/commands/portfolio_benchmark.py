"""Time « Mon portefeuille » for a consultant following many organizations, with 0, 1 and 3 summaries missing.

    python manage.py portfolio_benchmark [--organizations 100] [--sizes 1,2] [--runs 40] [--json [FILE]] [--keep]

For each size (× ``--organizations``) the organizations are seeded (one establishment each, the
consultant a member of all, tables ``ANALYZE``d), their summaries computed as the worker would (that
cost is printed), then the first page, the last page and a search are timed through Django's test
client: with every summary cached, and with 1 and 3 of the page's summaries dropped just before each
request (their « pending » marks too, so that each request really sends them to the worker; the
tasks go to a private queue deleted at the end). Figures: median, p95 (nearest rank), IQR, max, CPU
median, the most queries of one request. Everything seeded is deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandParser
from django.test import Client, override_settings
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.accounts.models import User
from apps.compliance import portfolio
from apps.core import benchmark as bench
from apps.core.db import analyze
from apps.tenants.defaults import organization_defaults_ensure
from apps.tenants.models import Establishment, Membership, Organization
from apps.tenants.roles import Role
from apps.tenants.validators import luhn_complete
from resilis.runtime import freeze_startup_objects

PER_PAGE = 50


class Command(BaseCommand):
    help = "Time the consultant portfolio page with 0, 1 and 3 summaries missing."

    def add_arguments(self, parser: CommandParser) -> None:
        bench.add_arguments(parser, sizes="1,2")
        parser.add_argument("--organizations", type=int, default=100, help="organizations at size 1×")
        parser.add_argument("--keep", action="store_true", help="keep the seeded organizations and consultant")

    def handle(self, *args: Any, **options: Any) -> None:
        freeze_startup_objects()  # as resilis/wsgi.py does in the web processes
        runs = bench.check_runs(options["runs"])
        report = bench.Report(self, "portfolio_benchmark", json_path=options["json"])
        queue = f"portfolio-benchmark-{uuid.uuid4().hex[:8]}"
        try:
            with override_settings(PORTFOLIO_QUEUE=queue):
                for size in bench.parse_sizes(options["sizes"]):
                    self._size(report, size * options["organizations"], runs, keep=options["keep"])
        finally:
            from resilis.celery import app

            with app.connection_for_write() as connection:
                connection.default_channel.queue_delete(queue)
        rows = report.rows
        report.say("\nPortfolio page (ms; IQR = p75 − p25; CPU = this process's CPU time)")
        report.table(rows, [("label", "page", 22, "s"), ("organizations", "orgs", 5, "d"),
                            ("missing", "missing", 7, "d"), ("runs", "runs", 4, "d"), *bench.stats_columns(),
                            ("queries", "queries", 7, "d"), ("kib", "KiB", 6, ".1f")])
        flat: dict[str, set[int]] = {}
        for row in rows:
            flat.setdefault(row["label"], set()).add(row["queries"])
        report.say("queries per page, whatever the size and the missing summaries: " + "; ".join(
            f"{label}: {sorted(counts)}" for label, counts in flat.items()))
        report.finish()

    def _size(self, report: bench.Report, count: int, runs: int, *, keep: bool) -> None:
        suffix = secrets.token_hex(3)
        with scopes_disabled():
            consultant = User.objects.create_user(email=f"portfolio-benchmark-{suffix}@resilis.invalid",
                                                  password=secrets.token_urlsafe(16))
            organizations = Organization.objects.bulk_create(
                Organization(name=f"Benchmark portefeuille {suffix} {i:03d}", slug=f"pf-{suffix}-{i:03d}")
                for i in range(count))
            for organization in organizations:
                organization_defaults_ensure(organization=organization)
            Establishment.objects.bulk_create(
                Establishment(organization=o, name=f"CH {i:03d}", finess_ej=luhn_complete(f"98{i:06d}"))
                for i, o in enumerate(organizations))
            Membership.objects.bulk_create(Membership(organization=o, user=consultant, role=Role.CONSULTANT)
                                           for o in organizations)
            analyze(Organization, Establishment, Membership)
        try:
            started = time.perf_counter()
            for organization in organizations:
                portfolio.compute_summary(organization)
            elapsed = time.perf_counter() - started
            report.say(f"\n{count} organizations seeded; summaries computed (worker's cost): {elapsed:.1f} s, "
                       f"{elapsed / count * 1000:.0f} ms per organization; load {bench.load_average()[0]:.2f}")
            ordered = sorted(organizations, key=lambda o: o.name)
            last_page = (count + PER_PAGE - 1) // PER_PAGE
            pages = [("Portfolio, page 1", reverse("portfolio"), ordered[:PER_PAGE]),
                     (f"Portfolio, page {last_page}", reverse("portfolio") + f"?page={last_page}",
                      ordered[(last_page - 1) * PER_PAGE:]),
                     ("Portfolio, search", reverse("portfolio") + f"?q={suffix}+01", [o for o in ordered
                                                                                    if f"{suffix} 01" in o.name])]
            with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
                client = Client()
                client.force_login(consultant, backend="allauth.account.auth_backends.AuthenticationBackend")
                for label, url, shown in pages:
                    for missing in (0, 1, 3):
                        dropped = shown[:missing]

                        def drop(dropped: list[Organization] = dropped) -> None:
                            cache.delete_many([portfolio.summary_key(o.pk) for o in dropped]
                                              + [portfolio._pending_key(o.pk) for o in dropped])

                        timing = bench.time_page(client, url, runs=runs, before=drop if dropped else None)
                        if timing.status != 200:
                            self.stderr.write(f"{label}: HTTP {timing.status}")
                        report.add(label=label, organizations=count, missing=missing, queries=timing.queries,
                                   kib=round(timing.size / 1024, 1), **bench.flatten("", timing.stats))
                        for organization in dropped:
                            portfolio.compute_summary(organization)
        finally:
            if not keep:
                with scopes_disabled():
                    cache.delete_many([portfolio.summary_key(o.pk) for o in organizations])
                    Organization.objects.filter(pk__in=[o.pk for o in organizations]).delete()
                    consultant.delete()
