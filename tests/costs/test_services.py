"""Expense lines: the eligibility date, the amounts, the lettre de mission, the invoice as evidence."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django_scopes import scope

from apps.compliance.models import Evidence
from apps.compliance.pdf import minimal_pdf
from apps.costs import services
from apps.costs.models import Category, CostLine
from tests.compliance.factories import EvidenceFactory

pytestmark = pytest.mark.django_db


def data(org, **overrides):
    base = {"engaged_on": datetime.date(2025, 7, 16), "category": Category.EXTERNAL_SERVICE,
            "label": "Accompagnement BIA", "supplier": "Cabinet Continuité", "invoice_reference": "F-001",
            "amount_ht": Decimal("10000.00"), "amount_ttc": Decimal("12000.00"), "requirement_ids": ["D2.O1.C"],
            "establishment": org.establishments.first() if hasattr(org, "establishments") else None}
    from apps.tenants.models import Establishment

    base["establishment"] = Establishment.objects.filter(organization=org).first()
    return {**base, **overrides}


def create(org, user=None, **kwargs):
    with scope(organization=org), translation.override("fr"):
        return services.cost_line_create(organization=org, actor=user, **kwargs)


def test_the_first_day_of_the_operational_phase_is_accepted(org, admin_user) -> None:
    line = create(org, admin_user, data=data(org))
    assert line.engaged_on == datetime.date(2025, 7, 16)
    assert CostLine.objects.filter(organization=org).count() == 1


def test_a_cost_engaged_the_day_before_is_refused_with_the_reason(org, admin_user) -> None:
    with pytest.raises(ValidationError) as error:
        create(org, admin_user, data=data(org, engaged_on=datetime.date(2025, 7, 15)))
    message = " ".join(error.value.message_dict["engaged_on"])
    assert "16/07/2025" in message and "phase opérationnelle" in message
    assert not CostLine.objects.filter(organization=org).exists()


def test_amounts_ttc_not_below_ht_and_not_negative(org) -> None:
    with pytest.raises(ValidationError) as error:
        create(org, data=data(org, amount_ttc=Decimal("9999.99")))
    assert "amount_ttc" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        create(org, data=data(org, amount_ht=Decimal("-1"), amount_ttc=Decimal("0")))
    assert "amount_ht" in error.value.message_dict


def test_objectives_are_required_and_known(org) -> None:
    with pytest.raises(ValidationError) as error:
        create(org, data=data(org, requirement_ids=[]))
    assert "requirement_ids" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        create(org, data=data(org, requirement_ids=["D9.X"]))
    assert "requirement_ids" in error.value.message_dict


def test_internal_staff_time_needs_its_lettre_de_mission(org) -> None:
    with pytest.raises(ValidationError) as error:
        create(org, data=data(org, category=Category.INTERNAL_STAFF))
    assert "lettre de mission" in " ".join(error.value.message_dict["mission_letter"])
    letter = EvidenceFactory(organization=org, kind=Evidence.Kind.MISSION_LETTER, requirement_ids=[])
    line = create(org, data=data(org, category=Category.INTERNAL_STAFF, mission_letter=letter))
    assert line.mission_letter == letter
    uploaded = create(org, data=data(org, category=Category.INTERNAL_STAFF),
                      mission_letter_upload=SimpleUploadedFile("lettre.pdf", minimal_pdf(), "application/pdf"))
    assert uploaded.mission_letter.kind == Evidence.Kind.MISSION_LETTER


def test_the_invoice_is_stored_as_evidence_linked_to_the_line(org, admin_user) -> None:
    line = create(org, admin_user, data=data(org),
                  proof_upload=SimpleUploadedFile("facture.pdf", minimal_pdf(), "application/pdf"))
    proof = Evidence.objects.get(pk=line.proof_id)
    assert proof.original_name == "facture.pdf" and len(proof.sha256) == 64
    assert proof.linked_object == line
    assert proof.file.read() == minimal_pdf()


def test_a_fake_invoice_file_is_refused_next_to_the_field(org) -> None:
    with pytest.raises(ValidationError) as error:
        create(org, data=data(org), proof_upload=SimpleUploadedFile("facture.pdf", b"MZ\x90 not a pdf",
                                                                    "application/pdf"))
    assert "proof_upload" in error.value.message_dict
    assert not CostLine.objects.filter(organization=org).exists()
