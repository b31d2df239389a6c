"""The 66 % rule written once (apps.compliance.coverage) at its boundaries: which level is weighted, weights that
total 100 % with their basis and date, an entity counted only when all the minimum perimeters it has are covered."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from apps.bia import checks as bia_checks
from apps.bia.models import Activity
from apps.compliance.catalogue import minimum_perimeters
from apps.compliance.coverage import ESTABLISHMENT, SINGLE, SITE, coverage_share, weighting_level
from apps.compliance.registry import CheckResult
from apps.tenants.models import Establishment, Organization, Site
from tests.bia.factories import ActivityFactory
from tests.factories import EstablishmentFactory, OrganizationFactory, SiteFactory

pytestmark = pytest.mark.django_db

ALL = minimum_perimeters()


def _rows(entity: Establishment, perimeters=ALL, site: Site | None = None):
    return [(entity.pk, site.pk if site else None, p) for p in perimeters]


@pytest.fixture
def ght():
    return OrganizationFactory(name="GHT Test", slug="ght-test", kind=Organization.Kind.GHT)


def _two_ej(org, covered_share: str, other_share: str):
    covered = EstablishmentFactory(organization=org, name="CHU", activity_share=Decimal(covered_share))
    other = EstablishmentFactory(organization=org, name="HL", activity_share=Decimal(other_share))
    return covered, other


@pytest.mark.parametrize(("covered_share", "other_share", "status", "weights_ok"), [
    ("65.90", "34.10", CheckResult.PARTIAL, True),
    ("66.00", "34.00", CheckResult.MET, True),
    ("100.00", "0.00", CheckResult.MET, True),
    ("70.00", "70.00", CheckResult.PARTIAL, False),  # 140 %: the weights are invalid, the rule cannot be met
])
def test_shares_at_the_boundaries(ght, covered_share, other_share, status, weights_ok) -> None:
    covered, _other = _two_ej(ght, covered_share, other_share)
    result = coverage_share(ght, _rows(covered))
    assert result.level == ESTABLISHMENT
    assert result.share == Decimal(covered_share)
    assert result.weights_complete is weights_ok
    assert result.status == status
    if not weights_ok:
        assert result.total_weight == Decimal("140")
        assert any("140" in p and "100" in p for p in result.weight_problems)


def test_weights_incomplete_read_weights_to_complete_and_are_not_met(ght) -> None:
    covered, other = _two_ej(ght, "80", "20")
    Establishment.objects.filter(pk=other.pk).update(activity_share_basis="", activity_share_date=None)
    result = coverage_share(ght, _rows(covered))
    assert result.share == Decimal("80") and not result.met
    assert any("HL" in p for p in result.weight_problems)
    check = bia_checks.bia_activity_coverage(ght)  # the BIA check reads the same result
    assert check.status == CheckResult.NOT_MET  # nothing validated in the BIA yet
    ActivityFactory(organization=ght, establishment=covered, care_perimeter=ALL[0], status=Activity.Status.VALIDATED)
    with translation.override("fr"):
        check = bia_checks.bia_activity_coverage(ght)
        assert str(check.summary).startswith("Pondérations à compléter")  # the words
    assert check.status == CheckResult.PARTIAL
    assert check.action is not None and check.action[1] == "tenants:establishments"


def test_an_entity_tagging_one_perimeter_does_not_count_for_the_others(ght) -> None:
    covered, _other = _two_ej(ght, "90", "10")
    result = coverage_share(ght, _rows(covered, perimeters=ALL[:1]))
    assert result.share == 0 and result.status == CheckResult.PARTIAL
    assert result.missing_entities[0].lacking == list(ALL[1:])


def test_a_perimeter_recorded_absent_with_its_reason_is_not_needed(ght) -> None:
    covered, _other = _two_ej(ght, "90", "10")
    covered.absent_perimeters = [ALL[2]]
    covered.absent_perimeters_reason = ""
    with pytest.raises(ValidationError):
        covered.full_clean()  # « s'ils existent » needs the reason
    covered.absent_perimeters_reason = "Pas de plateau technique : PUI et imagerie au CHU voisin"
    covered.full_clean()
    covered.save()
    assert coverage_share(ght, _rows(covered, perimeters=ALL[:2])).met


def test_which_level_carries_the_weights() -> None:
    ght = Organization(kind=Organization.Kind.GHT)
    entity = Organization(kind=Organization.Kind.LEGAL_ENTITY)
    assert weighting_level(organization=ght, establishment_count=3, site_count=5) == ESTABLISHMENT
    assert weighting_level(organization=ght, establishment_count=1, site_count=5) == SINGLE
    assert weighting_level(organization=entity, establishment_count=1, site_count=3) == SITE
    assert weighting_level(organization=entity, establishment_count=2, site_count=1) == ESTABLISHMENT
    assert weighting_level(organization=entity, establishment_count=1, site_count=1) == SINGLE


def test_ght_is_weighted_by_ej_even_with_sites(ght) -> None:
    covered, other = _two_ej(ght, "70", "30")
    SiteFactory(establishment=covered, activity_share=Decimal("0"))
    SiteFactory(establishment=other, activity_share=Decimal("0"))
    assert coverage_share(ght, _rows(covered)).level == ESTABLISHMENT
    assert coverage_share(ght, _rows(covered)).met


def _three_sites(org):
    ej = Establishment.objects.get(organization=org)
    basis = {"activity_share_basis": "ETP SAE 2024", "activity_share_date": datetime.date(2025, 6, 30)}
    sites = [SiteFactory(establishment=ej, name=name, activity_share=Decimal(share), **basis)
             for name, share in (("Site Nord", "50"), ("Site Sud", "30"), ("Site Est", "20"))]
    return ej, sites


def test_legal_entity_with_three_sites_that_did_everything_on_one_site_is_not_met(org) -> None:
    ej, (north, south, east) = _three_sites(org)
    result = coverage_share(org, _rows(ej, site=north))
    assert result.level == SITE
    assert result.weights_complete and result.share == Decimal("50")
    assert result.status == CheckResult.PARTIAL
    assert {e.name for e in result.missing_entities} == {f"Site Sud ({ej})", f"Site Est ({ej})"}
    assert coverage_share(org, _rows(ej, site=north) + _rows(ej, site=east)).share == Decimal("70")
    assert coverage_share(org, _rows(ej, site=north) + _rows(ej, site=east)).met


def test_at_eg_level_an_activity_without_a_site_counts_for_no_site(org) -> None:
    ej, _sites = _three_sites(org)
    result = coverage_share(org, _rows(ej))
    assert result.share == 0 and result.unplaced == len(ALL) and not result.met


def test_eg_weights_must_total_100(org) -> None:
    ej, (north, _south, _east) = _three_sites(org)
    Site.objects.filter(pk=north.pk).update(activity_share=Decimal("90"))
    result = coverage_share(org, _rows(ej, site=north))
    assert result.total_weight == Decimal("140") and not result.weights_complete and not result.met


def test_a_single_entity_is_trivial_and_needs_all_its_perimeters(org) -> None:
    ej = Establishment.objects.get(organization=org)
    Establishment.objects.filter(pk=ej.pk).update(activity_share=Decimal("0"), activity_share_basis="")
    SiteFactory(establishment=ej)  # one site: still a single entity
    assert coverage_share(org, []).status == CheckResult.NOT_MET
    partial = coverage_share(org, _rows(ej, perimeters=ALL[:2]))
    assert partial.level == SINGLE and partial.weights_complete and partial.status == CheckResult.PARTIAL
    assert coverage_share(org, _rows(ej)).met and coverage_share(org, _rows(ej)).share == Decimal("100")


def test_the_establishments_page_says_the_weights_do_not_total_100(ght, member_factory, client_for) -> None:
    from apps.tenants.roles import Role

    _two_ej(ght, "70", "70")
    client = client_for(member_factory(ght, Role.ADMINISTRATOR))
    page = client.get(reverse("tenants:establishments", kwargs={"org_slug": ght.slug})).content.decode()
    assert "Pondérations à compléter" in page  # the organization's language is French
    assert "140" in page
    Establishment.objects.filter(organization=ght, name="HL").update(activity_share=Decimal("30"))
    page = client.get(reverse("tenants:establishments", kwargs={"org_slug": ght.slug})).content.decode()
    assert "Pondérations à compléter" not in page and "Weights to complete" not in page
    assert "Séjours 2025" in page  # the basis is shown next to the share
