"""Seed a large establishment in a throwaway organization and time the main BIA pages.

    python manage.py bia_benchmark [--activities 300 --resources 400 --dependencies 3000 --runs 10 --keep]

Prints, per page, the server time (median and p95 over ``--runs`` requests, through Django's test
client: middleware, view, templates, database) and the number of queries. The organization is
deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.accounts.models import User
from apps.bia.benchmark import seed_large
from apps.bia.models import Activity, Resource
from apps.core.benchmark import time_pages
from apps.tenants.models import Establishment, Membership, Organization
from apps.tenants.roles import Role
from apps.tenants.services import organization_create
from apps.tenants.validators import luhn_complete
from resilis.runtime import freeze_startup_objects


class Command(BaseCommand):
    help = "Time the BIA pages on a large synthetic establishment (300 activities, 400 resources, 3,000 dependencies)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--activities", type=int, default=300)
        parser.add_argument("--resources", type=int, default=400)
        parser.add_argument("--dependencies", type=int, default=3000)
        parser.add_argument("--runs", type=int, default=10)
        parser.add_argument("--keep", action="store_true", help="keep the benchmark organization")

    def handle(self, *args: Any, **options: Any) -> None:
        freeze_startup_objects()  # as resilis/wsgi.py does in the web processes
        suffix = secrets.token_hex(3)
        with scopes_disabled():
            started = time.perf_counter()
            organization = organization_create(actor=None, name=f"Benchmark BIA {suffix}",
                                               slug=f"bia-benchmark-{suffix}", kind=Organization.Kind.LEGAL_ENTITY)
            establishment = Establishment.objects.create(organization=organization, name="CHU de démonstration",
                                                         finess_ej=luhn_complete("99000001"))
            user = User.objects.create_user(email=f"bia-benchmark-{suffix}@resilis.invalid",
                                            password=secrets.token_urlsafe(16))
            Membership.objects.create(organization=organization, user=user, role=Role.RPCRA)
            seed_large(organization=organization, establishment=establishment, activities=options["activities"],
                       resources=options["resources"], dependencies=options["dependencies"])
            self.stdout.write(f"Seeded {options['activities']} activities, {options['resources']} resources, "
                              f"{options['dependencies']} dependencies in {time.perf_counter() - started:.1f} s")
            activity = Activity.objects.filter(organization=organization).order_by("pk").first()
            resource = Resource.objects.filter(organization=organization).order_by("pk").first()
            assert activity is not None and resource is not None, "the seed creates activities and resources"
        slug = organization.slug
        pages = [
            ("BIA list", reverse("bia:activities", kwargs={"org_slug": slug})),
            ("BIA list, page 4, filtered", reverse("bia:activities", kwargs={"org_slug": slug}) + "?status=validated&page=1"),
            ("Activity page", reverse("bia:activity-detail", kwargs={"org_slug": slug, "pk": activity.pk})),
            ("Questionnaire (impact grid)", reverse("bia:questionnaire", kwargs={"org_slug": slug, "pk": activity.pk,
                                                                                 "step": 2})),
            ("Questionnaire (dependencies)", reverse("bia:questionnaire", kwargs={"org_slug": slug, "pk": activity.pk,
                                                                                  "step": 4})),
            ("Map data (all)", reverse("bia:map-data", kwargs={"org_slug": slug})),
            ("Map data (critical)", reverse("bia:map-data", kwargs={"org_slug": slug}) + "?criticality=critical"),
            ("Gap list", reverse("bia:gaps", kwargs={"org_slug": slug})),
            ("Resource list", reverse("bia:resources", kwargs={"org_slug": slug})),
            ("Resource page", reverse("bia:resource-detail", kwargs={"org_slug": slug, "pk": resource.pk})),
            ("Matrix", reverse("bia:matrix", kwargs={"org_slug": slug})),
        ]
        try:
            time_pages(self, user=user, pages=pages, runs=options["runs"])
        finally:
            if not options["keep"]:
                with scopes_disabled():
                    organization.delete()
                    user.delete()
                self.stdout.write("Benchmark organization deleted.")
