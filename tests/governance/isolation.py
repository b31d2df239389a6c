"""Kwargs factories for the governance app's URLs (see tests/isolation.py)."""

from tests.governance.factories import (
    CopilMeetingFactory,
    CrisisAssignmentFactory,
    CrisisRoleFactory,
    DecisionFactory,
    GovernanceMemberFactory,
    ReportingDutyFactory,
)


def _pk(factory):
    return lambda org: {"pk": factory(organization=org).pk}


def _assignment(org):
    return {"pk": CrisisAssignmentFactory(role=CrisisRoleFactory(organization=org)).pk}


def _decision(org):
    return {"pk": DecisionFactory(meeting=CopilMeetingFactory(organization=org)).pk}


URL_KWARGS = {
    "governance:member-update": _pk(GovernanceMemberFactory),
    "governance:member-delete": _pk(GovernanceMemberFactory),
    "governance:role-update": _pk(CrisisRoleFactory),
    "governance:role-delete": _pk(CrisisRoleFactory),
    "governance:assignment-create": _pk(CrisisRoleFactory),
    "governance:assignment-update": _assignment,
    "governance:assignment-delete": _assignment,
    "governance:duty-update": _pk(ReportingDutyFactory),
    "governance:duty-delete": _pk(ReportingDutyFactory),
    "governance:meeting-detail": _pk(CopilMeetingFactory),
    "governance:meeting-update": _pk(CopilMeetingFactory),
    "governance:meeting-delete": _pk(CopilMeetingFactory),
    "governance:decision-create": _pk(CopilMeetingFactory),
    "governance:decision-update": _decision,
    "governance:decision-delete": _decision,
}

# Governance is the organization's: no object of these URLs belongs to an establishment.
ORG_WIDE = set(URL_KWARGS)
