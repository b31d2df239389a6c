"""The plans' contribution to the dossier: PDF section « Plans de continuité », sheets « Plans » and « Couverture »."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from apps.continuity import exports
from apps.exports.registry import pdf_sections, xlsx_sheets
from tests.bia.factories import activity_in
from tests.continuity.factories import approved_plan, plan_in

pytestmark = pytest.mark.django_db


def test_parts_are_registered() -> None:
    with translation.override("fr"):
        assert str(next(s for s in pdf_sections() if s.key == "plans").title) == "Plans de continuité"
        titles = {s.key: str(s.title) for s in xlsx_sheets()}
        assert titles["plans"] == "Plans" and titles["plans_coverage"] == "Couverture"


def test_pdf_section_lists_plans_with_approval_and_degraded_modes(org, django_assert_max_num_queries) -> None:
    urg = activity_in(org, name="Urgences", criticality="critical")
    approved_plan(org, title="PCA Urgences", activities=[urg])
    plan_in(org, title="PCA Pharmacie", with_mode=True)
    with translation.override("fr"):
        with django_assert_max_num_queries(34):  # + the approved plans' frozen perimeters and the BIA read for them
            ctx = exports.plans_context(org)
        html = render_to_string("continuity/exports/section.html", ctx)
    assert "PCA Urgences" in html and "PCA Pharmacie" in html
    # The approved plan is printed in full; the draft is only listed (issue 16: drafts are not printed as plans).
    assert [row["plan"].title for row in ctx["printed"]] == ["PCA Urgences"]
    assert [(item["plan"].title, item["state"]) for item in ctx["listed"]] == [("PCA Pharmacie", "Brouillon")]
    assert "Approuvée par" in html and "Versions non imprimées" in html
    assert html.count("DPI indisponible plus de 30 minutes") == 1  # the approved plan's degraded mode only
    assert "Séquence de reprise PRA" in html and "Plan de communication" in html
    assert "Matrice de couverture" in html


def test_sheets_rows(org) -> None:
    urg = activity_in(org, name="Urgences", criticality="critical")
    approved_plan(org, title="PCA Urgences", activities=[urg])
    with translation.override("fr"):
        plans = list(exports.plan_rows(org))
        coverage = list(exports.coverage_rows(org))
    assert len(plans) == 1
    row = plans[0]
    assert row[0] == "PCA Urgences" and row[3] == "Urgences" and row[6] == "v1" and row[7] == "Approuvé"
    assert row[10] == "oui" and row[14] == "non"
    assert len(coverage) == 4  # one critical activity × four scenarios
    assert [r[5] for r in coverage].count("oui") == 1
    assert all(len(r) == 8 for r in coverage)
