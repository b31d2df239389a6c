"""Time the « what if » simulation on the large establishment (300 activities, 400 resources, 3,000
dependencies, seeded like ``bia_benchmark``): p95 ≤ 200 ms (ARCHITECTURE.md, phase 2 budgets).

    python manage.py crisis_benchmark [--runs 40] [--json [FILE]] [--keep]

Two figures: the simulation alone on the cached graph (``run_simulation``: the analysis read from this
process's memo, as most requests see it), and the « what if » page through Django's test client. The resources
down are the ten most depended-on (an Active Directory-like failure) for 72 h; each run picks another set.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.test import Client, override_settings
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.accounts.models import User
from apps.bia.benchmark import seed_large
from apps.bia.models import Resource, ResourceDependency
from apps.core import benchmark as bench
from apps.core.tenancy import tenant_scope
from apps.crisis.selectors import run_simulation
from apps.tenants.models import Establishment, Membership, Organization
from apps.tenants.roles import Role
from apps.tenants.services import organization_create
from apps.tenants.validators import luhn_complete

BUDGET_P95_MS = 200


class Command(BaseCommand):
    help = "Time the « what if » simulation on the large establishment."

    def add_arguments(self, parser: CommandParser) -> None:
        bench.add_arguments(parser, sizes=None)
        parser.add_argument("--keep", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        runs = bench.check_runs(options["runs"])
        report = bench.Report(self, "crisis_benchmark", json_path=options["json"])
        suffix = secrets.token_hex(3)
        with scopes_disabled():
            organization = organization_create(actor=None, name=f"Benchmark crise {suffix}",
                                               slug=f"crisis-benchmark-{suffix}", kind=Organization.Kind.LEGAL_ENTITY)
            establishment = Establishment.objects.create(organization=organization, name="CHU de démonstration",
                                                         finess_ej=luhn_complete("99000001"))
            user = User.objects.create_user(email=f"crisis-benchmark-{suffix}@resilis.invalid",
                                            password=secrets.token_urlsafe(16))
            Membership.objects.create(organization=organization, user=user, role=Role.RPCRA)
            seed_large(organization=organization, establishment=establishment)
        try:
            with scopes_disabled():
                counts: dict[int, int] = {}
                for target in ResourceDependency.objects.filter(organization=organization).values_list(
                        "depends_on_id", flat=True):
                    counts[target] = counts.get(target, 0) + 1
                hubs = sorted(counts, key=lambda pk: -counts[pk])[:40] or list(
                    Resource.objects.filter(organization=organization).values_list("pk", flat=True)[:40])
            sets = [hubs[i % len(hubs):i % len(hubs) + 3] or hubs[:3] for i in range(runs + 1)]
            state = {"i": 0}

            def simulate_once() -> None:
                ids = sets[state["i"] % len(sets)]
                state["i"] += 1
                with tenant_scope(organization):
                    _g, result, _data = run_simulation(organization=organization, resource_ids=ids, duration_hours=72)
                state["hit"] = len(result.hit)

            engine = bench.measure(simulate_once, runs=runs)
            report.say(f"simulation (3 hubs down, 72 h; {state.get('hit', 0)} activities hit in the last run): "
                       f"median {engine.median:.1f} ms, p95 {engine.p95:.1f} ms, max {engine.maximum:.1f} ms")
            report.add(figure="simulation", **bench.flatten("", engine))
            with override_settings(ALLOWED_HOSTS=["*"]):
                client = Client()
                client.force_login(user)
                base = reverse("crisis:simulation", kwargs={"org_slug": organization.slug})
                urls = [f"{base}?resources={'&resources='.join(str(i) for i in ids)}&duration_hours=72"
                        for ids in sets]
                state["u"] = 0

                def page() -> None:
                    url = urls[state["u"] % len(urls)]
                    state["u"] += 1
                    response = client.get(url)
                    assert response.status_code == 200, response.status_code

                pages = bench.measure(page, runs=runs)
            report.say(f"« what if » page: median {pages.median:.1f} ms, p95 {pages.p95:.1f} ms")
            report.add(figure="page", **bench.flatten("", pages))
            verdict = "OK" if engine.p95 <= BUDGET_P95_MS else "OVER BUDGET"
            report.say(f"budget: simulation p95 ≤ {BUDGET_P95_MS} ms — {verdict}")
        finally:
            if not options["keep"]:
                with scopes_disabled():
                    organization.delete()
                    user.delete()
        report.finish()
