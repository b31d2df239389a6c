"""Time the live page of an exercise with a long main courante (budget: 500 entries ≤ 150 ms p95).

    python manage.py exercises_benchmark [--entries 500 --stimuli 30 --runs 20 --keep]

Seeds a throwaway organization with an approved plan and a running field exercise (stimuli, objectives, a main
courante of ``--entries`` lines), then prints, per page, the server time (median, p95), queries and size through
Django's test client. The organization is deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import datetime
import secrets
import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.accounts.models import User
from apps.bia.models import Activity, CarePerimeter
from apps.continuity import services as plan_services
from apps.continuity.models import Plan, PlanVersion, Scenario
from apps.core.benchmark import time_pages
from apps.core.logbook import LogEntryBase
from apps.exercises import services
from apps.exercises.models import Exercise, ExerciseLogEntry, Format, Objective
from apps.tenants.models import Establishment, Membership, Organization
from apps.tenants.roles import Role
from apps.tenants.services import organization_create
from apps.tenants.validators import luhn_complete
from resilis.runtime import freeze_startup_objects


class Command(BaseCommand):
    help = "Time the exercise live page with a long main courante (500 entries by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entries", type=int, default=500)
        parser.add_argument("--stimuli", type=int, default=30)
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--keep", action="store_true", help="keep the benchmark organization")

    def handle(self, *args: Any, **options: Any) -> None:
        freeze_startup_objects()
        suffix = secrets.token_hex(3)
        with scopes_disabled():
            started = time.perf_counter()
            organization = organization_create(actor=None, name=f"Benchmark exercices {suffix}",
                                               slug=f"exercises-benchmark-{suffix}",
                                               kind=Organization.Kind.LEGAL_ENTITY)
            establishment = Establishment.objects.create(organization=organization, name="CH de démonstration",
                                                         finess_ej=luhn_complete("99000002"))
            user = User.objects.create_user(email=f"exercises-benchmark-{suffix}@resilis.invalid",
                                            password=secrets.token_urlsafe(16))
            Membership.objects.create(organization=organization, user=user, role=Role.RPCRA)
            exercise = self._seed(organization, establishment, user, options)
            self.stdout.write(f"Seeded a running exercise with {options['stimuli']} stimuli and "
                              f"{options['entries']} log entries in {time.perf_counter() - started:.1f} s")
        slug = organization.slug
        pages = [
            ("Live page", reverse("exercises:live", kwargs={"org_slug": slug, "pk": exercise.pk})),
            ("Main courante (htmx refresh)", reverse("exercises:log-entries", kwargs={"org_slug": slug,
                                                                                     "pk": exercise.pk})),
            ("Live panel (htmx refresh)", reverse("exercises:live-panel", kwargs={"org_slug": slug, "pk": exercise.pk})),
            ("Exercise page", reverse("exercises:detail", kwargs={"org_slug": slug, "pk": exercise.pk})),
            ("Exercise list", reverse("exercises:list", kwargs={"org_slug": slug})),
        ]
        try:
            time_pages(self, user=user, pages=pages, runs=options["runs"])
        finally:
            if not options["keep"]:
                with scopes_disabled():
                    # Scenarios and plan versions are protected while exercises and plans name them.
                    Exercise.objects.filter(organization=organization).delete()
                    Plan.objects.filter(organization=organization).delete()
                    organization.delete()
                    user.delete()
                self.stdout.write("Benchmark organization deleted.")

    def _seed(self, organization: Organization, establishment: Establishment, user: User,
              options: dict[str, Any]) -> Any:
        activity = Activity.objects.create(organization=organization, establishment=establishment,
                                           name="Accueil des urgences", care_perimeter=CarePerimeter.CARE_SERVICE)
        scenario = Scenario.objects.get(organization=organization, kind=Scenario.Kind.IS_UNAVAILABLE)
        plan = plan_services.plan_create(organization=organization, actor=user, title="PCA Urgences",
                                         care_perimeter=CarePerimeter.CARE_SERVICE, activities=[activity],
                                         scenarios=[scenario])
        plan_services.degraded_mode_save(plan=plan, actor=user, activity=activity, scenario=scenario, data={
            "trigger": "DPI indisponible", "decided_by": "Médecin senior", "procedure": "Dossiers papier"})
        plan_services.plan_submit(plan=plan, actor=user)
        plan_services.plan_approve(plan=plan, actor=user, acknowledge_incomplete=True)
        version = PlanVersion.objects.get(plan=plan, status=PlanVersion.Status.APPROVED)
        debex = timezone.now() - datetime.timedelta(hours=3)
        PlanVersion.objects.filter(pk=version.pk).update(approved_at=debex - datetime.timedelta(days=1))
        version.refresh_from_db()
        exercise = services.exercise_create(organization=organization, actor=user, data={
            "title": "Rançongiciel — benchmark", "format": Format.FIELD, "scenario": scenario,
            "planned_start": debex, "duration_minutes": 480, "plan_versions": [version]})
        for i in range(6):
            services.objective_save(exercise=exercise, actor=user, data={
                "kind": Objective.Kind.DEGRADED_MODE, "statement": f"Objectif mesurable {i}", "target_minutes": 30,
                "activity": activity})
        for i in range(options["stimuli"]):
            services.stimulus_save(exercise=exercise, actor=user, data={
                "offset_minutes": 8 * i, "sender": "Animateur", "recipient": "Cellule de crise", "channel": "phone",
                "content": f"Stimulus n° {i} : un message de l'exercice, de longueur réaliste pour une injection.",
                "expected_reaction": "Décision tracée dans la main courante."})
        services.exercise_start(exercise=exercise, actor=user, at=debex)
        ExerciseLogEntry.objects.bulk_create([
            ExerciseLogEntry(organization=organization, exercise=exercise, key=uuid.uuid4(), author=user,
                             occurred_at=debex + datetime.timedelta(seconds=20 * i),
                             kind=LogEntryBase.Kind.DECISION if i % 7 == 0 else LogEntryBase.Kind.EVENT,
                             who="Directeur de crise" if i % 3 == 0 else "",
                             text=f"Entrée n° {i} de la main courante : ce qui s'est passé, qui l'a dit, ce qui est "
                                  "décidé ensuite.") for i in range(options["entries"])])
        return exercise
