"""Governance pages: guided steps saved on submit, reader cannot edit, the journey follows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.governance.models import CopilMeeting, CrisisAssignment, Decision, GovernanceProfile
from apps.tenants.roles import Role
from tests.governance.factories import CrisisRoleFactory, GovernanceMemberFactory

pytestmark = pytest.mark.django_db


def url(org, name: str, **kwargs) -> str:
    return reverse(f"governance:{name}", kwargs={"org_slug": org.slug, **kwargs})


def test_step_saves_and_goes_to_the_next_step(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.RPCRA))
    response = client.post(url(org, "step-logistics"), {
        "phone_24_7": "06 70 12 34 56", "phone_independent_of_it": "on", "crisis_room": "Salle du conseil",
        "fallback_room": "Salle de repli", "activation_criteria": "DPI indisponible", "activation_decider": "DG"})
    assert response.status_code == 302 and response["Location"] == url(org, "step-signalement")
    profile = GovernanceProfile.objects.get(organization=org)
    assert profile.phone_independent_of_it and profile.crisis_room == "Salle du conseil"


def test_invalid_step_keeps_what_was_typed(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.DIRECTION))
    response = client.post(url(org, "step-priorities"), {"return_to_nominal_days": "999",
                                                         "direction_priorities": "Urgences d'abord"})
    assert response.status_code == 400
    assert "Urgences d&#x27;abord" in response.content.decode()


def test_reader_reads_but_cannot_edit(org, reader_user, client_for) -> None:
    client = client_for(reader_user)
    assert client.get(url(org, "crisis-cell")).status_code == 200
    assert client.get(url(org, "step-organisation")).status_code == 403
    assert client.post(url(org, "role-create"), {"kind": "director"}).status_code == 403
    body = client.get(url(org, "crisis-cell")).content.decode()
    assert url(org, "role-create") not in body


def test_crisis_cell_flow(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.RPCRA))
    assert client.post(url(org, "crisis-roles-standard")).status_code == 302
    role = CrisisRoleFactory._meta.model.objects.get(organization=org, kind="director")
    response = client.post(url(org, "assignment-create", pk=role.pk),
                           {"position": "holder", "external_name": "Mme Lefèvre", "phone": "0600000001"})
    assert response.status_code == 302
    response = client.post(url(org, "assignment-create", pk=role.pk),
                           {"position": "holder", "external_name": "Second titulaire"})
    assert response.status_code == 400
    assert "déjà un titulaire" in response.content.decode()
    client.post(url(org, "assignment-create", pk=role.pk), {"position": "deputy", "external_name": "M. Vasseur"})
    assert CrisisAssignment.objects.filter(role=role).count() == 2
    body = client.get(url(org, "crisis-cell")).content.decode()
    assert "Mme Lefèvre" in body and "M. Vasseur" in body


def test_meeting_with_attendees_and_decision(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.RPCRA))
    attendee = GovernanceMemberFactory(organization=org, external_name="Michel Aubert")
    response = client.post(url(org, "meeting-create"), {"held_on": "2026-03-12", "title": "COPIL n°1",
                                                        "attendees": [attendee.pk], "minutes": "Lancement"})
    meeting = CopilMeeting.objects.get(organization=org)
    assert response["Location"] == url(org, "meeting-detail", pk=meeting.pk)
    client.post(url(org, "decision-create", pk=meeting.pk),
                {"text": "Lancer le BIA", "owner": "RPCRA", "due_date": "2026-06-30", "status": "open"})
    assert Decision.objects.get(meeting=meeting).owner == "RPCRA"
    body = client.get(url(org, "meeting-detail", pk=meeting.pk)).content.decode()
    assert "Michel Aubert" in body and "Lancer le BIA" in body


def test_direction_approves(org, member_factory, client_for) -> None:
    director = member_factory(org, Role.DIRECTION)
    assert client_for(director).post(url(org, "approve")).status_code == 302
    assert GovernanceProfile.objects.get(organization=org).approved_by == director
    rpcra = member_factory(org, Role.RPCRA)
    assert client_for(rpcra).post(url(org, "approve")).status_code == 403
