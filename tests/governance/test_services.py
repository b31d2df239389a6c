"""Governance services: guided steps saved, tenant checks, one holder per role, approval."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from apps.governance import services
from apps.governance.models import CrisisAssignment, CrisisRole, GovernanceProfile
from apps.tenants.models import Membership
from tests.compliance.factories import EvidenceFactory
from tests.governance.factories import CopilMeetingFactory, CrisisRoleFactory, GovernanceMemberFactory

pytestmark = pytest.mark.django_db


def test_each_step_saves_its_own_fields_without_losing_the_others(org, admin_user) -> None:
    services.governance_profile_update(organization=org, actor=admin_user, step="logistics",
                                       data={"crisis_room": "Salle du conseil", "fallback_room": "Salle B"})
    services.governance_profile_update(organization=org, actor=admin_user, step="documents",
                                       data={"pssi_validated_on": datetime.date(2024, 3, 12),
                                             "pssi_signatory": "La directrice"})
    profile = GovernanceProfile.objects.get(organization=org)
    assert profile.crisis_room == "Salle du conseil" and profile.pssi_signatory == "La directrice"


def test_a_step_refuses_a_file_of_another_organization(org, other_org, admin_user) -> None:
    foreign = EvidenceFactory(organization=other_org)
    with pytest.raises(ValidationError):
        services.governance_profile_update(organization=org, actor=admin_user, step="documents",
                                           data={"pssi_evidence": foreign})


def test_person_needs_a_member_or_a_name(org, admin_user) -> None:
    with pytest.raises(ValidationError):
        services.governance_member_create(organization=org, actor=admin_user, data={"body": "copil"})
    member = Membership.objects.get(organization=org, user=admin_user)
    created = services.governance_member_create(organization=org, actor=admin_user,
                                                data={"body": "copil", "member": member})
    assert created.person_name == admin_user.get_full_name()


def test_a_role_has_one_holder_and_any_number_of_deputies(org, admin_user) -> None:
    role = CrisisRoleFactory(organization=org)
    services.crisis_assignment_create(role=role, actor=admin_user, data={"position": "holder", "external_name": "A"})
    with pytest.raises(ValidationError):
        services.crisis_assignment_create(role=role, actor=admin_user,
                                          data={"position": "holder", "external_name": "B"})
    for name in ("C", "D"):
        services.crisis_assignment_create(role=role, actor=admin_user,
                                          data={"position": "deputy", "external_name": name, "phone": "0600000000"})
    assert CrisisAssignment.objects.filter(role=role, position="deputy").count() == 2


def test_standard_roles_are_added_once(org, admin_user) -> None:
    first = services.crisis_roles_create_standard(organization=org, actor=admin_user)
    again = services.crisis_roles_create_standard(organization=org, actor=admin_user)
    assert len(first) == 8 and again == []
    assert CrisisRole.objects.filter(organization=org, kind=CrisisRole.Kind.DIRECTOR).count() == 1


def test_meeting_attendees_must_belong_to_the_organization(org, other_org, admin_user) -> None:
    ours, theirs = GovernanceMemberFactory(organization=org), GovernanceMemberFactory(organization=other_org)
    with pytest.raises(ValidationError):
        services.copil_meeting_create(organization=org, actor=admin_user,
                                      data={"held_on": datetime.date(2026, 1, 5), "attendees": [ours, theirs]})
    meeting = services.copil_meeting_create(organization=org, actor=admin_user,
                                            data={"held_on": datetime.date(2026, 1, 5), "attendees": [ours]})
    assert list(meeting.attendees.all()) == [ours]


def test_decision_belongs_to_its_meeting_organization(org, admin_user) -> None:
    meeting = CopilMeetingFactory(organization=org)
    decision = services.decision_create(meeting=meeting, actor=admin_user, data={
        "text": "Financer une copie immuable", "owner": "RSSI", "due_date": datetime.date(2026, 6, 30),
        "status": "open"})
    assert decision.organization_id == org.pk and decision.meeting == meeting


def test_approval_records_who_and_when(org, admin_user) -> None:
    profile = services.governance_approve(organization=org, actor=admin_user)
    assert profile.approved_by == admin_user and profile.approved_at is not None
