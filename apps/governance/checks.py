"""Completeness checks of the governance (CaRE D2.P1, D2.P2, D2.O1.A, D2.O1.B).

They feed both the compliance registry (requirement statuses) and the journey's « Organisation et
gouvernance » stage, from one ``GovernanceSnapshot`` computed in a fixed number of queries and
kept on the organization object for the rest of the request (services forget it on every write).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.compliance.registry import CheckResult, register_check
from apps.governance.selectors import Criterion, GovernanceSnapshot, governance_snapshot

if TYPE_CHECKING:
    from apps.tenants.models import Organization

CACHE_ATTRIBUTE = "_governance_snapshot"


def snapshot_for(organization: Organization) -> GovernanceSnapshot:
    snap = getattr(organization, CACHE_ATTRIBUTE, None)
    if snap is None:
        snap = governance_snapshot(organization=organization)
        setattr(organization, CACHE_ATTRIBUTE, snap)
    return snap


def forget_snapshot(organization: Organization) -> None:
    organization.__dict__.pop(CACHE_ATTRIBUTE, None)


def _result(criteria: list[Criterion], summary: str, evidence: Sequence[str | Promise]) -> CheckResult:
    blocking = [c for c in criteria if not c.recommended]
    done = sum(c.ok for c in blocking)
    if done == len(blocking):
        status = CheckResult.MET
    elif done == 0:
        status = CheckResult.NOT_MET
    else:
        status = CheckResult.PARTIAL
    missing = [c.missing for c in criteria if not c.ok]
    first = next((c for c in blocking if not c.ok), None) or next((c for c in criteria if not c.ok), None)
    action = (gettext_lazy("Complete the governance"), first.url_name) if first else None
    return CheckResult(status=status, summary=summary, evidence=list(evidence), missing=missing, action=action)


@register_check("D2.P1", key="governance.pssi")
def pssi_check(organization: Organization) -> CheckResult:
    snap = snapshot_for(organization)
    p = snap.profile
    evidence = []
    if p.pssi_validated_on:
        evidence.append(_("PSSI %(version)s validated on %(date)s by %(who)s") % {
            "version": p.pssi_version or "", "date": date_format(p.pssi_validated_on, "SHORT_DATE_FORMAT"),
            "who": ", ".join(x for x in (p.pssi_signatory, p.pssi_signatory_function) if x.strip()) or "—"})
    if snap.candidacy_submitted_on:
        evidence.append(_("Candidacy filed on eCaRE on %(date)s") % {
            "date": date_format(snap.candidacy_submitted_on, "SHORT_DATE_FORMAT")})
    return _result(snap.for_requirement("D2.P1"), _("Formal, up-to-date PSSI"), evidence)


@register_check("D2.P2", key="governance.project")
def project_check(organization: Organization) -> CheckResult:
    snap = snapshot_for(organization)
    team = ngettext("Project team: %(count)d person", "Project team: %(count)d people", len(snap.team)) % {
        "count": len(snap.team)}
    copil = ngettext("COPIL: %(count)d member", "COPIL: %(count)d members", len(snap.copil)) % {
        "count": len(snap.copil)}
    evidence = [_("%(first)s; %(second)s") % {"first": team, "second": copil}]
    rpcra = snap.profile.rpcra
    if rpcra is not None:
        evidence.append(_("RPCRA: %(name)s") % {"name": rpcra.user.get_full_name() or rpcra.user.email})
    return _result(snap.for_requirement("D2.P2"), _("Project organisation"), evidence)


@register_check("D2.O1.A", key="governance.scheme")
def scheme_check(organization: Organization) -> CheckResult:
    snap = snapshot_for(organization)
    meetings = ngettext("%(count)d COPIL meeting", "%(count)d COPIL meetings", snap.meeting_count) % {
        "count": snap.meeting_count}
    decisions = ngettext("%(count)d decision", "%(count)d decisions", snap.decision_count) % {
        "count": snap.decision_count}
    evidence = [_("%(first)s, %(second)s") % {"first": meetings, "second": decisions}]
    if snap.profile.approved_at:
        approver = snap.profile.approved_by
        evidence.append(_("Approved by the direction on %(date)s (%(who)s)") % {
            "date": date_format(snap.profile.approved_at, "SHORT_DATE_FORMAT"),
            "who": (approver.get_full_name() or approver.email) if approver else "—"})
    return _result(snap.for_requirement("D2.O1.A"), _("Governance scheme"), evidence)


_CRISIS_KEYS = {"crisis_director", "crisis_deputies", "phone", "rooms", "activation"}


@register_check("D2.O1.B", key="governance.crisis_cell")
def crisis_cell_check(organization: Organization) -> CheckResult:
    snap = snapshot_for(organization)
    complete = sum(1 for r in snap.roles if r.is_complete)
    evidence = [ngettext("Cellule de crise: %(complete)d of %(total)d roles with a holder and a deputy, reachable "
                         "at a valid number",
                         "Cellule de crise: %(complete)d of %(total)d roles with a holder and a deputy, reachable "
                         "at a valid number", complete) % {"complete": complete, "total": len(snap.roles)}]
    criteria = [c for c in snap.for_requirement("D2.O1.B") if c.key in _CRISIS_KEYS]
    return _result(criteria, _("Cellule de crise"), evidence)


@register_check("D2.O1.B", key="governance.signalement")
def signalement_check(organization: Organization) -> CheckResult:
    snap = snapshot_for(organization)
    evidence = [ngettext("%(count)d reporting duty recorded", "%(count)d reporting duties recorded",
                         snap.duty_count) % {"count": snap.duty_count}]
    criteria = [c for c in snap.for_requirement("D2.O1.B") if c.key == "signalement"]
    return _result(criteria, _("Reporting of cyber incidents"), evidence)


@register_check("D2.O1.B", key="governance.plan_blanc")
def plan_blanc_check(organization: Organization) -> CheckResult:
    snap = snapshot_for(organization)
    evidence = [snap.profile.plan_blanc_reference] if snap.profile.plan_blanc_reference else []
    criteria = [c for c in snap.for_requirement("D2.O1.B") if c.key in {"plan_blanc", "procedures"}]
    return _result(criteria, _("Digital risks in the plan blanc and cyber crisis procedures"), evidence)


def governance_progress(organization: Organization) -> dict[str, Any]:
    """The journey stage's progress: percent of blocking criteria met, what is missing, what to do next."""
    snap = snapshot_for(organization)
    missing = [c for c in snap.criteria if not c.ok]
    first = next((c for c in missing if not c.recommended), None) or (missing[0] if missing else None)
    return {
        "percent": snap.percent,
        "missing": [c.missing for c in missing],
        "next_action": (first.missing, first.url_name) if first else None,
    }
