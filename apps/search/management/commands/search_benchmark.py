"""Search on the large establishment: p95 server time of the results page (budget ≤ 150 ms) and its queries.

    python manage.py search_benchmark [--runs 40] [--sizes 1,2] [--keep] [--json FILE]

Seeds an organization per size as ``bia_benchmark`` does (300 activities, 400 resources, 3,000 dependencies at
1×, through ``apps.bia.benchmark.seed_large``) plus 1,000 actions (``apps.actions.benchmark.seed_actions``) and
some plans and governance members, then times the results page for a few typical searches: a word found
everywhere (« activite »: every activity, accents ignored), a narrow one, a prefix, a miss, and a page of one
kind. The organizations are deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.test import Client, override_settings
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.accounts.models import User
from apps.actions.benchmark import seed_actions
from apps.bia.benchmark import seed_large
from apps.continuity.models import Plan
from apps.core import benchmark as bench
from apps.core.db import analyze
from apps.governance.models import GovernanceMember
from apps.tenants.models import Establishment, Membership, Organization
from apps.tenants.roles import Role
from apps.tenants.services import organization_create
from apps.tenants.validators import luhn_complete
from resilis.runtime import freeze_startup_objects

BASE = {"activities": 300, "resources": 400, "dependencies": 3000, "actions": 1000, "plans": 40, "people": 40}
SEARCHES = [
    ("everywhere", "activite"),
    ("narrow", "ressource 0042"),
    ("prefix", "ress"),
    ("two words", "activite 01"),
    ("miss", "zzzqqq"),
    ("one kind p3", "activite&kind=activity&page=3"),
]
BUDGET_MS = 150


class Command(BaseCommand):
    help = "Times the search results page on the large establishment (p95, queries)."

    def add_arguments(self, parser: CommandParser) -> None:
        bench.add_arguments(parser, sizes="1,2")
        parser.add_argument("--keep", action="store_true", help="keep the seeded organizations")

    def handle(self, *args: Any, **options: Any) -> None:
        freeze_startup_objects()
        runs = bench.check_runs(options["runs"])
        report = bench.Report(self, "search_benchmark", json_path=options["json"])
        created: list[tuple[int, Organization, User]] = []
        try:
            for size in bench.parse_sizes(options["sizes"]):
                created.append((size, *self._seed(report, size)))
            for size, organization, user in created:
                self._time(report, size, organization, user, runs)
        finally:
            with scopes_disabled():
                for _size, organization, user in created if not options["keep"] else []:
                    organization.delete()
                    user.delete()
        report.table(report.rows, [("size", "size", 4, "d"), ("search", "search", 14, "s"),
                                   *bench.stats_columns(), ("queries", "queries", 7, "d"), ("kib", "KiB", 6, ".1f"),
                                   ("verdict", "budget", 7, "s")])
        worst = max((row["p95_ms"] or 0) for row in report.rows) if report.rows else 0
        report.say(f"worst p95 {worst:.1f} ms (budget ≤ {BUDGET_MS} ms); queries per page "
                   f"{sorted({row['queries'] for row in report.rows})}")
        report.finish()

    def _seed(self, report: bench.Report, size: int) -> tuple[Organization, User]:
        suffix = secrets.token_hex(3)
        counts = {k: v * size for k, v in BASE.items()}
        started = time.perf_counter()
        with scopes_disabled():
            organization = organization_create(actor=None, name=f"Benchmark recherche {size}x {suffix}",
                                               slug=f"search-benchmark-{size}x-{suffix}",
                                               kind=Organization.Kind.LEGAL_ENTITY)
            establishment = Establishment.objects.create(organization=organization, name="CHU de démonstration",
                                                         finess_ej=luhn_complete("99000002"))
            user = User.objects.create_user(email=f"search-benchmark-{suffix}@resilis.invalid",
                                            password=secrets.token_urlsafe(16))
            Membership.objects.create(organization=organization, user=user, role=Role.RPCRA)
            seed_large(organization=organization, establishment=establishment, activities=counts["activities"],
                       resources=counts["resources"], dependencies=counts["dependencies"])
            seed_actions(organization=organization, count=counts["actions"])
            Plan.objects.bulk_create([Plan(organization=organization, establishment=establishment,
                                           title=f"Plan de continuité {i:03d}") for i in range(counts["plans"])])
            GovernanceMember.objects.bulk_create([
                GovernanceMember(organization=organization, body="team", external_name=f"Personne {i:03d}",
                                 function="Cadre de santé") for i in range(counts["people"])])
            analyze(Plan, GovernanceMember)
        report.say(f"{size}× — seeded {counts} in {time.perf_counter() - started:.1f} s")
        return organization, user

    def _time(self, report: bench.Report, size: int, organization: Organization, user: User, runs: int) -> None:
        with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
            client = Client()
            client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
            base = reverse("search:results", kwargs={"org_slug": organization.slug})
            for label, q in SEARCHES:
                timing = bench.time_page(client, f"{base}?q={q}", runs=runs)
                p95 = timing.stats.p95
                report.add(size=size, search=label, queries=timing.queries, kib=timing.size / 1024,
                           status=timing.status, verdict="ok" if p95 <= BUDGET_MS else "OVER",
                           **timing.stats.as_dict())
