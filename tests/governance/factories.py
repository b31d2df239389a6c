"""Factories for the governance models."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from apps.governance.models import (
    CopilMeeting,
    CrisisAssignment,
    CrisisRole,
    Decision,
    GovernanceMember,
    GovernanceProfile,
    ReportingDuty,
)
from tests.factories import OrganizationFactory


class GovernanceProfileFactory(DjangoModelFactory):
    class Meta:
        model = GovernanceProfile

    organization = factory.SubFactory(OrganizationFactory)


class GovernanceMemberFactory(DjangoModelFactory):
    class Meta:
        model = GovernanceMember

    organization = factory.SubFactory(OrganizationFactory)
    body = GovernanceMember.Body.COPIL
    external_name = factory.Faker("name", locale="fr_FR")
    function = "Directeur des soins"


class CopilMeetingFactory(DjangoModelFactory):
    class Meta:
        model = CopilMeeting

    organization = factory.SubFactory(OrganizationFactory)
    held_on = datetime.date(2026, 3, 12)
    title = "COPIL PCRA"


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(CopilMeetingFactory)
    organization = factory.SelfAttribute("meeting.organization")
    text = "Lancer la campagne BIA"
    owner = "RPCRA"


class CrisisRoleFactory(DjangoModelFactory):
    class Meta:
        model = CrisisRole

    organization = factory.SubFactory(OrganizationFactory)
    kind = CrisisRole.Kind.DIRECTOR


class CrisisAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = CrisisAssignment

    role = factory.SubFactory(CrisisRoleFactory)
    organization = factory.SelfAttribute("role.organization")
    position = CrisisAssignment.Position.DEPUTY
    external_name = factory.Faker("name", locale="fr_FR")
    phone = "06 12 34 56 78"


class ReportingDutyFactory(DjangoModelFactory):
    class Meta:
        model = ReportingDuty

    organization = factory.SubFactory(OrganizationFactory)
    recipient = ReportingDuty.Recipient.CERT_SANTE
    delay_hours = 24
