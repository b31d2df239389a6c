"""The exercise pages as members use them: planning form, the live page and its main courante endpoint (what the
browser's queue sends), read-only readers and limited members, the evidence shown on plan, activity and
system, the journey's stage 5; the live page's query count does not grow with the main courante."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.logbook import LogEntryBase
from apps.exercises import services
from apps.exercises.models import Exercise, ExerciseLogEntry, Objective, Retex
from apps.tenants.roles import Role
from tests.bia.factories import ActivityFactory, ResourceFactory
from tests.continuity.factories import approved_plan, scenario
from tests.establishments import limited_member
from tests.exercises.factories import approved_version, exercise_in, run
from tests.factories import EstablishmentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def url(org, name: str, **kwargs) -> str:
    return reverse(f"exercises:{name}", kwargs={"org_slug": org.slug, **kwargs})


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def test_the_rpcra_plans_a_field_exercise_with_the_form(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.RPCRA))
    plan = approved_plan(org, title="PCA Urgences")
    page = client.get(url(org, "create") + f"?plan={plan.pk}")
    assert page.status_code == 200 and "PCA Urgences" in page.content.decode()
    data = {"title": "Rançongiciel", "format": "field", "scope": "pca", "scenario": scenario(org).pk,
            "cyber_triggered": "on", "planned_start": "2027-03-16T08:30", "duration_minutes": "180",
            "form_token": uuid.uuid4().hex}
    refused = client.post(url(org, "create"), data)
    assert refused.status_code == 400
    assert "Un exercice terrain teste un plan approuvé" in refused.content.decode()
    response = client.post(url(org, "create"), {**data, "plan_versions": [approved_version(plan).pk],
                                                "form_token": uuid.uuid4().hex})
    exercise = Exercise.objects.get(organization=org, title="Rançongiciel")
    assert response.status_code == 302 and response["Location"] == url(org, "detail", pk=exercise.pk)
    assert timezone.localtime(exercise.planned_start).hour == 8


def test_a_reader_reads_and_cannot_edit(org, reader_user, client_for) -> None:
    exercise = services.exercise_start(exercise=exercise_in(org), actor=None)
    client = client_for(reader_user)
    for name in ("detail", "live", "chronogramme", "retex"):
        body = client.get(url(org, name, pk=exercise.pk)).content.decode()
        assert "Rançongiciel aux urgences" in body
        assert url(org, "update", pk=exercise.pk) not in body
        assert "data-logbook" not in body
    assert client.post(url(org, "log-add", pk=exercise.pk), {"text": "Intrusion"}).status_code == 403
    assert client.post(url(org, "retex", pk=exercise.pk), {"hot_debrief": "Intrusion"}).status_code == 403
    assert not ExerciseLogEntry.objects.filter(text="Intrusion").exists()


class TestMainCouranteEndpoint:
    """What static/js/logbook.js sends: the key and the time it was typed; a resend records nothing new."""

    def post(self, client, org, exercise, **data):
        return client.post(url(org, "log-add", pk=exercise.pk), data, HTTP_X_REQUESTED_WITH="fetch")

    def test_created_then_resent(self, org, member_factory, client_for) -> None:
        exercise = services.exercise_start(exercise=exercise_in(org), actor=None)
        client = client_for(member_factory(org, Role.CONTRIBUTOR))
        key = str(uuid.uuid4())
        typed = (timezone.now() - datetime.timedelta(minutes=3)).isoformat()
        first = self.post(client, org, exercise, text="Cellule de crise activée", key=key, occurred_at=typed,
                          kind="decision", who="Administrateur de garde")
        assert first.status_code == 201
        assert "Cellule de crise activée" in first.content.decode() and f'data-key="{key}"' in first.content.decode()
        again = self.post(client, org, exercise, text="Cellule de crise activée", key=key, occurred_at=typed)
        assert again.status_code == 200
        entry = ExerciseLogEntry.objects.get(exercise=exercise, key=key)
        assert entry.kind == "decision" and entry.who == "Administrateur de garde"
        assert ExerciseLogEntry.objects.filter(exercise=exercise, text="Cellule de crise activée").count() == 1

    def test_refused_with_the_reason_in_french(self, org, member_factory, client_for) -> None:
        exercise = exercise_in(org)
        client = client_for(member_factory(org, Role.CONTRIBUTOR))
        response = self.post(client, org, exercise, text="Trop tôt", key=str(uuid.uuid4()))
        assert response.status_code == 400 and "DEBEX" in response.content.decode()
        services.exercise_start(exercise=exercise, actor=None)
        response = self.post(client, org, exercise, text="  ", key=str(uuid.uuid4()))
        assert response.status_code == 400 and "Saisissez" in response.content.decode()

    def test_without_javascript_the_form_posts_and_comes_back(self, org, member_factory, client_for) -> None:
        exercise = services.exercise_start(exercise=exercise_in(org), actor=None)
        client = client_for(member_factory(org, Role.CONTRIBUTOR))
        response = client.post(url(org, "log-add", pk=exercise.pk), {"text": "Sans script", "key": str(uuid.uuid4())})
        assert response.status_code == 302 and response["Location"] == url(org, "live", pk=exercise.pk)
        assert ExerciseLogEntry.objects.filter(exercise=exercise, text="Sans script").exists()


def _fill_log(exercise: Exercise, count: int) -> None:
    start = exercise.debex_at
    ExerciseLogEntry.objects.bulk_create([
        ExerciseLogEntry(organization=exercise.organization, exercise=exercise, key=uuid.uuid4(),
                         occurred_at=start + datetime.timedelta(seconds=10 * i), kind=LogEntryBase.Kind.EVENT,
                         who="Cadre", text=f"Entrée {i}") for i in range(count)])


def test_the_live_page_query_count_does_not_grow_with_the_main_courante(org, member_factory, client_for) -> None:
    """50 then 500 entries (the budget's size): the same number of queries (benchmark: exercises_benchmark)."""
    exercise = exercise_in(org)
    for i in range(3):
        services.objective_save(exercise=exercise, actor=None, data={
            "kind": Objective.Kind.CRISIS_CELL, "statement": f"Objectif {i}", "target_minutes": 30})
        services.stimulus_save(exercise=exercise, actor=None, data={
            "offset_minutes": 10 * i, "sender": "RSSI", "recipient": "Cellule", "channel": "phone",
            "content": f"Stimulus {i}"})
    services.exercise_start(exercise=exercise, actor=None, at=timezone.now() - datetime.timedelta(hours=2))
    client = client_for(member_factory(org, Role.RPCRA))
    counts = []
    for size in (50, 450):
        _fill_log(exercise, size)
        client.get(url(org, "live", pk=exercise.pk))  # warm the session and the caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(org, "live", pk=exercise.pk))
        assert response.status_code == 200
        counts.append(len(queries))
    body = response.content.decode()
    assert "Entrée 449" in body and "401 entrées précédentes non affichées" in body  # the latest 100 of 501 (DEBEX too)
    assert counts[0] == counts[1], counts
    everything = client.get(url(org, "live", pk=exercise.pk) + "?tout=1").content.decode()
    assert everything.count('class="logbook-row') == 500 + 1  # and DEBEX


class TestLimitedMember:
    @pytest.fixture
    def ght(self, db):
        org = OrganizationFactory(kind="ght", name="GHT", slug="ght-ex")
        home = EstablishmentFactory(organization=org, name="CH de Saint-Aubin")
        other = EstablishmentFactory(organization=org, name="ZQXOTHER CHU de Valmont")
        return org, home, other

    def test_an_exercise_shared_with_another_establishment_is_read_only_and_names_only_theirs(
            self, ght, client_for) -> None:
        org, home, other = ght
        plan = approved_plan(org, activities=[ActivityFactory(organization=org, establishment=home, name="Urgences")])
        exercise = exercise_in(org, plan=plan, establishments=[home, other])
        client = client_for(limited_member(org, Role.RPCRA, home))
        body = client.get(url(org, "detail", pk=exercise.pk)).content.decode()
        assert "Rançongiciel aux urgences" in body and "CH de Saint-Aubin" in body
        assert "ZQXOTHER" not in body
        assert "vous pouvez le lire, pas le modifier" in body
        assert url(org, "update", pk=exercise.pk) not in body
        assert client.post(url(org, "update", pk=exercise.pk), {}).status_code == 403

    def test_an_exercise_of_another_establishment_does_not_exist_for_them(self, ght, client_for) -> None:
        org, home, other = ght
        plan = approved_plan(org, activities=[ActivityFactory(organization=org, establishment=other, name="Labo")])
        exercise = exercise_in(org, plan=plan, title="ZQXOTHER exercice")
        client = client_for(limited_member(org, Role.RPCRA, home))
        assert client.get(url(org, "detail", pk=exercise.pk)).status_code == 404
        for name in ("list", "schedule"):
            assert "ZQXOTHER" not in client.get(url(org, name)).content.decode()


def test_the_product_shows_what_exercises_measured(org, member_factory, client_for) -> None:
    plan = approved_plan(org, title="PCA Urgences")
    exercise = exercise_in(org, plan=plan, day=yesterday(), title="Exercice terrain rançongiciel")
    activity = exercise.exercise_activities.first().activity
    dpi = ResourceFactory(organization=org, name="DPI")
    degraded = services.objective_save(exercise=exercise, actor=None, data={
        "kind": Objective.Kind.DEGRADED_MODE, "statement": "Urgences en mode dégradé", "target_minutes": 30,
        "activity": activity})
    rta = services.objective_save(exercise=exercise, actor=None, data={
        "kind": Objective.Kind.RTA, "statement": "DPI restauré", "target_minutes": 240, "resource": dpi})
    run(exercise, yesterday())
    services.objective_measure(exercise=exercise, objective=degraded, actor=None, minutes=Decimal("22"))
    services.objective_measure(exercise=exercise, objective=rta, actor=None, minutes=Decimal("310"))
    services.schedule_save(plan=plan, actor=None, data={"next_test_on": datetime.date(2099, 10, 13),
                                                         "format": "field"})
    client = client_for(member_factory(org, Role.RPCRA))
    body = client.get(reverse("continuity:plan-detail", kwargs={"org_slug": org.slug, "pk": plan.pk})).content.decode()
    assert f"Testé le {yesterday():%d/%m/%Y} (exercice terrain)" in body
    assert "13/10/2099" in body
    body = client.get(reverse("bia:activity-detail", kwargs={"org_slug": org.slug, "pk": activity.pk})).content.decode()
    assert "Mode dégradé activé en" in body and "22 min" in body
    body = client.get(reverse("bia:resource-detail", kwargs={"org_slug": org.slug, "pk": dpi.pk})).content.decode()
    assert "RTA" in body and "310 min" in body and "distincte des tests de restauration" in body


def test_stage_5_of_the_journey_is_no_longer_upcoming(org, admin_user, client_for) -> None:
    body = client_for(admin_user).get(reverse("tenants:home", kwargs={"org_slug": org.slug})).content.decode()
    assert "Tests et exercices" in body
    assert "Planifier un exercice terrain" in body


def test_the_direction_approves_the_retex(org, member_factory, client_for) -> None:
    exercise = run(exercise_in(org, day=yesterday()), yesterday())
    services.retex_submit(exercise=exercise, actor=None)
    rpcra = client_for(member_factory(org, Role.RPCRA))
    assert "Approuver le RETEX" not in rpcra.get(url(org, "retex", pk=exercise.pk)).content.decode()
    assert rpcra.post(url(org, "retex-decision", pk=exercise.pk, decision="approuver")).status_code == 403
    director = client_for(member_factory(org, Role.DIRECTION))
    assert "Approuver le RETEX" in director.get(url(org, "retex", pk=exercise.pk)).content.decode()
    director.post(url(org, "retex-decision", pk=exercise.pk, decision="approuver"))
    assert Retex.objects.get(exercise=exercise).status == Retex.Status.APPROVED
