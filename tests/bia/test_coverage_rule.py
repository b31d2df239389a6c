"""D2.O1.C, the 66 % rule at its boundary: the threshold and the perimeters come from the catalogue data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.bia import checks
from apps.bia.models import Activity
from apps.compliance.catalogue import coverage_threshold, current_catalogue, minimum_perimeters
from apps.tenants.models import Establishment
from tests.bia.factories import ActivityFactory
from tests.factories import EstablishmentFactory


def test_the_rule_is_catalogue_data() -> None:
    catalogue = current_catalogue()
    assert minimum_perimeters() == ("care_service", "admin_process", "technical_platform")
    assert coverage_threshold() == Decimal("66") == catalogue.coverage_threshold


@pytest.mark.django_db
@pytest.mark.parametrize(("share", "expected"), [("66.00", "met"), ("65.99", "partial"), ("100.00", "met")])
def test_covered_establishments_must_weigh_the_threshold(share, expected, org) -> None:
    Establishment.objects.filter(organization=org).delete()
    covered = EstablishmentFactory(organization=org, name="CHU", activity_share=Decimal(share))
    EstablishmentFactory(organization=org, name="Hôpital local", activity_share=Decimal("100") - Decimal(share))
    for perimeter in minimum_perimeters():
        ActivityFactory(organization=org, establishment=covered, care_perimeter=perimeter,
                        status=Activity.Status.VALIDATED, name=f"Activité {perimeter}")
    result = checks.bia_activity_coverage(org)
    assert result.status == expected, result.summary
    assert f"({coverage_threshold()} %" in str(result.summary)  # the message names the rule it applied
