"""An organization starts with its defaults (BIA method, continuity scenarios); reading pages never write."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.bia import selectors as bia_selectors
from apps.bia.models import BiaSettings, ImpactCriterion, ImpactLevel, TimeHorizon
from apps.continuity import selectors as continuity_selectors
from apps.continuity.models import Scenario
from apps.tenants.models import Organization
from apps.tenants.services import organization_create

WRITES = ("INSERT", "UPDATE", "DELETE")


def _defaults(organization: Organization) -> dict[str, int]:
    return {
        "settings": BiaSettings.objects.filter(organization=organization).count(),
        "criteria": ImpactCriterion.objects.filter(organization=organization).count(),
        "levels": ImpactLevel.objects.filter(organization=organization).count(),
        "horizons": TimeHorizon.objects.filter(organization=organization).count(),
        "scenarios": Scenario.objects.filter(organization=organization).count(),
    }


FULL = {"settings": 1, "criteria": 6, "levels": 24, "horizons": 5, "scenarios": 4}
NONE = dict.fromkeys(FULL, 0)


def _remove_defaults(organization: Organization) -> None:
    """An organization as created before defaults came with the organization."""
    ImpactCriterion.objects.filter(organization=organization).delete()  # and their levels
    TimeHorizon.objects.filter(organization=organization).delete()
    BiaSettings.objects.filter(organization=organization).delete()
    Scenario.objects.filter(organization=organization).delete()


@pytest.mark.django_db
def test_a_new_organization_starts_with_its_bia_method_and_its_scenarios() -> None:
    organization = organization_create(actor=None, name="CH de Montargis", slug="ch-montargis",
                                       kind=Organization.Kind.LEGAL_ENTITY)
    assert _defaults(organization) == FULL
    assert [s.kind for s in continuity_selectors.scenario_list(organization=organization)] == list(Scenario.Kind.values)
    assert bia_selectors.scales(organization=organization)["settings"].pk is not None


@pytest.mark.django_db
def test_an_organization_created_in_the_platform_admin_has_its_defaults(client, user_factory) -> None:
    operator = user_factory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    response = client.post(reverse("admin:tenants_organization_add"), {
        "name": "GHT du Loiret", "slug": "ght-loiret", "kind": Organization.Kind.GHT, "region": "CVL",
        "ecare_number": "", "language": "fr"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _defaults(Organization.objects.get(slug="ght-loiret")) == FULL


@pytest.mark.django_db
def test_the_selectors_only_read(org) -> None:
    for organization, expected in ((org, FULL), (None, NONE)):
        if organization is None:  # an organization missing its defaults: still nothing written
            _remove_defaults(org)
            organization = org
        with CaptureQueriesContext(connection) as queries:
            scale = bia_selectors.scales(organization=organization)
            scenarios = continuity_selectors.scenario_list(organization=organization)
        assert not [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
        assert (len(scale["criteria"]), len(scale["horizons"]), len(scenarios)) == (
            expected["criteria"], expected["horizons"], expected["scenarios"])
        assert _defaults(org) == expected
    assert scale["settings"].pk is None and scale["settings"].intolerable_level  # the default method, unsaved


@pytest.mark.django_db
@pytest.mark.parametrize(("migration", "restored"), [
    ("apps.bia.migrations.0003_default_scales", {"settings", "criteria", "levels", "horizons"}),
    ("apps.continuity.migrations.0002_default_scenarios", {"scenarios"}),
])
def test_the_data_migrations_give_older_organizations_their_defaults(org, other_org, migration: str,
                                                                     restored: set[str]) -> None:
    _remove_defaults(org)
    create_missing_defaults = importlib.import_module(migration).create_missing_defaults
    create_missing_defaults(django_apps, None)
    create_missing_defaults(django_apps, None)  # running again changes nothing
    assert _defaults(org) == {key: count if key in restored else 0 for key, count in FULL.items()}
    assert _defaults(other_org) == FULL  # an organization that had them: no duplicates
