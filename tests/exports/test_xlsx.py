"""The XLSX workbook reopened as Excel or LibreOffice would: sheets, frozen headers, filters, typed cells."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation
from django_scopes import scope

from apps.exports import registry
from apps.exports.registry import Column, XlsxSheet
from apps.exports.xlsx import make_cell, render_workbook
from tests.exports.conftest import soffice_convert
from tests.factories import EstablishmentFactory, SiteFactory


def write(org, path: Path) -> dict[str, int]:
    with scope(organization=org), translation.override("fr"):
        return render_workbook(organization=org, path=path)


@pytest.fixture
def dated_sheet(monkeypatch):
    # The foundation's own sheets only: other apps' sheets have their own tests.
    monkeypatch.setattr(registry, "_XLSX", {k: v for k, v in registry._XLSX.items() if k in ("summary", "entities")})
    rows = [["Admissions", dt.date(2025, 7, 16), dt.datetime(2025, 7, 16, 9, 30, tzinfo=dt.UTC), 4, Decimal("12.5"), 62],
            ["Pharmacie", None, None, 0, Decimal("0"), 0]]
    registry.register_xlsx_sheet(XlsxSheet(
        key="probe", order=300, title="BIA",
        columns=[Column("Activité", width=30), Column("Validée le", kind="date"), Column("Mise à jour", kind="datetime"),
                 Column("DMIA (h)", kind="number"), Column("Coût", kind="number"), Column("Part", kind="percent")],
        rows=lambda organization: iter(rows),
    ))


@pytest.mark.django_db
def test_workbook_sheets_headers_frozen_filters_and_types(org, dated_sheet, tmp_path) -> None:
    establishment = EstablishmentFactory(organization=org, name="Hôpital de la Rive")
    SiteFactory(organization=org, establishment=establishment, name="Site Nord", city="Valmont")
    path = tmp_path / "classeur.xlsx"
    counts = write(org, path)
    assert counts["Entités"] == 3  # the fixture's establishment without site + one site, then the total

    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Synthèse", "Entités", "BIA"]
    entities = wb["Entités"]
    assert entities.freeze_panes == "A2"
    assert entities.auto_filter.ref == "A1:L4"
    assert [c.value for c in entities[1]] == ["Établissement", "FINESS EJ", "Statut juridique", "Part d'activité (%)",
                                               "Site", "FINESS EG", "Ville", "Base de la part", "Date de la part",
                                               "Part d'activité du site (%)", "Base de la part du site",
                                               "Date de la part du site"]
    assert entities.column_dimensions["A"].width == 40
    row = next(r for r in entities.iter_rows(min_row=2, values_only=True) if r[4] == "Site Nord")
    assert row[0] == "Hôpital de la Rive" and row[6] == "Valmont"
    assert isinstance(row[3], int | float) and row[3] == 50

    bia = wb["BIA"]
    first = bia[2]
    assert first[1].is_date and first[1].value == dt.datetime(2025, 7, 16) and first[1].number_format == "DD/MM/YYYY"
    assert first[2].is_date and first[2].value.hour == 11  # 09:30 UTC shown in Paris time
    assert first[3].data_type == "n" and first[3].value == 4
    assert first[4].data_type == "n" and first[4].value == 12.5
    assert first[5].value == pytest.approx(0.62) and first[5].number_format == "0 %"
    summary = wb["Synthèse"]
    assert summary["A1"].value == "Élément"
    exported = next(r for r in summary.iter_rows(min_row=2) if r[0].value == "Exporté le")
    assert exported[1].is_date


@pytest.mark.django_db
def test_libreoffice_opens_the_workbook(org, dated_sheet, tmp_path) -> None:
    path = tmp_path / "classeur.xlsx"
    write(org, path)
    result = soffice_convert(path, "pdf", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "classeur.pdf").stat().st_size > 0


@pytest.mark.django_db
def test_empty_registry_still_gives_a_valid_workbook(org, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(registry, "_XLSX", {})
    path = tmp_path / "vide.xlsx"
    write(org, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Synthèse"]


@pytest.mark.parametrize("text", ["=1+1", "+33 6 12", "-2+3", "@SUM(A1)", "\tcmd", "\r=1", '=HYPERLINK("http://x","y")'])
def test_formula_like_text_is_stored_as_inert_text(text: str, tmp_path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("T")
    ws.append([make_cell(ws, text, Column("Texte"))])
    wb.save(tmp_path / "t.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "t.xlsx")["T"]["A1"]
    assert cell.data_type == "s"
    assert cell.value == text
    assert cell.quotePrefix


def test_plain_text_is_untouched(tmp_path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("T")
    ws.append([make_cell(ws, "Urgences adultes", Column("Texte")), make_cell(ws, "ctrl\x01char", Column("Texte"))])
    wb.save(tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["T"]
    assert sheet["A1"].value == "Urgences adultes" and not sheet["A1"].quotePrefix
    assert sheet["B1"].value == "ctrlchar"  # XML-illegal control characters dropped, not a corrupt file


@pytest.mark.django_db
def test_the_entities_sheet_shows_the_weights_the_66_percent_rule_uses_and_their_total(tmp_path, monkeypatch) -> None:
    """Each entity's weight with its basis and date, at the level the rule weighs (EJ for a GHT, EG for a legal
    entity outside a GHT with several sites), and the total; « pondérations à compléter » until it is 100 %."""
    from apps.tenants.models import Organization
    from tests.factories import OrganizationFactory

    monkeypatch.setattr(registry, "_XLSX", {k: v for k, v in registry._XLSX.items() if k == "entities"})
    ght = OrganizationFactory(kind=Organization.Kind.GHT)
    chu = EstablishmentFactory(organization=ght, name="CHU de Valmont", activity_share=Decimal("62"))
    SiteFactory(organization=ght, establishment=chu, name="Hôpital Nord")
    SiteFactory(organization=ght, establishment=chu, name="Hôpital Sud")
    EstablishmentFactory(organization=ght, name="CH de Saint-Aubin", activity_share=Decimal("38"),
                         activity_share_basis="Séjours MCO 2024 (PMSI)", activity_share_date=dt.date(2025, 3, 31))
    write(ght, tmp_path / "ght.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "ght.xlsx")["Entités"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3], r[4], r[7], r[8], r[9]) for r in rows] == [
        ("CH de Saint-Aubin", 38, None, "Séjours MCO 2024 (PMSI)", dt.datetime(2025, 3, 31), None),
        ("CHU de Valmont", 62, "Hôpital Nord", "Séjours 2025", dt.datetime(2026, 1, 31), None),
        ("CHU de Valmont", 62, "Hôpital Sud", "Séjours 2025", dt.datetime(2026, 1, 31), None),
        ("Total des parts (entités juridiques, FINESS EJ)", 100, None, "Pondérations complètes", None, None)]

    clinic = OrganizationFactory(kind=Organization.Kind.LEGAL_ENTITY)
    entity = EstablishmentFactory(organization=clinic, name="Clinique du Parc SAS", activity_share=Decimal("100"))
    SiteFactory(organization=clinic, establishment=entity, name="Site de Nantes", activity_share=Decimal("72"),
                activity_share_basis="Séjours 2025 (PMSI)", activity_share_date=dt.date(2026, 1, 31))
    SiteFactory(organization=clinic, establishment=entity, name="Site de Rezé", activity_share=Decimal("20"))
    write(clinic, tmp_path / "clinic.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "clinic.xlsx")["Entités"].iter_rows(min_row=2, values_only=True))
    # Weighted by site: the EJ's share is not what the rule uses, the sites' are; 72 + 20 = 92 ≠ 100.
    assert [(r[3], r[4], r[9], r[10], r[11]) for r in rows[:2]] == [
        (None, "Site de Nantes", 72, "Séjours 2025 (PMSI)", dt.datetime(2026, 1, 31)),
        (None, "Site de Rezé", 20, None, None)]
    total = rows[2]
    assert (total[0], total[9]) == ("Total des parts (sites, FINESS EG)", 92)
    assert total[7].startswith("Pondérations à compléter : Les parts d'activité totalisent 92 %")
    assert "Site de Rezé" in total[7]  # its basis and date are missing too
