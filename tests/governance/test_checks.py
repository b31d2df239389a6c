"""Completeness checks: what the journey and the compliance registry say about the governance."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from apps.compliance.registry import CheckResult, checks_for
from apps.compliance.selectors import requirement_statuses
from apps.governance import services
from apps.governance.checks import governance_progress, snapshot_for
from apps.governance.models import CrisisRole
from tests.compliance.factories import EvidenceFactory
from tests.governance.factories import (
    CopilMeetingFactory,
    CrisisAssignmentFactory,
    CrisisRoleFactory,
    DecisionFactory,
    GovernanceMemberFactory,
    ReportingDutyFactory,
)

pytestmark = pytest.mark.django_db


def status(org, requirement_id: str) -> str:
    return next(s.status for s in requirement_statuses(organization=org) if s.requirement.id == requirement_id)


def test_checks_are_registered_for_the_governance_requirements() -> None:
    for requirement_id in ("D2.P1", "D2.P2", "D2.O1.A", "D2.O1.B"):
        assert checks_for(requirement_id), requirement_id


def test_nothing_recorded_means_not_met_and_zero_percent(org) -> None:
    assert governance_progress(org)["percent"] == 0
    assert status(org, "D2.O1.A") == CheckResult.NOT_MET


@pytest.mark.parametrize("validated_on,expected", [
    (datetime.date(2022, 7, 15), CheckResult.PARTIAL),  # one day before the CaRE window
    (datetime.date(2022, 7, 16), CheckResult.MET),
    (datetime.date(2024, 3, 12), CheckResult.MET),
])
def test_pssi_review_date_must_be_inside_the_window(org, admin_user, validated_on, expected) -> None:
    EvidenceFactory(organization=org, requirement_ids=["D2.P1"], kind="pssi")
    org.candidacy_submitted_on = datetime.date(2025, 10, 31)
    org.save(update_fields=["candidacy_submitted_on"])
    services.governance_profile_update(organization=org, actor=admin_user, step="documents",
                                       data={"pssi_validated_on": validated_on, "pssi_signatory": "DG",
                                             "pssi_signatory_function": "Directeur général",
                                             "pssi_signatory_is_legal_representative": True})
    assert status(org, "D2.P1") == expected


def test_every_crisis_role_needs_a_holder_and_a_deputy(org, admin_user) -> None:
    director = CrisisRoleFactory(organization=org, kind=CrisisRole.Kind.DIRECTOR)
    CrisisAssignmentFactory(role=director, position="holder")
    criteria = {c.key: c for c in snapshot_for(org).criteria}
    assert not criteria["crisis_deputies"].ok
    org.__dict__.pop("_governance_snapshot", None)
    services.crisis_assignment_create(role=director, actor=admin_user,
                                      data={"position": "deputy", "external_name": "Adjoint", "phone": "06 12 34 56 79"})
    criteria = {c.key: c for c in snapshot_for(org).criteria}
    assert criteria["crisis_deputies"].ok and criteria["crisis_director"].ok


def test_recording_a_meeting_and_a_decision_raises_the_progress(org, admin_user) -> None:
    before = governance_progress(org)["percent"]
    meeting = services.copil_meeting_create(organization=org, actor=admin_user,
                                            data={"held_on": datetime.date(2026, 2, 1)})
    services.decision_create(meeting=meeting, actor=admin_user, data={"text": "Lancer le BIA", "status": "open"})
    after = governance_progress(org)
    assert after["percent"] > before
    assert "Record at least one COPIL meeting." not in [str(m) for m in after["missing"]]


def test_complete_governance_meets_the_four_requirements(org, admin_user) -> None:
    from apps.tenants.models import Membership

    member = Membership.objects.get(organization=org, user=admin_user)
    letter = EvidenceFactory(organization=org, requirement_ids=["D2.P2"])
    pssi = EvidenceFactory(organization=org, requirement_ids=["D2.P1"], kind="pssi")
    org.candidacy_submitted_on = datetime.date(2025, 10, 31)
    org.save(update_fields=["candidacy_submitted_on"])
    step = services.governance_profile_update
    step(organization=org, actor=admin_user, step="organisation", data={"rpcra": member, "copil_cadence": "quarterly"})
    step(organization=org, actor=admin_user, step="logistics", data={
        "phone_24_7": "0600000000", "phone_independent_of_it": True, "crisis_room": "A", "fallback_room": "B",
        "activation_criteria": "DPI indisponible 2 h", "activation_decider": "DG"})
    step(organization=org, actor=admin_user, step="signalement", data={"signalement_procedure": "Portail CERT Santé"})
    step(organization=org, actor=admin_user, step="documents", data={
        "pssi_validated_on": datetime.date(2024, 1, 1), "pssi_signatory": "DG", "pssi_evidence": pssi,
        "pssi_signatory_function": "Directeur général", "pssi_signatory_is_legal_representative": True,
        "plan_blanc_reference": "Plan blanc 2025", "plan_blanc_digital_risks": "Fiche cyber",
        "crisis_procedures_summary": "Mode dégradé"})
    step(organization=org, actor=admin_user, step="priorities", data={"patient_safety_first": True,
                                                                      "return_to_nominal_days": 21})
    GovernanceMemberFactory(organization=org, body="team", mission_letter=letter)
    GovernanceMemberFactory(organization=org, body="copil")
    DecisionFactory(meeting=CopilMeetingFactory(organization=org))
    ReportingDutyFactory(organization=org)
    role = CrisisRoleFactory(organization=org, kind=CrisisRole.Kind.DIRECTOR)
    CrisisAssignmentFactory(role=role, position="holder")
    CrisisAssignmentFactory(role=role, position="deputy")
    services.governance_approve(organization=org, actor=admin_user)
    org.__dict__.pop("_governance_snapshot", None)
    for requirement_id in ("D2.P1", "D2.P2", "D2.O1.A", "D2.O1.B"):
        assert status(org, requirement_id) == CheckResult.MET, requirement_id
    assert governance_progress(org) == {"percent": 100, "missing": [], "next_action": None}


def test_journey_and_compliance_queries_do_not_grow(org, admin_user, client_for,
                                                    django_assert_max_num_queries) -> None:
    client = client_for(admin_user)
    urls = [reverse(name, kwargs={"org_slug": org.slug}) for name in
            ("tenants:home", "compliance:requirements", "governance:overview", "governance:crisis-cell",
             "governance:meetings", "governance:step-members")]

    def grow(n: int) -> None:
        for _ in range(n):
            role = CrisisRoleFactory(organization=org)
            CrisisAssignmentFactory(role=role, position="holder")
            CrisisAssignmentFactory(role=role)
            DecisionFactory(meeting=CopilMeetingFactory(organization=org))
            GovernanceMemberFactory(organization=org, mission_letter=EvidenceFactory(organization=org))
            ReportingDutyFactory(organization=org)

    # The bound is what each page needs at a small size: it must not grow with 15 times more rows. (A fixed
    # number would break each time another app registers a journey stage on the home page.)
    grow(1)
    small = {}
    for url in urls:
        with django_assert_max_num_queries(80) as captured:
            assert client.get(url).status_code == 200
        small[url] = len(captured.captured_queries)
    grow(15)
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            assert client.get(url).status_code == 200
