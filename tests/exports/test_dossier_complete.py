"""The dossier as an ARS/ANS reviewer reads it (issue 16): every section of the demo GHT, per-entity statuses,
« pièces à fournir » with SHA-256, plans printed only when approved and current, French formatting, no cut list,
long words broken, a tagged PDF, the workbook's properties, the language chosen for the document.

The demo is seeded once for the module; the PDF (slow: WeasyPrint) is rendered once and read by several tests.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django_scopes import scope, scopes_disabled

from apps.compliance import exports as compliance_exports
from apps.compliance.models import Evidence
from apps.compliance.registry import CheckResult, register_check
from apps.continuity import exports as continuity_exports
from apps.continuity.models import Plan, PlanVersion
from apps.exports.pdf import build_dossier_html, render_dossier, render_sections
from apps.exports.registry import pdf_sections
from apps.exports.snapshot import export_snapshot
from apps.exports.xlsx import render_workbook
from apps.tenants.demo import GHT_SLUG
from apps.tenants.models import Organization
from tests.exports.conftest import pdf_info, pdf_reading_text, pdf_text, soffice_convert
from tests.exports.factories import ExportJobFactory

# The chapters the reviewer looks for, in French (the default language of the dossier).
FRENCH_CHAPTERS = ["Candidat et entités", "Gouvernance", "Synthèse du BIA", "Plans de continuité", "Sauvegardes",
                   "Tests et exercices", "Plan d'actions", "Exigences CaRE"]


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module inside a transaction rolled back at the end (each test runs in a
    savepoint of it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        with scopes_disabled():
            organization = Organization.objects.get(slug=GHT_SLUG)
        yield organization
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def demo_pdf(demo, django_db_blocker, tmp_path_factory) -> tuple[Path, str, str]:
    """The demo GHT's dossier rendered once: its path, its text as laid out and in reading order."""
    path = tmp_path_factory.mktemp("dossier") / "dossier.pdf"
    with django_db_blocker.unblock():
        job = ExportJobFactory(organization=demo, dossier_version=1, establishment_ids=None)
        with scope(organization=demo), translation.override("fr"):
            render_dossier(organization=demo, job=job, path=path, progress=lambda percent, label: None)
    return path, pdf_text(path), pdf_reading_text(path)


def test_every_section_is_in_the_demo_dossier(demo_pdf) -> None:
    path, _layout, raw = demo_pdf
    text = " ".join(raw.split())  # headings of table columns wrap
    for chapter in FRENCH_CHAPTERS:
        assert chapter in text, chapter
    for heading in ("Statut par entité", "Pièces à fournir", "Ce qui manque", "Actions ouvertes",
                    "Séquence de reprise PRA", "Retour au nominal", "Plan de communication", "Fiche réflexe",
                    "Modes dégradés", "Besoins et capacités, par ressource", "Dépendances par activité",
                    "Validé par / le", "Annexe : index des pièces", "Planning des tests"):
        assert heading in text, heading
    print(f"\ndemo GHT dossier: {pdf_info(path)['Pages']} pages")


def test_per_entity_rows_and_pieces_with_sha256(demo, demo_pdf) -> None:
    _path, _layout, text = demo_pdf
    # D2.O1.C (BIA and plans) and D2.O1.D (tests) are weighted by legal entity in a GHT: one row per EJ, from the
    # checks' own reading of the 66 % rule.
    with scope(organization=demo), translation.override("fr"):
        blocks = {b.id: b for b in compliance_exports.requirement_blocks(demo)}
    for requirement in ("D2.O1.C", "D2.O1.D"):
        tables = blocks[requirement].coverage
        assert tables, requirement
        for table in tables:
            assert {(row.name, row.weight) for row in table.rows} == {
                ("CH de Saint-Aubin", "28 %"), ("CHU de Valmont", "62 %"), ("HL de Bellerive", "10 %")}
    assert text.count("Statut par entité") >= 3
    flat_words = re.sub(r"\s+", " ", text)
    assert "Compte" in flat_words and "Ne compte pas" in flat_words
    with scopes_disabled():
        evidence = Evidence.objects.filter(organization=demo, deleted_at__isnull=True).exclude(requirement_ids=[])
        hashes = [e.sha256 for e in evidence]
    assert hashes and all(len(h) == 64 for h in hashes)
    flat = re.sub(r"\s+", "", text)
    for sha in hashes:
        assert sha in flat  # the hash is printed (broken across lines in a narrow column)
    assert "PSSI signée" in text  # a « pièce à fournir » of D2.P1, from the catalogue data


def test_french_formatting_and_no_cut_list(demo_pdf) -> None:
    _path, text, _raw = demo_pdf
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    assert "28 %" in text and "28.00" not in text and "28,00" not in text
    cut = [line for line in text.splitlines() if "…" in line]
    assert not cut, cut  # every list printed in full
    counted = [line for line in text.splitlines() if "(s)" in line]
    assert not counted, counted  # « 1 périmètre », « 2 systèmes »: plurals through ngettext, never « (s) »


def test_drafts_are_listed_not_printed_as_plans(demo) -> None:
    with scope(organization=demo), translation.override("fr"):
        context = continuity_exports.plans_context(demo)
        html = render_to_string("continuity/exports/section.html", context)
    printed = {row["plan"].pk for row in context["printed"]}
    with scopes_disabled():
        approved_current = set(PlanVersion.objects.filter(plan__organization=demo, status=PlanVersion.Status.APPROVED)
                               .values_list("plan_id", flat=True))
        drafts = list(Plan.objects.filter(organization=demo, current_version__status=PlanVersion.Status.DRAFT))
    assert printed <= approved_current
    assert all(row["version"].status == PlanVersion.Status.APPROVED for row in context["printed"])
    for plan in drafts:
        assert any(item["plan"].pk == plan.pk for item in context["listed"])
        if plan.pk not in printed:
            assert f'id="plan-{plan.pk}"' not in html
    assert "Versions non imprimées" in html


def test_the_pdf_is_tagged(demo_pdf) -> None:
    path, _layout, _raw = demo_pdf
    assert pdf_info(path)["Tagged"] == "yes"  # /MarkInfo << /Marked true >>
    struct = subprocess.run(["pdfinfo", "-struct", str(path)], capture_output=True, text=True, check=True).stdout
    assert struct.startswith("Document") and "H1" in struct and "Table" in struct  # the StructTreeRoot's tree


def test_requirement_checks_run_once_per_export_job(demo) -> None:
    calls: list[int] = []

    @register_check("D2.P1", key="tests.counting_check")
    def counting(organization: Organization) -> CheckResult:
        calls.append(organization.pk)
        return CheckResult(status=CheckResult.MET, summary="counted")

    try:
        with scope(organization=demo), translation.override("fr"), export_snapshot():
            compliance_exports.requirements_context(demo)
            list(compliance_exports.synthesis_rows(demo))
            compliance_exports.requirements_context(demo)
        assert calls == [demo.pk]
        with scope(organization=demo), translation.override("fr"):
            compliance_exports.requirements_context(demo)  # outside an export: computed afresh
        assert calls == [demo.pk, demo.pk]
    finally:
        from apps.compliance import registry

        registry._CHECKS.pop("tests.counting_check", None)


def test_english_dossier_has_english_headings(demo) -> None:
    with scope(organization=demo), translation.override("en"):
        sections = render_sections(organization=demo)
        html = build_dossier_html(organization=demo, dossier_version=1, sections=sections)
    for heading in ("Candidate and entities", "Continuity plans", "CaRE requirements", "Pieces to provide",
                    "Status per entity", "PRA recovery sequence"):
        assert heading in html, heading
    assert "Exigences CaRE" not in html and 'lang="en"' in html


def test_workbook_properties_and_libreoffice(demo, tmp_path) -> None:
    path = tmp_path / "classeur.xlsx"
    with scope(organization=demo), translation.override("fr"):
        render_workbook(organization=demo, path=path)
    wb = openpyxl.load_workbook(path)
    assert wb.properties.creator == demo.name
    assert wb.properties.title == f"Classeur CaRE D2 — {demo.name}"
    assert wb.properties.language == "fr"
    synthesis = wb["Synthèse des exigences"]
    headers = [c.value for c in synthesis[1]]
    assert "Statut par entité" in headers and "Pièces à fournir" in headers
    assert synthesis.freeze_panes == "A2"
    result = soffice_convert(path, "csv", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "classeur.csv").exists()


def test_a_150_character_word_is_broken_inside_the_page(org, tmp_path) -> None:
    word = "Z" * 150
    from apps.exports.registry import PdfSection

    section = PdfSection(key="long", order=1, title="Long", template="compliance/exports/evidence_annex.html",
                         context=lambda organization: {"files": [Evidence(title=word, original_name=word + ".pdf",
                                                                          sha256="a" * 64, requirement_ids=["D2.P1"])]})
    path = tmp_path / "long.pdf"
    from apps.exports.pdf import write_pdf

    with scope(organization=org), translation.override("fr"):
        html = build_dossier_html(organization=org, dossier_version=1,
                                  sections=render_sections(organization=org, sections=[section]))
    with path.open("wb") as handle:
        write_pdf(html, handle)
    text = pdf_text(path)
    assert "Z" * 8 in text
    assert "Z" * 150 not in text  # broken across lines, not run off the page
    raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert raw.count("Z") == 300  # and nothing of it lost (the title and the file name)


def test_sections_are_registered_in_order() -> None:
    keys = [s.key for s in pdf_sections()]
    assert keys.index("bia") < keys.index("plans") < keys.index("compliance") < keys.index("evidence")
