"""The pure backup rules: 3-2-1, 3-2-1-1-0, frequency against the PDMA, missing controls, progress."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from apps.backups import computations


def control(**kwargs):
    base = {"copies": 3, "media_count": 2, "offsite_copy": True, "offline_copy": True, "restore_errors_checked": True,
            "frequency_hours": 4, "authentication": "local_accounts", "least_privilege_role": True,
            "mfa_on_consoles": True, "ads_score": None, "network_isolated": True, "red_button_tested_on": "2026-01-01",
            "supervision_who": "DSI", "supervision_frequency": "daily", "supervision_on_failure": "ticket",
            "encrypted": True, "contract_clauses": False, "plan_evidence_id": 1, "mfa_unsupported": False,
            "plan_update_procedure": "Revu chaque année"}
    return SimpleNamespace(**{**base, **kwargs})


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, "32110"),
    ({"restore_errors_checked": False}, "321"),
    ({"offline_copy": False}, "321"),
    ({"copies": 2}, "partial"),
    ({"media_count": 1}, "partial"),
    ({"offsite_copy": False}, "partial"),
])
def test_rule_status(changes, expected) -> None:
    assert computations.rule_status(control(**changes)) == expected


def test_no_control_is_missing() -> None:
    assert computations.rule_status(None) == computations.MISSING
    assert [m.key for m in computations.missing_controls(None)] == ["control"]


@pytest.mark.parametrize(("frequency", "pdma", "loose"), [
    (24, 4, True), (4, 4, False), (1, 4, False), (None, 4, False), (24, None, False),
])
def test_frequency_against_pdma(frequency, pdma, loose) -> None:
    assert computations.frequency_too_loose(frequency, pdma) is loose


def test_a_complete_control_misses_nothing() -> None:
    assert computations.missing_controls(control()) == []


def test_missing_controls_name_each_gap_with_its_requirement() -> None:
    missing = computations.missing_controls(
        control(offline_copy=False, authentication="shared_ad", mfa_on_consoles=False, red_button_tested_on=None,
                supervision_on_failure="", plan_evidence_id=None, plan_update_procedure=" "), is_saas=True)
    assert {(m.key, m.requirement) for m in missing} == {
        ("offline", "D2.O3.C"), ("authentication", "D2.O3.A"), ("mfa", "D2.O3.A"), ("red_button", "D2.O3.B"),
        ("supervision", "D2.O3.D"), ("contract", "D2.O2.A"), ("plan", "D2.O2.B"), ("plan_update", "D2.O2.B")}


@pytest.mark.parametrize(("on_consoles", "unsupported", "missing"), [
    (True, False, False), (False, True, False), (False, False, True)])
def test_mfa_not_supported_by_the_solution_is_a_third_state_not_a_failure(on_consoles, unsupported, missing) -> None:
    c = control(mfa_on_consoles=on_consoles, mfa_unsupported=unsupported)
    assert computations.mfa_satisfied(c) is not missing
    assert ("mfa" in [m.key for m in computations.missing_controls(c)]) is missing


def restore(result="success", measured="4", rto="4", lost="1", pdma="1"):
    from decimal import Decimal

    dec = lambda v: Decimal(v) if v is not None else None  # noqa: E731
    return SimpleNamespace(result=result, measured_hours=dec(measured), required_rto_hours=dec(rto),
                           data_loss_hours=dec(lost), required_pdma_hours=dec(pdma))


@pytest.mark.parametrize(("test", "outcome"), [
    (restore(), "success"),  # exactly on target
    (restore(measured="4.01"), "success_off_target"),
    (restore(measured="30"), "success_off_target"),  # 30 h against a 4 h RTO
    (restore(lost="1.01"), "success_off_target"),
    (restore(lost="20"), "success_off_target"),  # 20 h lost against a 1 h PDMA
    (restore(rto=None, pdma=None, measured="300", lost="300"), "success"),  # no requirement then
    (restore(lost=None), "success"),
    (restore(result="partial", measured="30"), "partial"),
    (restore(result="failure"), "failure"),
])
def test_a_success_over_the_rto_or_the_pdma_is_off_target(test, outcome) -> None:
    assert computations.test_outcome(test) == outcome


def test_off_target_reads_reussi_hors_objectif() -> None:
    from django.utils import translation

    with translation.override("fr"):
        assert computations.outcome_label("success_off_target") == "Réussi hors objectif"
        assert computations.outcome_label("success") == "Réussi"


def test_dedicated_directory_needs_an_ads_score_of_three() -> None:
    keys = lambda c: [m.key for m in computations.missing_controls(c)]  # noqa: E731
    assert "ads" in keys(control(authentication="dedicated_directory", ads_score=2))
    assert "ads" in keys(control(authentication="dedicated_directory", ads_score=None))
    assert "ads" not in keys(control(authentication="dedicated_directory", ads_score=3))


def test_trajectory_progress() -> None:
    done, todo = SimpleNamespace(done_on="2026-01-01"), SimpleNamespace(done_on=None)
    assert computations.trajectory_progress([]) == 0
    assert computations.trajectory_progress([done, todo, todo, todo]) == 25
    assert computations.trajectory_progress([done]) == 100
