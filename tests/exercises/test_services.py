"""The exercise services: planning on frozen versions, the run and its main courante (idempotent, late entries
from an offline browser), measures, RETEX and its approval, findings, the schedule and its reminders."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.continuity import services as plan_services
from apps.continuity.models import PlanVersion
from apps.core import tenancy
from apps.core.logbook import LogEntryBase
from apps.exercises import selectors, services, tasks
from apps.exercises.models import (
    Exercise,
    ExerciseEstablishment,
    ExerciseLogEntry,
    Format,
    Objective,
    Retex,
    ScheduledTest,
    StimulusTemplate,
)
from tests.bia.factories import ActivityFactory, ResourceFactory, activity_in
from tests.continuity.factories import approved_plan, plan_in, scenario
from tests.establishments import limited_member
from tests.exercises.factories import approved_version, exercise_in, run
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def started(org, **kwargs) -> Exercise:
    exercise = exercise_in(org, **kwargs)
    return services.exercise_start(exercise=exercise, actor=None)


class TestPlanning:
    def test_a_draft_version_is_refused(self, org) -> None:
        draft = plan_in(org, title="PCA brouillon", with_mode=True)
        with pytest.raises(ValidationError, match="n'est pas approuvée"):
            services.exercise_create(organization=org, actor=None, data={
                "title": "Test", "format": Format.FIELD, "scenario": scenario(org), "planned_start": timezone.now(),
                "plan_versions": [draft.current_version]})
        assert not Exercise.objects.exists()

    def test_a_field_exercise_needs_an_approved_plan_but_a_table_top_may_rehearse_without(self, org) -> None:
        data = {"title": "Test", "scenario": scenario(org), "planned_start": timezone.now()}
        with pytest.raises(ValidationError, match="teste un plan approuvé"):
            services.exercise_create(organization=org, actor=None, data={**data, "format": Format.FIELD})
        table_top = services.exercise_create(organization=org, actor=None, data={**data, "format": Format.TABLETOP})
        assert table_top.exercise_establishments.count() == 1  # the only establishment of the organization

    def test_activities_come_from_the_frozen_perimeter(self, org) -> None:
        inside = activity_in(org, name="Urgences")
        plan = approved_plan(org, activities=[inside])
        exercise = exercise_in(org, plan=plan)
        assert [a.activity_id for a in exercise.exercise_activities.all()] == [inside.pk]
        # Widening the plan's draft later changes nothing the exercise tested.
        outside = activity_in(org, name="Pharmacie")
        with pytest.raises(ValidationError, match="Hors du périmètre"):
            services.exercise_update(exercise=exercise, actor=None, data={
                "plan_versions": [approved_version(plan)], "activities": [outside]})

    def test_establishments_follow_activities_and_sites(self) -> None:
        org = OrganizationFactory(kind="ght")
        chu = EstablishmentFactory(organization=org, name="CHU")
        ch = EstablishmentFactory(organization=org, name="CH")
        plan = approved_plan(org, activities=[ActivityFactory(organization=org, establishment=chu)])
        exercise = exercise_in(org, plan=plan, establishments=[ch])
        assert set(exercise.exercise_establishments.values_list("establishment_id", flat=True)) == {chu.pk, ch.pk}

    def test_a_limited_member_cannot_plan_on_another_establishment(self) -> None:
        org = OrganizationFactory(kind="ght")
        home = EstablishmentFactory(organization=org, name="CH de Saint-Aubin")
        other = EstablishmentFactory(organization=org, name="CHU de Valmont")
        plan = approved_plan(org, activities=[ActivityFactory(organization=org, establishment=home)])
        member = limited_member(org, "rpcra", home)
        with tenancy.tenant_scope(org, establishments={home.pk}):
            with pytest.raises(ValidationError, match="vos établissements"):
                services.exercise_create(organization=org, actor=member, data={
                    "title": "Intrusion", "format": Format.FIELD, "scenario": scenario(org),
                    "planned_start": timezone.now(), "plan_versions": [approved_version(plan)],
                    "establishments": [other]})
        assert not Exercise.objects.filter(title="Intrusion").exists()

    def test_an_exercise_across_two_establishments_is_read_only_for_a_limited_member(self) -> None:
        org = OrganizationFactory(kind="ght")
        home = EstablishmentFactory(organization=org, name="CH de Saint-Aubin")
        other = EstablishmentFactory(organization=org, name="CHU de Valmont")
        plan = approved_plan(org, activities=[ActivityFactory(organization=org, establishment=home)])
        exercise = exercise_in(org, plan=plan, establishments=[home, other])
        with tenancy.tenant_scope(org, establishments={home.pk}):
            assert Exercise.objects.filter(pk=exercise.pk).exists()
            assert not Exercise.objects.writable().filter(pk=exercise.pk).exists()
            visible = set(ExerciseEstablishment.objects.filter(exercise=exercise).values_list("establishment_id",
                                                                                               flat=True))
            assert visible == {home.pk}
            mine = Exercise.objects.get(pk=exercise.pk)
            mine.title = "Renommé"
            with pytest.raises(tenancy.EstablishmentLimitError):
                mine.save()

    def test_cancel_needs_a_reason_and_closes_the_log(self, org) -> None:
        exercise = started(org)
        with pytest.raises(ValidationError):
            services.exercise_cancel(exercise=exercise, actor=None, reason=" ")
        services.exercise_cancel(exercise=exercise, actor=None, reason="Grève")
        with pytest.raises(ValidationError, match="annulé"):
            services.log_entry_add(exercise=exercise, actor=None, text="Trop tard")


class TestRunAndMainCourante:
    def test_debex_and_finex_open_and_close_the_log(self, org) -> None:
        exercise = exercise_in(org)
        with pytest.raises(ValidationError, match="DEBEX"):
            services.log_entry_add(exercise=exercise, actor=None, text="Avant le début")
        services.exercise_start(exercise=exercise, actor=None)
        with pytest.raises(ValidationError):
            services.exercise_start(exercise=exercise, actor=None)
        services.exercise_finish(exercise=exercise, actor=None)
        assert exercise.status == Exercise.Status.FINISHED and exercise.finex_at >= exercise.debex_at
        kinds = list(ExerciseLogEntry.objects.filter(exercise=exercise).values_list("kind", flat=True))
        assert kinds == [LogEntryBase.Kind.MILESTONE, LogEntryBase.Kind.MILESTONE]

    def test_a_resent_entry_is_recorded_once(self, org) -> None:
        exercise = started(org)
        key = uuid.uuid4()
        first, created = services.log_entry_add(exercise=exercise, actor=None, text="Décision : mode dégradé",
                                                key=key, kind=LogEntryBase.Kind.DECISION)
        again, created_again = services.log_entry_add(exercise=exercise, actor=None, text="Décision : mode dégradé",
                                                      key=key, kind=LogEntryBase.Kind.DECISION)
        assert created and not created_again and first.pk == again.pk
        assert ExerciseLogEntry.objects.filter(exercise=exercise, kind=LogEntryBase.Kind.DECISION).count() == 1

    def test_a_key_of_another_log_is_refused(self, org) -> None:
        key = uuid.uuid4()
        services.log_entry_add(exercise=started(org, title="A"), actor=None, text="Un", key=key)
        with pytest.raises(ValidationError, match="autre main courante"):
            services.log_entry_add(exercise=started(org, title="B"), actor=None, text="Deux", key=key)

    def test_an_entry_typed_offline_keeps_its_time_and_arrives_after_finex(self, org) -> None:
        exercise = started(org)
        typed = timezone.now() - datetime.timedelta(minutes=40)
        services.exercise_finish(exercise=exercise, actor=None)
        entry, created = services.log_entry_add(exercise=exercise, actor=None, text="Saisi hors ligne",
                                                occurred_at=typed)
        assert created and entry.occurred_at == typed

    @pytest.mark.parametrize(("delta", "message"), [(datetime.timedelta(hours=1), "futur"),
                                                    (-datetime.timedelta(days=8), "7 jours")])
    def test_an_impossible_time_is_refused(self, org, delta, message) -> None:
        exercise = started(org)
        with pytest.raises(ValidationError, match=message):
            services.log_entry_add(exercise=exercise, actor=None, text="Horloge fausse",
                                   occurred_at=timezone.now() + delta)

    def test_an_empty_entry_is_refused(self, org) -> None:
        with pytest.raises(ValidationError, match="Saisissez"):
            services.log_entry_add(exercise=started(org), actor=None, text="   ")

    def test_a_stimulus_is_sent_once(self, org) -> None:
        exercise = started(org)
        stimulus = services.stimulus_save(exercise=exercise, actor=None, data={
            "offset_minutes": 5, "sender": "RSSI", "recipient": "Administrateur de garde", "channel": "phone",
            "content": "Chiffrement en cours"})
        services.stimulus_mark_sent(exercise=exercise, stimulus=stimulus, actor=None)
        services.stimulus_mark_sent(exercise=exercise, stimulus=stimulus, actor=None)
        assert ExerciseLogEntry.objects.filter(exercise=exercise, kind=LogEntryBase.Kind.STIMULUS,
                                               stimulus=stimulus).count() == 1

    def test_a_measure_is_the_time_since_debex_or_the_value_typed(self, org) -> None:
        exercise = exercise_in(org)
        activity = exercise.exercise_activities.first().activity
        objective = services.objective_save(exercise=exercise, actor=None, data={
            "kind": Objective.Kind.DEGRADED_MODE, "statement": "Urgences en mode dégradé en 30 min",
            "target_minutes": 30, "activity": activity})
        debex = timezone.now() - datetime.timedelta(minutes=22)
        services.exercise_start(exercise=exercise, actor=None, at=debex)
        measured = services.objective_measure(exercise=exercise, objective=objective, actor=None)
        assert Decimal("21.9") <= measured.measured_minutes <= Decimal("22.5")
        assert measured.on_target is True
        services.objective_measure(exercise=exercise, objective=objective, actor=None, minutes=Decimal("41"))
        objective.refresh_from_db()
        assert objective.measured_minutes == Decimal("41") and objective.on_target is False
        assert ExerciseLogEntry.objects.filter(exercise=exercise, objective=objective,
                                               kind=LogEntryBase.Kind.MEASURE).count() == 2

    def test_objectives_name_what_they_measure(self, org) -> None:
        exercise = exercise_in(org)
        with pytest.raises(ValidationError):
            services.objective_save(exercise=exercise, actor=None, data={
                "kind": Objective.Kind.RTA, "statement": "DPI restauré en 4 h", "target_minutes": 240})
        supplier = ResourceFactory(organization=org, kind="supplier")
        with pytest.raises(ValidationError, match="application"):
            services.objective_save(exercise=exercise, actor=None, data={
                "kind": Objective.Kind.RTA, "statement": "DPI restauré en 4 h", "resource": supplier})


class TestRetex:
    def test_the_retex_waits_for_finex_and_is_approved_by_the_direction(self, org) -> None:
        exercise = exercise_in(org, day=yesterday())
        with pytest.raises(ValidationError, match="FINEX"):
            services.retex_save(exercise=exercise, actor=None, data={"hot_debrief": "Trop tôt"})
        run(exercise, yesterday(), retex=False)
        with pytest.raises(ValidationError, match="Rédigez"):
            services.retex_submit(exercise=exercise, actor=None)
        services.retex_save(exercise=exercise, actor=None, data={"hot_debrief": "Bascule rapide"})
        services.retex_submit(exercise=exercise, actor=None)
        director = MembershipFactory(organization=org, role="direction").user
        retex = services.retex_approve(exercise=exercise, actor=director)
        assert retex.status == Retex.Status.APPROVED and retex.approved_by == director
        # Changed after approval: back to draft, the direction approves it again.
        retex = services.retex_save(exercise=exercise, actor=None, data={"what_did_not": "Appel ARS tardif"})
        assert retex.status == Retex.Status.DRAFT and retex.approved_at is None

    def test_outcomes_and_measured_values_per_objective(self, org) -> None:
        exercise = exercise_in(org, day=yesterday())
        objective = services.objective_save(exercise=exercise, actor=None, data={
            "kind": Objective.Kind.CRISIS_CELL, "statement": "Cellule réunie en 45 min", "target_minutes": 45})
        run(exercise, yesterday(), retex=False)
        services.retex_save(exercise=exercise, actor=None, data={"hot_debrief": "Bien"}, outcomes={
            objective.pk: {"outcome": Objective.Outcome.PARTLY, "measured_minutes": Decimal("50"),
                           "outcome_comment": "Deux absents"}})
        objective.refresh_from_db()
        assert (objective.outcome, objective.measured_minutes) == (Objective.Outcome.PARTLY, Decimal("50"))

    def test_the_retex_cannot_come_before_the_exercise(self, org) -> None:
        day = timezone.localdate() - datetime.timedelta(days=3)
        exercise = run(exercise_in(org, day=day), day, retex=False)
        with pytest.raises(ValidationError, match="précéder"):
            services.retex_save(exercise=exercise, actor=None, data={
                "hot_debrief_on": day - datetime.timedelta(days=1), "hot_debrief": "?"})

    def test_a_finding_becomes_an_action_only_with_the_action_plan(self, org) -> None:
        exercise = run(exercise_in(org, day=yesterday()), yesterday())
        finding = services.finding_save(exercise=exercise, actor=None, data={
            "title": "Kit dégradé incomplet", "severity": "major"})
        if services.actions_installed():
            action = services.finding_to_action(finding=finding, actor=None)
            assert services.finding_actions(organization=org, findings=[finding]) == {finding.pk: action}
            with pytest.raises(ValidationError, match="déjà"):
                services.finding_to_action(finding=finding, actor=None)
        else:
            with pytest.raises(ValidationError, match="pas disponible"):
                services.finding_to_action(finding=finding, actor=None)
            assert services.finding_actions(organization=org, findings=[finding]) == {}


class TestEvidence:
    def test_only_a_run_exercise_measures_an_activity_and_a_system(self, org) -> None:
        exercise = exercise_in(org, day=yesterday())
        activity = exercise.exercise_activities.first().activity
        dpi = ResourceFactory(organization=org, name="DPI")
        degraded = services.objective_save(exercise=exercise, actor=None, data={
            "kind": Objective.Kind.DEGRADED_MODE, "statement": "Mode dégradé", "target_minutes": 30,
            "activity": activity})
        rta = services.objective_save(exercise=exercise, actor=None, data={
            "kind": Objective.Kind.RTA, "statement": "DPI en 4 h", "target_minutes": 240, "resource": dpi})
        services.exercise_start(exercise=exercise, actor=None, at=timezone.now() - datetime.timedelta(hours=5))
        services.objective_measure(exercise=exercise, objective=degraded, actor=None, minutes=Decimal("22"))
        services.objective_measure(exercise=exercise, objective=rta, actor=None, minutes=Decimal("300"))
        assert selectors.activity_measures(organization=org, activity_id=activity.pk) == []  # still running
        services.exercise_finish(exercise=exercise, actor=None)
        assert [m.minutes for m in selectors.activity_measures(organization=org, activity_id=activity.pk)] == [22]
        assert [m.minutes for m in selectors.resource_measures(organization=org, resource_id=dpi.pk)] == [300]
        plan_id = exercise.tested_versions.first().version.plan_id
        assert len(selectors.plan_measures(organization=org, plan_id=plan_id)) == 2
        # Exercise evidence never becomes the system's measured capability (only a restoration test does).
        from apps.backups.measured import measures

        assert dpi.pk not in measures(organization=org)


class TestSchedule:
    def test_a_draft_can_be_scheduled_but_only_approved_plans_are_pcas(self, org) -> None:
        from apps.exercises import checks

        draft = plan_in(org, title="Brouillon")
        services.schedule_save(plan=draft, actor=None, data={"next_test_on": datetime.date(2099, 3, 1)})
        assert [t.plan for t in selectors.schedule_rows(organization=org)] == [draft]
        assert checks.state_for(org).plans == []  # not a PCA for D2.O1.D until approved
        draft.is_archived = True
        draft.save()
        with pytest.raises(ValidationError, match="archivé"):
            services.schedule_save(plan=draft, actor=None, data={"next_test_on": datetime.date(2099, 3, 2)})

    def test_last_and_next_test_of_a_plan(self, org) -> None:
        plan = approved_plan(org)
        day = timezone.localdate() - datetime.timedelta(days=10)
        run(exercise_in(org, plan=plan, day=day), day)
        row = selectors.plan_tests(organization=org, plans=[plan])[0]
        assert row.last_tested_on == day and row.state == "unscheduled"
        services.schedule_save(plan=plan, actor=None, data={"next_test_on": day - datetime.timedelta(days=1)})
        assert selectors.plan_tests(organization=org, plans=[plan])[0].state == "unscheduled"  # done already
        soon = timezone.localdate() + datetime.timedelta(days=20)
        services.schedule_save(plan=plan, actor=None, data={"next_test_on": soon, "format": Format.TABLETOP})
        row = selectors.plan_tests(organization=org, plans=[plan])[0]
        assert (row.next_test_on, row.state) == (soon, "due_soon")

    def test_reminders_30_and_7_days_before_once_each(self, org) -> None:
        plan = approved_plan(org, title="PCA Pharmacie")
        owner = MembershipFactory(organization=org, role="rpcra", user__email="rpcra@valmont.example")
        today = timezone.localdate()
        services.schedule_save(plan=plan, actor=None, data={"next_test_on": today + datetime.timedelta(days=30),
                                                             "owner": owner})
        assert tasks.send_test_reminders.apply(args=[org.pk], kwargs={"language": "fr"}).get() == 1
        assert tasks.send_test_reminders.apply(args=[org.pk], kwargs={"language": "fr"}).get() == 0
        assert mail.outbox[0].to == ["rpcra@valmont.example"]
        assert "PCA Pharmacie" in mail.outbox[0].subject and "30 jours" in mail.outbox[0].subject
        from apps.exercises import notifications

        assert notifications.send_test_reminders(organization=org, today=today + datetime.timedelta(days=23)) == 1
        assert notifications.send_test_reminders(organization=org, today=today + datetime.timedelta(days=24)) == 0
        assert "7 jours" in mail.outbox[1].subject
        # A new date re-arms both reminders.
        services.schedule_save(plan=plan, actor=None, data={"next_test_on": today + datetime.timedelta(days=6)})
        assert ScheduledTest.objects.get(plan=plan).reminder_7_for is None

    def test_the_annual_cyber_exercise_is_flagged_when_none_is_planned(self, org) -> None:
        from apps.exercises import checks

        assert checks.annual_exercise_flag(org)
        exercise_in(org, day=timezone.localdate() + datetime.timedelta(days=300), fmt=Format.TABLETOP)
        assert checks.annual_exercise_flag(org) is None


class TestLibrary:
    def test_every_organization_starts_with_the_starter_library(self, org) -> None:
        kinds = set(StimulusTemplate.objects.filter(organization=org).values_list("scenario_kind", flat=True))
        assert kinds == {"is_unavailable", "site_unavailable", "people_unavailable", "supplier_unavailable"}
        count = StimulusTemplate.objects.filter(organization=org).count()
        assert count == len(services.starter_library())
        first = StimulusTemplate.objects.filter(organization=org).first()
        services.stimulus_template_save(organization=org, actor=None, data={"content": "Adapté"}, template=first)
        StimulusTemplate.objects.filter(organization=org).exclude(pk=first.pk)[:1].get().delete()
        assert services.stimulus_library_reload(organization=org, actor=None) == 1
        first.refresh_from_db()
        assert first.content == "Adapté" and StimulusTemplate.objects.filter(organization=org).count() == count

    def test_the_chronogramme_copies_library_stimuli(self, org) -> None:
        exercise = exercise_in(org)
        templates = list(StimulusTemplate.objects.filter(organization=org, scenario_kind="is_unavailable")[:3])
        stimuli = services.stimuli_from_templates(exercise=exercise, actor=None, templates=templates)
        assert [s.content for s in stimuli] == [t.content for t in templates]


def test_plan_versions_approved_later_still_list_the_tested_one(org) -> None:
    """A new version approved after the exercise: the exercise keeps the version it tested."""
    plan = approved_plan(org)
    tested = approved_version(plan)
    exercise = run(exercise_in(org, plan=plan, day=yesterday()), yesterday())
    plan_services.reflex_sheet_save(plan=plan, actor=None, data={"role": "IOA", "first_actions": "Registre"})
    plan_services.plan_submit(plan=plan, actor=None)
    plan_services.plan_approve(plan=plan, actor=None, acknowledge_incomplete=True)
    assert PlanVersion.objects.get(pk=tested.pk).status == PlanVersion.Status.SUPERSEDED
    assert list(exercise.tested_versions.values_list("version_id", flat=True)) == [tested.pk]
    services.exercise_update(exercise=exercise, actor=None, data={"plan_versions": [tested]})  # still accepted
