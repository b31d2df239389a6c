"""The expense lines' pages: list with search and filters, the form (the refused date next to the field),
delete, totals beside the actions' estimates, the invoice download, the workbook request."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.compliance.pdf import minimal_pdf
from apps.core.models import AuditEvent
from apps.costs.models import Category, CostLine
from apps.exports.models import ExportJob
from apps.tenants.models import Establishment
from apps.tenants.roles import Role
from tests.actions.factories import ActionFactory
from tests.costs.factories import CostLineFactory

pytestmark = pytest.mark.django_db


def url(org, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def form_data(org, **overrides):
    establishment = Establishment.objects.filter(organization=org).first()
    base = {"engaged_on": "2025-07-15", "category": Category.EXTERNAL_SERVICE, "label": "Audit PCA",
            "supplier": "Cabinet", "invoice_reference": "F-9", "amount_ht": "1000,00", "amount_ttc": "1200,00",
            "requirement_ids": ["D2.O1.C"], "establishment": establishment.pk}
    return {**base, **overrides}


def test_a_cost_dated_15_07_2025_is_refused_next_to_the_field(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    response = client.post(url(org, "costs:create"), form_data(org))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "engaged_on" in errors and "16/07/2025" in errors["engaged_on"][0]
    assert not CostLine.objects.filter(organization=org).exists()
    response = client.post(url(org, "costs:create"), {
        **form_data(org, engaged_on="2025-07-16"),
        "proof_upload": SimpleUploadedFile("facture.pdf", minimal_pdf(), "application/pdf")})
    assert response.status_code == 302
    line = CostLine.objects.get(organization=org)
    assert line.amount_ht == Decimal("1000.00") and line.proof is not None


def test_list_searches_filters_and_totals(org, admin_user, client_for) -> None:
    CostLineFactory(organization=org, label="Logiciel SMCA", category=Category.SMCA_TOOL,
                    amount_ht=Decimal("5000"), amount_ttc=Decimal("6000"), requirement_ids=["D2.O1.C", "D2.O1.D"])
    CostLineFactory(organization=org, label="Baie de sauvegarde", category=Category.BACKUP_SYSTEM,
                    amount_ht=Decimal("20000"), amount_ttc=Decimal("24000"), requirement_ids=["D2.O3.C"])
    client = client_for(admin_user)
    page = client.get(url(org, "costs:list"), {"q": "smca"})
    assert [line.label for line in page.context["lines"]] == ["Logiciel SMCA"]
    page = client.get(url(org, "costs:list"), {"category": Category.BACKUP_SYSTEM})
    assert [line.label for line in page.context["lines"]] == ["Baie de sauvegarde"]
    page = client.get(url(org, "costs:list"), {"requirement": "D2.O1.D"})
    assert [line.label for line in page.context["lines"]] == ["Logiciel SMCA"]
    assert page.context["totals"].grand.ht == Decimal("25000")
    assert "25\u202f000,00" in page.content.decode() or "25\xa0000,00" in page.content.decode()


def test_totals_show_the_actions_estimates_beside_the_real_costs(org, admin_user, client_for) -> None:
    CostLineFactory(organization=org, amount_ht=Decimal("3000"), amount_ttc=Decimal("3600"),
                    requirement_ids=["D2.O1.C"])
    ActionFactory(organization=org, requirement_ids=["D2.O1.C"], cost_estimate=Decimal("2500"))
    ActionFactory(organization=org, requirement_ids=["D2.O1.C"], cost_estimate=Decimal("900"), status="abandoned",
                  abandon_reason="hors périmètre")
    page = client_for(admin_user).get(url(org, "costs:totals"))
    row = next(t for t in page.context["totals"].by_requirement if t.key == "D2.O1.C")
    assert (row.ht, row.estimate, row.difference) == (Decimal("3000"), Decimal("2500"), Decimal("500"))
    assert page.context["totals"].grand.ttc == Decimal("3600")


def test_delete_removes_the_line_and_keeps_its_history(org, admin_user, client_for) -> None:
    from pghistory.models import Events

    line = CostLineFactory(organization=org)
    response = client_for(admin_user).post(url(org, "costs:delete", pk=line.pk))
    assert response.status_code == 302
    assert not CostLine.objects.filter(pk=line.pk).exists()
    assert Events.objects.filter(pgh_obj_model="costs.CostLine", pgh_obj_id=str(line.pk)).count() >= 2


def test_a_reader_sees_the_list_but_cannot_add(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.READER))
    assert client.get(url(org, "costs:list")).status_code == 200
    assert client.get(url(org, "costs:create")).status_code == 403


def test_invoice_download_is_audited(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    client.post(url(org, "costs:create"), {
        **form_data(org, engaged_on="2025-08-01"),
        "proof_upload": SimpleUploadedFile("facture.pdf", minimal_pdf(), "application/pdf")})
    line = CostLine.objects.get(organization=org)
    response = client.get(url(org, "costs:proof", pk=line.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content) == minimal_pdf()
    assert AuditEvent.objects.filter(organization=org, action=AuditEvent.Action.DOWNLOAD).exists()


def test_the_workbook_is_requested_from_the_export_worker(org, admin_user, client_for) -> None:
    response = client_for(admin_user).post(url(org, "costs:workbook"))
    assert response.status_code == 302
    assert ExportJob.objects.filter(organization=org, kind=ExportJob.Kind.COST_WORKBOOK).count() == 1


def test_dates_outside_the_window_cannot_be_reached_by_editing(org, admin_user, client_for) -> None:
    line = CostLineFactory(organization=org, engaged_on=datetime.date(2025, 10, 1))
    response = client_for(admin_user).post(url(org, "costs:update", pk=line.pk),
                                           form_data(org, engaged_on="2024-12-31"))
    assert response.status_code == 400
    line.refresh_from_db()
    assert line.engaged_on == datetime.date(2025, 10, 1)
