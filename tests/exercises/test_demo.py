"""The demo: the GHT's field exercise meets D2.O1.D and completes stage 5; the clinic's table-top exercise leaves
it partial, and says why."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from apps.compliance.registry import CheckResult, combine
from apps.exercises import checks
from apps.exercises.models import Exercise, ExerciseLogEntry, Finding, Stimulus
from apps.tenants.demo import CLINIC_SLUG, GHT_SLUG
from apps.tenants.models import Organization


@pytest.mark.django_db(transaction=True)
def test_the_demo_exercises() -> None:
    call_command("seed_demo", quiet_accounts=True)
    with scopes_disabled():
        ght = Organization.objects.get(slug=GHT_SLUG)
        clinic = Organization.objects.get(slug=CLINIC_SLUG)
        field = Exercise.objects.get(organization=ght, title="Rançongiciel — urgences en mode dégradé")
        assert field.run_on.isoformat() == "2026-10-14"
        assert sorted(str(e.establishment) for e in field.exercise_establishments.all()) == [
            "CH de Saint-Aubin", "CHU de Valmont"]
        assert Stimulus.objects.filter(exercise=field).count() == 30
        assert 38 <= ExerciseLogEntry.objects.filter(exercise=field).count() <= 50
        assert Finding.objects.filter(exercise=field).count() == 6
        assert field.retex.approved_at is not None
        results = [f(ght) for f in (checks.field_exercise, checks.test_schedule, checks.tested_coverage)]
        assert combine(results) == CheckResult.MET, [(r.status, r.missing) for r in results]
        assert "90" in str(results[2].summary)  # CHU 62 % + CH de Saint-Aubin 28 %
        progress = checks.journey_progress(ght)
        assert progress["percent"] == 100 and not progress["missing"]  # the annual exercise is planned
        clinic_results = [f(clinic) for f in (checks.field_exercise, checks.test_schedule, checks.tested_coverage)]
        assert combine(clinic_results) == CheckResult.PARTIAL
        assert any("exercice sur table" in str(m) for m in clinic_results[0].missing)
        assert checks.journey_progress(clinic)["percent"] < 100
