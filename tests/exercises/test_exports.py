"""The exercises in the CaRE dossier (PDF section « Tests et exercices ») and workbook (five sheets), and the
three kits printed by the export worker's renderer (WeasyPrint, real files)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone, translation

from apps.exercises import kits, services
from apps.exercises.models import Objective, Participant
from apps.exports import services as export_services
from apps.exports.models import ExportJob
from apps.exports.registry import xlsx_sheets
from apps.exports.xlsx import render_workbook
from tests.exercises.factories import exercise_in, run
from tests.exports.conftest import pdf_text


def job_file(job):
    """The rendered file, from the local storage the tests use (``apps.core.files``)."""
    from pathlib import Path

    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / job.file_path

pytestmark = pytest.mark.django_db

SHEETS = ["Exercices", "Chronogramme", "Main courante", "Constats", "Planning des tests"]


@pytest.fixture
def exercise(org):
    day = timezone.localdate() - datetime.timedelta(days=2)
    exercise = exercise_in(org, day=day, title="Rançongiciel — urgences en mode dégradé",
                           context="Mercredi, 8 h 30 : les urgences tournent normalement.")
    objective = services.objective_save(exercise=exercise, actor=None, data={
        "kind": Objective.Kind.CRISIS_CELL, "statement": "Cellule de crise réunie en 45 min", "target_minutes": 45,
        "observation_points": "Heure de la décision\nAnnuaire papier utilisé"})
    services.stimulus_save(exercise=exercise, actor=None, data={
        "offset_minutes": 12, "sender": "RSSI", "recipient": "Administrateur de garde", "channel": "phone",
        "content": "SECRET-CHRONO chiffrement en cours", "expected_reaction": "Activer la cellule",
        "objective": objective})
    services.participant_save(exercise=exercise, actor=None, data={
        "role": Participant.Role.PLAYER, "function": "general_management", "external_name": "Isabelle Lefèvre"})
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    services.exercise_start(exercise=exercise, actor=None, at=start)
    services.log_entry_add(exercise=exercise, actor=None, text="=HYPERLINK(\"http://x\")", occurred_at=start,
                           now=start)
    services.objective_measure(exercise=exercise, objective=objective, actor=None, minutes=Decimal("38"),
                               at=start + datetime.timedelta(minutes=38))
    services.exercise_finish(exercise=exercise, actor=None, at=start + datetime.timedelta(hours=3))
    services.retex_save(exercise=exercise, actor=None, data={"hot_debrief": "Bascule rapide"})
    services.finding_save(exercise=exercise, actor=None, data={"title": "Annuaire de crise périmé",
                                                               "severity": "major"})
    return exercise


def test_the_workbook_has_the_five_sheets(org, exercise, tmp_path) -> None:
    path = tmp_path / "classeur.xlsx"
    with translation.override("fr"):
        sheets = [s for s in xlsx_sheets() if s.key.startswith("exercises")]
        counts = render_workbook(organization=org, path=path, sheets=sheets)
    assert list(counts) == SHEETS
    wb = openpyxl.load_workbook(path)
    rows = {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}
    assert rows["Exercices"][1][0] == "Rançongiciel — urgences en mode dégradé"
    assert rows["Exercices"][1][10] == "oui"  # counts for D2.O1.D
    assert rows["Chronogramme"][1][5] == "SECRET-CHRONO chiffrement en cours"
    texts = [row[5] for row in rows["Main courante"][1:]]
    assert "'=HYPERLINK(\"http://x\")" in texts  # a formula typed in the main courante stays text
    assert not any(isinstance(t, str) and t.startswith("=") for t in texts)
    assert rows["Constats"][1][1] == "Annuaire de crise périmé" and rows["Constats"][1][2] == "Majeur"
    assert rows["Planning des tests"][1][0].startswith("PCA de")


def test_the_dossier_has_the_tests_and_exercises_section(org, exercise) -> None:
    with translation.override("fr"):
        job = export_services.export_job_create(organization=org, actor=None, kind=ExportJob.Kind.DOSSIER_PDF)
        assert export_services.export_run(organization=org, job_id=str(job.pk))
    job.refresh_from_db()
    text = " ".join(pdf_text(job_file(job)).split())
    assert "Tests et exercices" in text
    assert "Rançongiciel — urgences en mode dégradé" in text
    assert "Compte pour" in text and "rédigé, pas encore approuvé" in text  # table cells wrap in the layout
    assert "Isabelle Lefèvre" in text and "Annuaire de crise périmé" in text
    assert "Planning des tests" in text


@pytest.mark.parametrize(("kit", "present", "absent"), [
    ("animateur", ["SECRET-CHRONO", "Activer la", "ne jamais montrer ce chronogramme"], []),
    ("joueur", ["les urgences tournent normalement", "Isabelle Lefèvre"], ["SECRET-CHRONO"]),
    ("observateur", ["Annuaire papier utilisé", "Heure de la décision"], ["SECRET-CHRONO"]),
])
def test_the_three_kits(org, exercise, kit, present, absent) -> None:
    with translation.override("fr"):
        job = kits.kit_request(organization=org, actor=None, exercise=exercise, kit=kit)
        assert export_services.export_run(organization=org, job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.sha256
    from apps.exports.views import download_filename

    assert download_filename(job).startswith(f"kit-{kit}-exercice-{exercise.pk}-")
    text = " ".join(pdf_text(job_file(job)).split())
    for expected in present:
        assert expected in text, expected
    for hidden in absent:
        assert hidden not in text, hidden


def test_a_kit_cannot_be_asked_from_the_dossier_form(org, admin_user, client_for) -> None:
    from django.urls import reverse

    response = client_for(admin_user).post(reverse("exports:request", kwargs={"org_slug": org.slug}),
                                           {"kind": "exercise_kit"})
    assert response.status_code == 400
    assert not ExportJob.objects.filter(organization=org).exists()


def test_run_helper_is_consistent(org) -> None:
    day = timezone.localdate() - datetime.timedelta(days=1)
    exercise = run(exercise_in(org, day=day), day)
    assert exercise.run_on == day
