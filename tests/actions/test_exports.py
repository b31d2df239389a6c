"""The action plan in the dossier: PDF section « Plan d'actions » and XLSX sheet « Plan d'actions »."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone, translation
from django_scopes import scope

from apps.actions import exports
from apps.actions.benchmark import seed_actions
from apps.actions.models import Status
from apps.exports import registry
from apps.exports.pdf import build_dossier_html, render_sections, write_pdf
from apps.exports.xlsx import render_workbook
from tests.actions.factories import ActionFactory
from tests.exports.conftest import pdf_text
from tests.factories import EstablishmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _plan(org):
    today = timezone.localdate()
    member = MembershipFactory(organization=org, user__first_name="Karim", user__last_name="Benali")
    est = EstablishmentFactory(organization=org, name="Centre hospitalier de Saint-Aubin", short_name="CH Saint-Aubin")
    ActionFactory(organization=org, title="Copie immuable hors site", priority="medium", requirement_ids=["D2.O3.C"],
                  owner_member=member, establishments=[est], cost_estimate="24000")
    ActionFactory(organization=org, title="Bandes externalisées", priority="critical", requirement_ids=["D2.O3.C"],
                  due_date=today - datetime.timedelta(days=4), retro_entered=True)
    ActionFactory(organization=org, title="Procédure AD", status=Status.DONE, proof_note="Procédure signée",
                  requirement_ids=["D2.O3.A", "D2.O3.C"], closed_at=timezone.now())
    ActionFactory(organization=org, title="Sans exigence", owner_name="Sylvie Roux", owner_email="s@r.example")
    ActionFactory(organization=org, title="=HYPERLINK(\"http://evil.example\",\"x\")", status=Status.ABANDONED,
                  abandon_reason="@SUM(1)")


def test_parts_are_registered_in_french() -> None:
    with translation.override("fr"):
        assert str(next(s for s in registry.pdf_sections() if s.key == "actions").title) == "Plan d'actions"
        assert str(next(s for s in registry.xlsx_sheets() if s.key == "actions").title) == "Plan d'actions"


def test_pdf_section_by_requirement_then_priority_late_marked(org, tmp_path: Path) -> None:
    _plan(org)
    with scope(organization=org), translation.override("fr"):
        context = exports.actions_context(org)
        groups = {g.requirement_id: [r.title for r in g.rows] for g in context["groups"]}
        assert groups["D2.O3.C"] == ["Bandes externalisées", "Copie immuable hors site", "Procédure AD"]
        assert groups["D2.O3.A"] == ["Procédure AD"] and groups[""] == ["Sans exigence"]
        sections = render_sections(organization=org, sections=[s for s in registry.pdf_sections()
                                                               if s.key == "actions"])
        html = build_dossier_html(organization=org, dossier_version=1, sections=sections)
        path = tmp_path / "plan.pdf"
        with path.open("wb") as handle:
            write_pdf(html, handle, variant=None)
    text = " ".join(pdf_text(path).split())
    assert "Plan d'actions" in text and "D2.O3.C" in text and "en retard" in text
    assert "signée" in text and "1 action abandonnée" in text  # the proof of the done action; the abandoned one
    assert "HYPERLINK" not in text  # abandoned: counted, listed in the workbook


def test_xlsx_sheet_has_every_column_and_inert_text(org, tmp_path: Path) -> None:
    _plan(org)
    path = tmp_path / "classeur.xlsx"
    sheet = next(s for s in registry.xlsx_sheets() if s.key == "actions")
    with scope(organization=org), translation.override("fr"):
        counts = render_workbook(organization=org, path=path, sheets=[sheet])
    assert counts == {"Plan d'actions": 5}
    ws = openpyxl.load_workbook(path)["Plan d'actions"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("Référence", "Action", "Description") and len(rows[0]) == 21
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:U6"
    by_title = {r[1]: r for r in rows[1:]}
    late = by_title["Bandes externalisées"]
    assert late[10] == "oui" and late[12] == "À faire" and isinstance(late[9], datetime.datetime)
    copy = by_title["Copie immuable hors site"]
    assert copy[6] == "CH Saint-Aubin" and copy[7] == "Karim Benali" and copy[17] == 24000
    assert by_title["Sans exigence"][6] == "Toute l'organisation"
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    for value in ('=HYPERLINK("http://evil.example","x")', "@SUM(1)"):
        assert cells[value].data_type == "s" and cells[value].quotePrefix


def test_exports_read_a_fixed_number_of_queries(org, django_assert_max_num_queries) -> None:
    EstablishmentFactory(organization=org)
    with scope(organization=org):
        seed_actions(organization=org, count=30)
        with django_assert_max_num_queries(12):
            exports.actions_context(org)
        with django_assert_max_num_queries(6):
            assert len(list(exports.action_rows(org))) == 30
        seed_actions(organization=org, count=600, seed=3)
        with django_assert_max_num_queries(12):
            exports.actions_context(org)
        with django_assert_max_num_queries(6):
            assert len(list(exports.action_rows(org))) == 630
