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
            "encrypted": True, "contract_clauses": False, "plan_evidence_id": 1}
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
                supervision_on_failure="", plan_evidence_id=None), is_saas=True)
    assert {(m.key, m.requirement) for m in missing} == {
        ("offline", "D2.O3.C"), ("authentication", "D2.O3.A"), ("mfa", "D2.O3.A"), ("red_button", "D2.O3.B"),
        ("supervision", "D2.O3.D"), ("contract", "D2.O2.A"), ("plan", "D2.O2.B")}


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
