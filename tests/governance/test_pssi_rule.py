"""D2.P1 at its boundaries: reviewed between 16/07/2022 and the candidacy deposit date, validated by the named legal
representative with a function, the file of kind PSSI (« Menu de la cantine » tagged D2.P1 is not a PSSI)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from apps.compliance.catalogue import current_catalogue
from apps.compliance.registry import CheckResult
from apps.governance import services
from apps.governance.checks import forget_snapshot, pssi_check, snapshot_for
from apps.governance.forms import DocumentsStepForm
from tests.compliance.factories import EvidenceFactory

pytestmark = pytest.mark.django_db

CANDIDACY = datetime.date(2025, 10, 31)
LEGAL_REPRESENTATIVE = {"pssi_signatory": "Isabelle Lefèvre", "pssi_signatory_function": "Directrice générale",
                        "pssi_signatory_is_legal_representative": True}


def _pssi(org, admin_user, *, candidacy=CANDIDACY, reviewed=datetime.date(2024, 3, 12), kind="pssi",
          signatory=None, title="PSSI v3 signée"):
    org.candidacy_submitted_on = candidacy
    org.save(update_fields=["candidacy_submitted_on"])
    evidence = EvidenceFactory(organization=org, requirement_ids=["D2.P1"], kind=kind, title=title)
    services.governance_profile_update(organization=org, actor=admin_user, step="documents", data={
        "pssi_validated_on": reviewed, "pssi_evidence": evidence, **(LEGAL_REPRESENTATIVE if signatory is None
                                                                     else signatory)})
    forget_snapshot(org)
    return pssi_check(org)


def _criterion(org, key):
    return next(c for c in snapshot_for(org).criteria if c.key == key)


def test_the_window_starts_on_the_catalogue_date() -> None:
    assert current_catalogue().pssi_review_window_start == datetime.date(2022, 7, 16)


@pytest.mark.parametrize(("reviewed", "expected"), [
    (datetime.date(2022, 7, 15), CheckResult.PARTIAL),  # the day before the window
    (datetime.date(2022, 7, 16), CheckResult.MET),  # first day
    (CANDIDACY, CheckResult.MET),  # the candidacy day itself
    (CANDIDACY + datetime.timedelta(days=1), CheckResult.PARTIAL),  # after the candidacy
    (datetime.date(2026, 3, 2), CheckResult.PARTIAL),  # the case: validated after the deadline
])
def test_review_date_between_window_start_and_candidacy_date(org, admin_user, reviewed, expected) -> None:
    assert _pssi(org, admin_user, reviewed=reviewed).status == expected
    assert _criterion(org, "pssi_date").ok is (expected == CheckResult.MET)


def test_after_the_candidacy_date_says_so(org, admin_user) -> None:
    result = _pssi(org, admin_user, reviewed=datetime.date(2026, 3, 2))
    assert any("31/10/2025" in str(m) and "02/03/2026" in str(m) for m in result.missing), result.missing


def test_no_candidacy_date_is_not_met_and_says_so(org, admin_user) -> None:
    result = _pssi(org, admin_user, candidacy=None)
    assert result.status == CheckResult.PARTIAL
    criterion = _criterion(org, "pssi_date")
    assert not criterion.ok and criterion.url_name == "tenants:settings"
    with translation.override("fr"):
        assert "date de dépôt de la candidature (eCaRE)" in str(_criterion(org, "pssi_date").missing)


@pytest.mark.parametrize(("signatory", "ok"), [
    ({"pssi_signatory": "Stagiaire"}, False),  # the case: no function, not confirmed
    ({"pssi_signatory": "Jean Dupont", "pssi_signatory_function": "",
      "pssi_signatory_is_legal_representative": True}, False),  # blank function
    ({"pssi_signatory": "Jean Dupont", "pssi_signatory_function": "Stagiaire",
      "pssi_signatory_is_legal_representative": False}, False),  # not confirmed as the legal representative
    ({"pssi_signatory": "", "pssi_signatory_function": "Directrice générale",
      "pssi_signatory_is_legal_representative": True}, False),  # not named
    (LEGAL_REPRESENTATIVE, True),
])
def test_signatory_is_the_named_legal_representative_with_a_function(org, admin_user, signatory, ok) -> None:
    result = _pssi(org, admin_user, signatory=signatory)
    assert _criterion(org, "pssi_signatory").ok is ok
    assert (result.status == CheckResult.MET) is ok


def test_the_form_refuses_a_confirmed_legal_representative_without_name_or_function(org) -> None:
    form = DocumentsStepForm(organization=org, data={"pssi_signatory_is_legal_representative": "on",
                                                     "pssi_signatory": " "})
    assert not form.is_valid()
    assert "pssi_signatory" in form.errors and "pssi_signatory_function" in form.errors


def test_a_file_tagged_d2p1_of_another_kind_is_not_a_pssi(org, admin_user) -> None:
    result = _pssi(org, admin_user, kind="other", title="Menu de la cantine")
    assert result.status == CheckResult.PARTIAL
    assert not _criterion(org, "pssi_file").ok
    assert any("Menu de la cantine" in str(m) for m in result.missing)


def test_a_pssi_file_tagged_d2p1_counts_without_being_attached(org, admin_user) -> None:
    org.candidacy_submitted_on = CANDIDACY
    org.save(update_fields=["candidacy_submitted_on"])
    EvidenceFactory(organization=org, requirement_ids=["D2.P1"], kind="pssi")
    services.governance_profile_update(organization=org, actor=admin_user, step="documents", data={
        "pssi_validated_on": datetime.date(2024, 3, 12), **LEGAL_REPRESENTATIVE})
    forget_snapshot(org)
    assert pssi_check(org).status == CheckResult.MET


def test_a_deleted_pssi_file_does_not_count(org, admin_user) -> None:
    from django.utils import timezone

    assert _pssi(org, admin_user).status == CheckResult.MET
    profile = snapshot_for(org).profile
    assert profile.pssi_evidence is not None
    type(profile.pssi_evidence).objects.filter(pk=profile.pssi_evidence.pk).update(deleted_at=timezone.now())
    forget_snapshot(org)
    assert pssi_check(org).status == CheckResult.PARTIAL


def test_files_tagged_d2p1_before_files_had_a_kind_are_named_to_be_re_tagged(org, admin_user) -> None:
    """Files uploaded before ``Evidence.kind`` existed became « Autre document » (migration compliance 0002, default
    « other »): none counts for D2.P1, and the check names them so the RPCRA re-tags the real PSSI."""
    org.candidacy_submitted_on = CANDIDACY
    org.save(update_fields=["candidacy_submitted_on"])
    old = EvidenceFactory(organization=org, requirement_ids=["D2.P1"], title="PSSI 2024 (scan signé)")
    assert old.kind == "other"
    EvidenceFactory(organization=org, requirement_ids=["D2.P1"], kind="other", title="Menu de la cantine")
    services.governance_profile_update(organization=org, actor=admin_user, step="documents", data={
        "pssi_validated_on": datetime.date(2024, 3, 12), **LEGAL_REPRESENTATIVE})
    forget_snapshot(org)
    with translation.override("fr"):
        result = pssi_check(org)
        missing = [str(m) for m in result.missing]
    assert result.status == CheckResult.PARTIAL
    assert ("Des fichiers rattachés à D2.P1 ne sont pas de type PSSI (ceux déposés avant l'apparition des types sont "
            "« Autre document ») : « Menu de la cantine », « PSSI 2024 (scan signé) ». Si l'un d'eux est la PSSI "
            "signée, indiquez le type « PSSI » dans la bibliothèque des pièces justificatives.") in missing
    type(old).objects.filter(pk=old.pk).update(kind="pssi")  # re-tagged in the evidence library
    forget_snapshot(org)
    assert pssi_check(org).status == CheckResult.MET
