"""Time « Mon portefeuille » for a consultant following many organizations.

    python manage.py portfolio_benchmark [--organizations 200 --runs 20 --keep]

Seeds the organizations (one establishment each, the consultant a member of all), computes their
summaries as the worker would (and prints that cost), then prints the page's server time (median and
p95, through Django's test client) and its query count, first and last page. Everything seeded is
deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.accounts.models import User
from apps.compliance import portfolio
from apps.core.benchmark import time_pages
from apps.tenants.defaults import organization_defaults_ensure
from apps.tenants.models import Establishment, Membership, Organization
from apps.tenants.roles import Role
from apps.tenants.validators import luhn_complete
from resilis.runtime import freeze_startup_objects


class Command(BaseCommand):
    help = "Time the consultant portfolio page (200 organizations by default)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--organizations", type=int, default=200)
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--keep", action="store_true", help="keep the seeded organizations and consultant")

    def handle(self, *args: Any, **options: Any) -> None:
        freeze_startup_objects()  # as resilis/wsgi.py does in the web processes
        suffix = secrets.token_hex(3)
        count = options["organizations"]
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
        self.stdout.write(f"Seeded {count} organizations for one consultant.")
        try:
            started = time.perf_counter()
            for organization in organizations:
                portfolio.compute_summary(organization)
            elapsed = time.perf_counter() - started
            self.stdout.write(f"Summaries computed (worker's cost): {elapsed:.1f} s, "
                              f"{elapsed / count * 1000:.0f} ms per organization")
            last_page = (count + 49) // 50
            pages = [("Portfolio, page 1", reverse("portfolio")),
                     (f"Portfolio, page {last_page}", reverse("portfolio") + f"?page={last_page}"),
                     ("Portfolio, search", reverse("portfolio") + f"?q={suffix}+19")]
            time_pages(self, user=consultant, pages=pages, runs=options["runs"])
        finally:
            if not options["keep"]:
                with scopes_disabled():
                    Organization.objects.filter(pk__in=[o.pk for o in organizations]).delete()
                    consultant.delete()
                self.stdout.write("Benchmark organizations deleted.")
