"""CaRE D2.O1.D at its boundaries, as the annex words it: a field exercise of an approved PCA run during the
operational phase (16/07/2025 → the declaration deposit) with a RETEX; a schedule for the other plans; the
66 % rule for a GHT; an IT-only test never counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from apps.compliance.registry import CheckResult, combine
from apps.exercises import checks
from apps.exercises.models import ExerciseScope, Format
from apps.tenants.services import organization_update
from tests.backups.factories import RestoreTestFactory
from tests.bia.factories import ActivityFactory, ResourceFactory
from tests.continuity.factories import approved_plan
from tests.exercises.factories import exercise_in, field_exercise_run, run
from tests.factories import EstablishmentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

PHASE_START = datetime.date(2025, 7, 16)


def statuses(org) -> dict[str, str]:
    checks.forget_state(org)
    return {"field": checks.field_exercise(org).status, "schedule": checks.test_schedule(org).status,
            "coverage": checks.tested_coverage(org).status}


def d2o1d(org) -> str:
    checks.forget_state(org)
    return combine([checks.field_exercise(org), checks.test_schedule(org), checks.tested_coverage(org)])


def test_nothing_recorded_is_not_met(org) -> None:
    assert d2o1d(org) == CheckResult.NOT_MET
    assert "plan a field exercise" in " ".join(str(m) for m in checks.field_exercise(org).missing).lower() or \
        checks.field_exercise(org).missing


@pytest.mark.parametrize(("day", "counts"), [(datetime.date(2025, 7, 15), False), (PHASE_START, True)])
def test_the_operational_phase_starts_on_16_july_2025(org, day, counts) -> None:
    field_exercise_run(org, day)
    result = checks.field_exercise(org)
    assert (result.status == CheckResult.MET) is counts
    if not counts:
        assert any("avant la phase opérationnelle" in str(m) for m in result.missing), result.missing


def test_the_phase_ends_on_the_declaration_deposit(org) -> None:
    field_exercise_run(org, datetime.date(2026, 3, 10))
    organization_update(organization=org, actor=None, data={"declaration_submitted_on": datetime.date(2026, 3, 9)})
    org.refresh_from_db()
    assert statuses(org)["field"] == CheckResult.PARTIAL
    organization_update(organization=org, actor=None, data={"declaration_submitted_on": datetime.date(2026, 3, 10)})
    org.refresh_from_db()
    assert statuses(org)["field"] == CheckResult.MET


@pytest.mark.parametrize(("fmt", "counts"), [(Format.TABLETOP, False), (Format.SIMULATED, False),
                                             (Format.FIELD, True)])
def test_only_a_field_exercise_counts(org, fmt, counts) -> None:
    field_exercise_run(org, datetime.date(2026, 5, 4), fmt=fmt)
    result = checks.field_exercise(org)
    assert (result.status == CheckResult.MET) is counts
    if not counts:
        assert result.status == CheckResult.PARTIAL
        assert any("seul un exercice terrain" in str(m) for m in result.missing)


def test_a_restore_test_alone_never_counts(org) -> None:
    RestoreTestFactory(organization=org, resource=ResourceFactory(organization=org),
                       tested_on=datetime.date(2026, 4, 1))
    result = checks.field_exercise(org)
    assert result.status == CheckResult.NOT_MET
    assert any("D2.O4" in str(m) for m in result.missing)
    assert d2o1d(org) == CheckResult.NOT_MET


def test_an_it_only_technical_test_never_counts(org) -> None:
    field_exercise_run(org, datetime.date(2026, 5, 4), scope=ExerciseScope.TECHNICAL)
    result = checks.field_exercise(org)
    assert result.status == CheckResult.PARTIAL
    assert any("test purement informatique" in str(m) or "jamais" in str(m) for m in result.missing)


def test_without_a_retex_it_does_not_count_yet(org) -> None:
    exercise = exercise_in(org, day=datetime.date(2026, 5, 4))
    run(exercise, datetime.date(2026, 5, 4), retex=False)
    result = checks.field_exercise(org)
    assert result.status == CheckResult.PARTIAL
    assert any("RETEX" in str(m) for m in result.missing)


def test_a_planned_exercise_counts_once_run(org) -> None:
    exercise_in(org, day=datetime.date(2027, 2, 1))
    result = checks.field_exercise(org)
    assert result.status == CheckResult.PARTIAL
    assert any("prévu le 01/02/2027" in str(m) for m in result.missing)


def test_the_plan_must_be_approved_before_the_exercise(org) -> None:
    """A version approved after the day of the exercise was not what the exercise tested."""
    exercise = exercise_in(org, day=datetime.date(2026, 5, 4))
    # The plan was approved today (in the factory): an exercise recorded as run before that tested no approved PCA.
    run(exercise, datetime.date(2026, 5, 4))
    from apps.continuity.models import PlanVersion

    PlanVersion.objects.filter(plan__organization=org).update(approved_at=datetime.datetime(
        2026, 6, 1, tzinfo=datetime.UTC))
    result = checks.field_exercise(org)
    assert result.status == CheckResult.PARTIAL
    assert any("approuvée avant l'exercice" in str(m) for m in result.missing)


def test_the_other_plans_need_their_next_test(org) -> None:
    from apps.exercises import services

    field_exercise_run(org, datetime.date(2026, 5, 4))
    other = approved_plan(org, title="PCA Pharmacie")
    assert statuses(org)["schedule"] != CheckResult.MET
    assert any("PCA Pharmacie" in str(m) for m in checks.test_schedule(org).missing)
    services.schedule_save(plan=other, actor=None, data={"next_test_on": datetime.date(2099, 3, 1),
                                                          "format": Format.TABLETOP})
    assert statuses(org) == {"field": CheckResult.MET, "schedule": CheckResult.MET, "coverage": CheckResult.MET}
    assert d2o1d(org) == CheckResult.MET


def test_a_past_date_in_the_schedule_is_overdue(org) -> None:
    from apps.exercises import services

    field_exercise_run(org, datetime.date(2026, 5, 4))
    other = approved_plan(org, title="PCA Pharmacie")
    services.schedule_save(plan=other, actor=None, data={"next_test_on": datetime.date(2026, 6, 1),
                                                          "format": Format.FIELD})
    result = checks.test_schedule(org)
    assert result.status != CheckResult.MET
    assert any("était prévu le 01/06/2026" in str(m) for m in result.missing), result.missing


class TestGht:
    """Two legal entities of a GHT: the entities tested must weigh at least 66 % of the combined activity."""

    @pytest.fixture
    def ght(self, db):
        org = OrganizationFactory(kind="ght", name="GHT test")
        big = EstablishmentFactory(organization=org, name="CHU", activity_share=Decimal("66"))
        small = EstablishmentFactory(organization=org, name="CH", activity_share=Decimal("34"))
        return org, big, small

    @pytest.mark.parametrize(("share", "met"), [(Decimal("65"), False), (Decimal("65.9"), False),
                                                (Decimal("66"), True)])
    def test_the_66_percent_boundary(self, ght, share, met) -> None:
        org, big, small = ght
        big.activity_share, small.activity_share = share, Decimal("100") - share
        big.save()
        small.save()
        plan = approved_plan(org, activities=[ActivityFactory(organization=org, establishment=big, name="Urgences du CHU")])
        field_exercise_run(org, datetime.date(2026, 10, 14), plan=plan, establishments=[big])
        result = checks.tested_coverage(org)
        assert (result.status == CheckResult.MET) is met
        if not met:
            assert result.status == CheckResult.PARTIAL
            assert any("CH (" in str(m) for m in result.missing)

    def test_an_exercise_across_two_entities_covers_both(self, ght) -> None:
        org, big, small = ght
        big.activity_share, small.activity_share = Decimal("40"), Decimal("60")
        big.save()
        small.save()
        plan = approved_plan(org, activities=[ActivityFactory(organization=org, establishment=big, name="Urgences du CHU")])
        field_exercise_run(org, datetime.date(2026, 10, 14), plan=plan, establishments=[big, small])
        assert checks.tested_coverage(org).status == CheckResult.MET

    def test_a_table_top_exercise_does_not_weigh(self, ght) -> None:
        org, big, _small = ght
        plan = approved_plan(org, activities=[ActivityFactory(organization=org, establishment=big, name="Urgences du CHU")])
        field_exercise_run(org, datetime.date(2026, 10, 14), plan=plan, establishments=[big], fmt=Format.TABLETOP)
        assert checks.tested_coverage(org).status == CheckResult.NOT_MET

    def test_incomplete_weights_block_the_rule(self, ght) -> None:
        org, big, small = ght
        small.activity_share = Decimal("20")
        small.save()
        plan = approved_plan(org, activities=[ActivityFactory(organization=org, establishment=big, name="Urgences du CHU")])
        field_exercise_run(org, datetime.date(2026, 10, 14), plan=plan, establishments=[big, small])
        result = checks.tested_coverage(org)
        assert result.status == CheckResult.PARTIAL
        assert any("100" in str(m) for m in result.missing)


def test_the_journey_stage_follows_the_steps(org) -> None:
    from apps.exercises import services

    progress = checks.journey_progress(org)
    assert progress["percent"] == 0
    assert progress["next_action"][1] == "exercises:create"
    exercise = exercise_in(org, day=datetime.date(2026, 5, 4))
    checks.forget_state(org)
    assert checks.journey_progress(org)["percent"] == 20
    run(exercise, datetime.date(2026, 5, 4), retex=False)
    checks.forget_state(org)
    progress = checks.journey_progress(org)
    assert progress["percent"] == 40  # run; the RETEX next
    assert progress["next_action"][1].endswith(f"/exercices/{exercise.pk}/retex/")
    services.retex_save(exercise=exercise, actor=None, data={"hot_debrief": "Bien."})
    checks.forget_state(org)
    progress = checks.journey_progress(org)
    assert progress["percent"] == 100  # single entity, the only plan tested
    assert any("30/01/2023" in str(m) for m in progress["missing"])  # no cyber exercise planned within 12 months
