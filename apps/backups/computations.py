"""Pure rules on a backup set-up: 3-2-1, 3-2-1-1-0, frequency against the PDMA, missing controls.

They take plain values (a ``BackupControl`` or anything with the same attributes) and touch no database,
so the overview, the checks and the exports share them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

OK = "ok"
PARTIAL = "partial"
MISSING = "missing"


def is_321(control: Any) -> bool:
    """Three copies, on two different media, one of them off-site."""
    return control is not None and control.copies >= 3 and control.media_count >= 2 and control.offsite_copy


def is_32110(control: Any) -> bool:
    """3-2-1 plus one offline or immutable copy and zero error at the restore checks."""
    return is_321(control) and control.offline_copy and control.restore_errors_checked


def rule_status(control: Any) -> str:
    """« 3-2-1-1-0 », « 3-2-1 », « partial » (some of it) or « missing » (no control recorded)."""
    if control is None:
        return MISSING
    if is_32110(control):
        return "32110"
    if is_321(control):
        return "321"
    return PARTIAL


def frequency_too_loose(frequency_hours: int | None, pdma_hours: float | None) -> bool:
    """A backup taken every N hours can lose up to N hours of data: looser than the PDMA is a gap."""
    return frequency_hours is not None and pdma_hours is not None and frequency_hours > pdma_hours


def mfa_satisfied(control: Any) -> bool:
    """D2.O3.A asks for MFA « si la solution de sauvegarde le permet »: MFA on the consoles, or recorded as not
    supported by the solution (a third state, not a failure)."""
    return bool(control.mfa_on_consoles or control.mfa_unsupported)


@dataclass(frozen=True)
class MissingControl:
    key: str
    label: str | Promise
    requirement: str


def missing_controls(control: Any, *, is_saas: bool = False) -> list[MissingControl]:
    """Controls the annex expects that this set-up lacks, with the CaRE requirement they serve."""
    if control is None:
        return [MissingControl("control", _("No backup control recorded"), "D2.O3.A")]
    missing = []

    def add(key: str, label: Promise, requirement: str) -> None:
        missing.append(MissingControl(key, label, requirement))

    if control.frequency_hours is None:
        add("frequency", _("Backup frequency"), "D2.O2.B")
    if control.copies < 3:
        add("copies", _("Three copies"), "D2.O3.C")
    if control.media_count < 2:
        add("media", _("Two different media"), "D2.O3.C")
    if not control.offsite_copy:
        add("offsite", _("Off-site copy"), "D2.O3.C")
    if not control.offline_copy:
        add("offline", _("Offline or immutable copy"), "D2.O3.C")
    if control.authentication in ("shared_ad", "unknown"):
        add("authentication", _("Independent authentication"), "D2.O3.A")
    if not control.least_privilege_role:
        add("least_privilege", _("Least-privilege operator role"), "D2.O3.A")
    if not mfa_satisfied(control):
        add("mfa", _("MFA on the backup consoles"), "D2.O3.A")
    if control.authentication == "dedicated_directory" and (control.ads_score is None or control.ads_score < 3):
        add("ads", _("ADS audit score of at least 3"), "D2.O3.A")
    if not control.network_isolated:
        add("isolation", _("Network isolation"), "D2.O3.B")
    if control.red_button_tested_on is None:
        add("red_button", _("Tested « bouton rouge »"), "D2.O3.B")
    if not (control.supervision_who and control.supervision_frequency and control.supervision_on_failure):
        add("supervision", _("Supervision (who, how often, what on failure)"), "D2.O3.D")
    if not control.encrypted:
        add("encryption", _("Encryption"), "D2.O3.A")
    if is_saas and not control.contract_clauses:
        add("contract", _("Contract clauses on backup and restore"), "D2.O2.A")
    if not control.plan_evidence_id:
        add("plan", _("Backup plan document"), "D2.O2.B")
    if not (control.plan_update_procedure or "").strip():
        add("plan_update", _("How the backup plan is kept up to date"), "D2.O2.B")
    return missing


SUCCESS = "success"
SUCCESS_OFF_TARGET = "success_off_target"


def test_outcome(test: Any) -> str:
    """The one rule for a restoration test's result as shown everywhere (pages, dossier, XLSX, D2.O4 evidence).

    A test recorded « Réussi » whose measured duration exceeds the required RTO, or whose data loss exceeds the
    required PDMA, is « Réussi hors objectif » (``success_off_target``), never plain « Réussi ». The requirement
    is the one **stored on the test**: the BIA's required RTO and PDMA of the system at the time the test was
    recorded (or last edited), so a later change of the BIA does not rewrite a past result. A requirement the
    BIA did not give then cannot be missed. « Partiel » and « Échec » are kept as recorded.
    """
    if test.result != SUCCESS:
        return str(test.result)
    over_rto = test.required_rto_hours is not None and test.measured_hours > test.required_rto_hours
    over_pdma = (test.required_pdma_hours is not None and test.data_loss_hours is not None
                 and test.data_loss_hours > test.required_pdma_hours)
    return SUCCESS_OFF_TARGET if over_rto or over_pdma else SUCCESS


OUTCOME_LABELS: dict[str, Promise] = {
    SUCCESS: _("Success"),
    SUCCESS_OFF_TARGET: _("Success, off target"),
    PARTIAL: _("Partial"),
    "failure": _("Failure"),
}
OUTCOME_BADGES = {SUCCESS: "ok", SUCCESS_OFF_TARGET: "warn", PARTIAL: "warn", "failure": "bad"}


def outcome_label(outcome: str) -> str:
    return str(OUTCOME_LABELS.get(outcome, outcome))


def trajectory_progress(milestones: list[Any]) -> int:
    """Percent of milestones done."""
    if not milestones:
        return 0
    return round(100 * sum(1 for m in milestones if m.done_on) / len(milestones))
