"""The BIA's contribution to the dossier: PDF section and XLSX sheets, registered and filled."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from apps.bia import exports, services
from apps.bia.models import Activity, Resource
from apps.exports.registry import pdf_sections, xlsx_sheets
from tests.bia.factories import ResourceFactory, activity_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospital(org, scales):
    urgences = activity_in(org, name="Urgences", dmia_override_hours=4, dmia_override_justification="Vital",
                           pdma_hours=1, criticality="critical")
    bloc = activity_in(org, name="Bloc opératoire", dmia_override_hours=4, dmia_override_justification="Vital",
                       criticality="critical")
    dpi = ResourceFactory(organization=org, name="DPI", rto_capability_hours=4, rpo_capability_hours=1)
    ad = ResourceFactory(organization=org, name="Active Directory", kind="infrastructure", rto_capability_hours=24)
    for activity in (urgences, bloc):
        services.activity_dependency_set(activity=activity, actor=None, resource=dpi)
    services.resource_dependency_set(resource=dpi, actor=None, depends_on=ad)
    services.impacts_save(activity=urgences, actor=None, levels={(scales["criteria"][0].pk, scales["horizons"][0].pk): 4})
    return org


def test_parts_are_registered() -> None:
    assert "bia" in {s.key for s in pdf_sections()}
    assert {"bia", "bia_dependencies", "bia_needs_capabilities", "bia_spofs"} <= {s.key for s in xlsx_sheets()}
    with translation.override("fr"):
        titles = {str(s.title) for s in xlsx_sheets()}
        assert {"BIA", "Dépendances", "Besoins vs capacités", "Points uniques de défaillance"} <= titles
        assert str(next(s for s in pdf_sections() if s.key == "bia").title) == "Synthèse du BIA"


def test_pdf_section_ranks_activities_and_explains_gaps(hospital, django_assert_max_num_queries) -> None:
    with translation.override("fr"):
        with django_assert_max_num_queries(15):
            ctx = exports.bia_context(hospital)
        html = render_to_string("bia/exports/section.html", ctx)
    est = Activity.objects.get(organization=hospital, name="Urgences").establishment
    # The chain, the establishment next to the activity, and the gap's size.
    assert (f"Urgences ({est}) a besoin de 4 h → DPI a besoin de 4 h → Active Directory promet 24 h "
            "(24 h promis pour 4 h requis, ×6)") in html
    assert "Active Directory" in html and "Points uniques de défaillance" in html
    # Single points of failure: one row per resource, with the count, the establishments and the most critical
    # activity's chain; empty sections say « Aucun ».
    assert (f"<tr><td>Active Directory</td><td>2</td><td>{est}</td>"
            f"<td>Bloc opératoire ({est}) → DPI → Active Directory</td></tr>") in html
    assert f"Urgences ({est}) → DPI → Active Directory" not in html  # one chain per resource, not one per activity
    assert "Contournements sans durée</h3>\n<p>Aucun</p>" in html
    # The method section states the workaround rule.
    assert "reporte le besoin + W" in html and "ne reporte rien" in html


def test_xlsx_rows(hospital) -> None:
    with translation.override("fr"):
        rows = list(exports.bia_rows(hospital))
        deps = list(exports.dependency_rows(hospital))
        needs = {r[1]: r for r in exports.needs_vs_capabilities_rows(hospital)}
    sheet = next(s for s in xlsx_sheets() if s.key == "bia")
    assert all(len(r) == len(sheet.columns) for r in rows)
    assert rows[0][5] in ("Urgences", "Bloc opératoire") and rows[0][10] == 4
    assert "Sécurité des patients : 4" in next(r for r in rows if r[5] == "Urgences")[13]
    assert len(deps) == 3
    assert needs["Active Directory"][2] == 4 and needs["Active Directory"][8] == "oui"
    assert needs["Active Directory"][9] == 2


def test_needs_sheet_shows_promised_and_measured_rto_and_rpo_in_their_own_columns(hospital) -> None:
    """Measured RTO and RPO come from the latest successful restore back into production only; a file restore,
    however quick, measures nothing (issue 12)."""
    import datetime
    from decimal import Decimal

    from tests.backups.factories import RestoreTestFactory

    dpi = Resource.objects.get(organization=hospital, name="DPI")
    ad = Resource.objects.get(organization=hospital, name="Active Directory")
    RestoreTestFactory(resource=dpi, tested_on=datetime.date(2026, 3, 1), measured_hours=Decimal("9"),
                       data_loss_hours=Decimal("20"))
    RestoreTestFactory(resource=dpi, tested_on=datetime.date(2026, 3, 2), measured_hours=Decimal("3.5"),
                       data_loss_hours=Decimal("0.5"))
    RestoreTestFactory(resource=ad, tested_on=datetime.date(2026, 3, 3), scope="file", measured_hours=Decimal("1"),
                       data_loss_hours=Decimal("1"))
    sheet = next(s for s in xlsx_sheets() if s.key == "bia_needs_capabilities")
    with translation.override("fr"):
        headers = [str(c.header) for c in sheet.columns]
        needs = {r[1]: r for r in exports.needs_vs_capabilities_rows(hospital)}
    assert headers[2:8] == ["RTO requis (heures)", "RTO promis (heures)",
                            "RTO mesuré (heures, dernière remise en production réussie)", "RPO requis (heures)",
                            "RPO promis (heures)",
                            "RPO mesuré (heures de données perdues, dernière remise en production réussie)"]
    assert all(len(r) == len(sheet.columns) for r in needs.values())
    assert needs["DPI"][2:8] == [4, 4, 3.5, 1, 1, 0.5]  # the latest production restore, not the 9 h one
    assert needs["Active Directory"][4] is None and needs["Active Directory"][7] is None  # a file restore


def test_the_spof_sheet_lists_every_resource_activity_pair(hospital) -> None:
    sheet = next(s for s in xlsx_sheets() if s.key == "bia_spofs")
    with translation.override("fr"):
        rows = list(exports.spof_pair_rows(hospital))
    est = str(Activity.objects.get(organization=hospital, name="Urgences").establishment)
    assert all(len(r) == len(sheet.columns) for r in rows)
    assert sorted((r[1], r[2], r[3], r[4], r[5]) for r in rows) == [
        ("Active Directory", 2, "Bloc opératoire", est, "Critique"), ("Active Directory", 2, "Urgences", est, "Critique"),
        ("DPI", 2, "Bloc opératoire", est, "Critique"), ("DPI", 2, "Urgences", est, "Critique")]
