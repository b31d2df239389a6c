"""The requirement list and the journey home page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.compliance.journey import UPCOMING_STAGES, journey_stages
from apps.core.navigation import _STAGES, Stage
from apps.tenants.models import Membership
from apps.tenants.roles import Role
from tests.compliance.factories import EvidenceFactory

pytestmark = pytest.mark.django_db


def test_requirement_list_shows_status_evidence_and_what_is_missing(org, admin_user, client_for) -> None:
    EvidenceFactory(organization=org, title="PSSI signée 2024", requirement_ids=["D2.P1"])
    body = client_for(admin_user).get(reverse("compliance:requirements", kwargs={"org_slug": org.slug})).content.decode()
    assert "D2.O1.B" in body and "D2.O4" in body
    assert "PSSI signée 2024" in body
    assert "Désigner la salle de crise et une salle de repli." in body  # what is missing, in French
    # Every requirement is checked now (D2.O1.D by the exercises), none reads « Pas encore évaluée ».
    assert "Pas encore évaluée" not in body and "Planifier un exercice terrain" in body


def test_home_shows_the_journey_with_upcoming_stages(org, reader_user, client_for) -> None:
    body = client_for(reader_user).get(reverse("tenants:home", kwargs={"org_slug": org.slug})).content.decode()
    assert "Votre parcours CaRE Domaine 2" in body
    assert "Organisation et gouvernance" in body and "0 %" in body
    # Every stage of the CaRE work has its app now (« Tests et exercices » was the last « à venir »).
    assert "Tests et exercices" in body and "à venir" not in body
    assert "Calendrier CaRE" in body and "guichet de déclaration" in body


def test_a_registered_stage_replaces_its_upcoming_entry(org, admin_user) -> None:
    membership = Membership.objects.get(organization=org, user=admin_user)
    # Every stage has its app now: take one out to see it « à venir », then plug another in its place.
    upcoming_key = UPCOMING_STAGES[-2][0]
    registered = _STAGES.pop(upcoming_key)
    try:
        keys = [s.key for s in journey_stages(organization=org, membership=membership) if s.state == "upcoming"]
        assert upcoming_key in keys
        _STAGES[upcoming_key] = Stage(key=upcoming_key, order=999, label="Étape branchée", capability="org.view",
                                      progress=lambda organization: {"percent": 40, "missing": ["x"],
                                                                     "next_action": ("Faire", "tenants:home")})
        stages = {s.key: s for s in journey_stages(organization=org, membership=membership)}
        assert stages[upcoming_key].state == "started" and stages[upcoming_key].percent == 40
        assert stages[upcoming_key].next_url == reverse("tenants:home", kwargs={"org_slug": org.slug})
    finally:
        _STAGES[upcoming_key] = registered


def test_business_owner_sees_the_home_page(org, member_factory, client_for) -> None:
    user = member_factory(org, Role.BUSINESS_OWNER)
    response = client_for(user).get(reverse("tenants:home", kwargs={"org_slug": org.slug}))
    assert response.status_code == 200
