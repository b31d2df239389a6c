"""Seed a plan of 5,000 actions in a throwaway GHT and time the action plan's pages.

    python manage.py actions_benchmark [--actions 5000 --runs 20 --keep]

Prints, per page, the server time (median and p95 over ``--runs`` requests, through Django's test client:
middleware, view, templates, database) and the number of queries. Budget (ARCHITECTURE.md): the action list of
5,000 actions ≤ 150 ms at p95. The organization is deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.accounts.models import User
from apps.actions.benchmark import seed_actions
from apps.core.benchmark import time_pages
from apps.tenants.models import Establishment, Membership, Organization
from apps.tenants.roles import Role
from apps.tenants.services import organization_create
from apps.tenants.validators import luhn_complete
from resilis.runtime import freeze_startup_objects


class Command(BaseCommand):
    help = "Time the action plan's pages on 5,000 actions (budget: the list ≤ 150 ms at p95)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actions", type=int, default=5000)
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--keep", action="store_true", help="keep the benchmark organization")

    def handle(self, *args: Any, **options: Any) -> None:
        freeze_startup_objects()  # as resilis/wsgi.py does in the web processes
        suffix = secrets.token_hex(3)
        with scopes_disabled():
            started = time.perf_counter()
            organization = organization_create(actor=None, name=f"Benchmark plan d'actions {suffix}",
                                               slug=f"actions-benchmark-{suffix}", kind=Organization.Kind.GHT)
            for i, name in enumerate(["CHU de démonstration", "CH de démonstration", "Hôpital local"]):
                Establishment.objects.create(organization=organization, name=name,
                                             finess_ej=luhn_complete(f"9900000{i}"))
            user = User.objects.create_user(email=f"actions-benchmark-{suffix}@resilis.invalid",
                                            password=secrets.token_urlsafe(16))
            member = Membership.objects.create(organization=organization, user=user, role=Role.RPCRA)
            for i in range(12):
                Membership.objects.create(organization=organization, role=Role.CONTRIBUTOR, user=User.objects.create_user(
                    email=f"actions-benchmark-{suffix}-{i}@resilis.invalid", first_name="Porteur", last_name=f"n°{i}",
                    password=secrets.token_urlsafe(16)))
            actions = seed_actions(organization=organization, count=options["actions"])
            # The RPCRA carries some of them (« Mes actions »).
            from apps.actions.models import Action

            Action.objects.filter(pk__in=[a.pk for a in actions[::25]]).update(owner_member=member)
            # Statistics as autovacuum keeps them on a live database (a bulk insert leaves the planner blind).
            with connection.cursor() as cursor:
                for table in ("actions_action", "actions_actionestablishment", "actions_actionevent"):
                    cursor.execute(f"ANALYZE {table}")
            establishment_id = Establishment.objects.filter(organization=organization).values_list("pk", flat=True)[0]
            self.stdout.write(f"Seeded {len(actions)} actions in {time.perf_counter() - started:.1f} s")
        slug = organization.slug
        plan = reverse("actions:list", kwargs={"org_slug": slug})
        pages = [
            ("Action list (open, by due date)", plan),
            ("Action list, all, by priority, p. 40", plan + "?status=all&sort=priority&page=40"),
            ("Action list, search", plan + "?status=all&q=restauration"),
            ("Action list, filtered", plan + "?status=open&source=bia_gap&requirement=D2.O1.C&overdue=on"),
            ("Action list, one establishment", plan + f"?establishment={establishment_id}"),
            ("My actions", reverse("actions:mine", kwargs={"org_slug": slug})),
            ("Direction view", reverse("actions:direction", kwargs={"org_slug": slug})),
            ("Journey (home)", reverse("tenants:home", kwargs={"org_slug": slug})),
        ]
        try:
            time_pages(self, user=user, pages=pages, runs=options["runs"])
        finally:
            if not options["keep"]:
                with scopes_disabled():
                    organization.delete()
                    User.objects.filter(email__startswith=f"actions-benchmark-{suffix}").delete()
                self.stdout.write("Benchmark organization deleted.")
