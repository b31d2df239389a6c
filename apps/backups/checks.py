"""CaRE checks of the backups (D2.O2.A, D2.O2.B, D2.O3.A–D, D2.O4) and the journey stage's progress.

All of them read one ``BackupsSnapshot`` (a fixed number of queries), kept on the organization object for
the rest of the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.backups import computations, selectors
from apps.backups.models import POLICY_MIN_DATE, BackupControl, BackupPolicy, RestoreTest, Trajectory
from apps.backups.selectors import CACHE_ATTRIBUTE
from apps.bia.templatetags.bia_tags import hours
from apps.compliance.catalogue import current_catalogue
from apps.compliance.dates import declaration_reference_date
from apps.compliance.registry import CheckResult, register_check
from apps.tenants.models import Organization


@dataclass
class BackupsSnapshot:
    rows: list[selectors.SystemRow]
    policy: BackupPolicy | None
    trajectories: list[Trajectory]
    tests: list[RestoreTest]
    is_ght: bool

    @property
    def critical(self) -> list[selectors.SystemRow]:
        """The critical systems (CaRE perimeters and BIA gaps); all systems when none is flagged yet."""
        return [r for r in self.rows if r.critical] or self.rows

    def trajectory(self, kind: str) -> Trajectory | None:
        with_milestones = [t for t in self.trajectories if t.kind == kind and t.milestones.all()]
        return with_milestones[0] if with_milestones else None


def snapshot_for(organization: Organization) -> BackupsSnapshot:
    snap = getattr(organization, CACHE_ATTRIBUTE, None)
    if snap is None:
        tests = list(selectors.restore_test_list(organization=organization))
        snap = BackupsSnapshot(
            rows=selectors.system_rows(organization=organization, tests=tests),
            policy=selectors.policy(organization=organization),
            trajectories=selectors.trajectory_list(organization=organization),
            tests=tests,
            is_ght=organization.kind == Organization.Kind.GHT,
        )
        setattr(organization, CACHE_ATTRIBUTE, snap)
    return snap


def _status(done: int, total: int) -> str:
    if total and done == total:
        return CheckResult.MET
    return CheckResult.PARTIAL if done else CheckResult.NOT_MET


def _names(rows: list[selectors.SystemRow]) -> str:
    """Every system named (no cut list: the dossier prints what is missing in full)."""
    return ", ".join(r.resource.name for r in rows)


def _result(criteria: Sequence[tuple[bool, str | Promise]], summary: str | Promise, evidence: Sequence[str | Promise],
            url_name: str = "backups:overview") -> CheckResult:
    missing = [label for ok, label in criteria if not ok]
    status = _status(sum(ok for ok, _label in criteria), len(criteria))
    action = (gettext_lazy("Complete the backup controls"), url_name) if missing else None
    return CheckResult(status=status, summary=summary, evidence=list(evidence), missing=missing, action=action)


def _systems_criterion(rows: list[selectors.SystemRow], failing: list[selectors.SystemRow],
                       message: str) -> tuple[bool, str]:
    return (bool(rows) and not failing, message % {"names": _names(failing)} if failing else
            _("Record the critical systems (applications and infrastructure) in the BIA."))


@register_check("D2.O2.A", key="backups.policy")
def policy_check(organization: Organization) -> CheckResult:
    """A validated backup and restoration policy, updated since 16 July 2022, covering SaaS through contracts."""
    snap = snapshot_for(organization)
    p = snap.policy
    # Updated between 16/07/2022 and the declaration deposit date (today until it is filed): apps.compliance.dates.
    recent = bool(p and p.evidence_id and p.validated_on
                  and POLICY_MIN_DATE <= p.validated_on <= declaration_reference_date(organization))
    saas = [r for r in snap.rows if r.resource.is_saas]
    uncovered = [r for r in saas if not (r.control and r.control.contract_clauses)]
    criteria = [
        (recent, _("Upload the backup and restoration policy validated on or after 16/07/2022.")),
        (not uncovered, _("Contract clauses on backup and restore are missing for: %(names)s.")
         % {"names": _names(uncovered)}),
    ]
    # The annex: the policy covers outsourced and SaaS applications too. Asked only when there are some.
    if saas:
        criteria.append((bool(p and p.covers_outsourced), _(
            "State in the policy that it covers the outsourced and SaaS applications (%(names)s) through contract "
            "clauses.") % {"names": _names(saas)}))
    evidence = []
    if p and p.validated_on:
        evidence.append(_("Policy %(version)s validated on %(date)s") % {
            "version": p.version, "date": date_format(p.validated_on, "SHORT_DATE_FORMAT")})
    if p and p.covers_outsourced:
        evidence.append(_("The policy covers outsourced and SaaS applications through contract clauses"))
    result = _result(criteria, _("Backup and restoration policy"), evidence, "backups:policy")
    if not recent:  # without a recent validated policy nothing else counts
        result.status = CheckResult.NOT_MET
    return result


@register_check("D2.O2.B", key="backups.plans")
def plans_check(organization: Organization) -> CheckResult:
    snap = snapshot_for(organization)
    rows = snap.critical
    failing = [r for r in rows if not (r.control and r.control.plan_evidence_id)]
    # « et les modalités de leur mise à jour »: each plan says how it is kept up to date.
    no_update = [r for r in rows if not (r.control and r.control.plan_update_procedure.strip())]
    criteria = [_systems_criterion(rows, failing, _("Upload a backup plan for: %(names)s.")),
                _systems_criterion(rows, no_update, _("Describe how the backup plan is kept up to date for: %(names)s."))]
    incomplete = {id(r) for r in failing} | {id(r) for r in no_update}  # by identity: rows compare field by field
    complete = [r for r in rows if id(r) not in incomplete]
    evidence = [ngettext("%(done)d of %(total)d critical systems with a backup plan and its update procedure",
                         "%(done)d of %(total)d critical systems with a backup plan and its update procedure",
                         len(complete)) % {"done": len(complete), "total": len(rows)}]
    return _result(criteria, _("Backup plans of the critical systems"), evidence)


@register_check("D2.O3.A", key="backups.authentication")
def authentication_check(organization: Organization) -> CheckResult:
    snap = snapshot_for(organization)
    rows = snap.critical

    def ok(r: selectors.SystemRow) -> bool:
        c = r.control
        if c is None or c.authentication in (BackupControl.Authentication.SHARED_AD, BackupControl.Authentication.UNKNOWN):
            return False
        if c.authentication == BackupControl.Authentication.DEDICATED_DIRECTORY and (c.ads_score or 0) < 3:
            return False
        return c.least_privilege_role and computations.mfa_satisfied(c)

    failing = [r for r in rows if not ok(r)]
    criteria = [_systems_criterion(rows, failing, _(
        "Independent authentication, least-privilege role, MFA or ADS score ≥ 3 missing for: %(names)s."))]
    evidence = [_("ADS score %(score)s on %(name)s") % {"score": r.control.ads_score, "name": r.resource.name}
                for r in snap.rows if r.control and r.control.ads_score is not None]
    unsupported = [r for r in rows if r.control and r.control.mfa_unsupported]
    if unsupported:
        evidence.append(_("MFA not supported by the backup solution: %(names)s") % {"names": _names(unsupported)})
    return _result(criteria, _("Independent authentication of the backups"), evidence)


@register_check("D2.O3.B", key="backups.isolation")
def isolation_check(organization: Organization) -> CheckResult:
    snap = snapshot_for(organization)
    rows = snap.critical
    trajectory = snap.trajectory(Trajectory.Kind.ISOLATION)
    tested = [r for r in rows if r.control and r.control.red_button_tested_on]
    criteria = [
        (trajectory is not None, _("Plan the isolation trajectory with its milestones.")),
        (bool(tested), _("Test the « bouton rouge » isolation capability.")),
    ]
    evidence = []
    if trajectory is not None:
        evidence.append(_("Trajectory « %(title)s »: %(percent)d%% done") % {
            "title": trajectory.title, "percent": trajectory.progress})
    return _result(criteria, _("Isolation of the backup infrastructure"), evidence, "backups:trajectories")


@register_check("D2.O3.C", key="backups.321")
def three_two_one_check(organization: Organization) -> CheckResult:
    snap = snapshot_for(organization)
    rows = snap.critical
    trajectory = snap.trajectory(Trajectory.Kind.THREE_TWO_ONE)
    # The annex asks for the offline copy to be « inscrit dans une trajectoire … avec des jalons clés »: a 3-2-1
    # trajectory with milestones satisfies it; the copies already in place are evidence of its progress.
    criteria = [
        (trajectory is not None, _("Plan the 3-2-1 trajectory (an offline or immutable copy) with its key milestones.")),
    ]
    compliant = [r for r in rows if r.rule in ("321", "32110")]
    offline = [r for r in rows if r.control and r.control.offline_copy]
    evidence = [ngettext("%(done)d of %(total)d critical systems meets 3-2-1",
                         "%(done)d of %(total)d critical systems meet 3-2-1", len(compliant))
                % {"done": len(compliant), "total": len(rows)},
                ngettext("%(done)d of %(total)d critical systems with an offline or immutable copy",
                         "%(done)d of %(total)d critical systems with an offline or immutable copy", len(offline))
                % {"done": len(offline), "total": len(rows)}]
    if trajectory is not None:
        evidence.insert(0, _("Trajectory « %(title)s »: %(percent)d%% done") % {
            "title": trajectory.title, "percent": trajectory.progress})
    return _result(criteria, _("3-2-1 trajectory"), evidence, "backups:trajectories")


def _feed_evidence(organization: Organization, snap: BackupsSnapshot) -> list[str]:
    """The job feed's figures (``apps.backups.feed``), when the backup tool reports its jobs."""
    from apps.backups.feed import feed_summary

    summary = feed_summary(organization=organization, rows=snap.rows)
    if not any(r.last_job for r in summary.rows):
        return []
    fed, total = len(summary.fed), len(summary.critical)
    evidence = [
        ngettext("%(fed)d of %(total)d critical system reports its backup jobs to Resilis",
                 "%(fed)d of %(total)d critical systems report their backup jobs to Resilis", total)
        % {"fed": fed, "total": total},
        ngettext("%(ok)d critical system with a successful job within its PDMA, %(stale)d without",
                 "%(ok)d critical systems with a successful job within their PDMA, %(stale)d without",
                 len(summary.ok)) % {"ok": len(summary.ok), "stale": len(summary.stale)}]
    if summary.stale:
        evidence.append(_("No successful job within the PDMA: %(names)s") % {
            "names": _names([r.row for r in summary.stale])})
    evidence.append(ngettext("%(count)d open backup alert", "%(count)d open backup alerts", len(summary.open_alerts))
                    % {"count": len(summary.open_alerts)})
    for feed_row in summary.critical:
        if feed_row.last_success is not None:
            evidence.append(_("Last successful backup of %(name)s: %(date)s") % {
                "name": feed_row.row.resource.name,
                "date": date_format(timezone.localtime(feed_row.last_success.finished_at), "SHORT_DATETIME_FORMAT")})
    return evidence


@register_check("D2.O3.D", key="backups.supervision")
def supervision_check(organization: Organization) -> CheckResult:
    snap = snapshot_for(organization)
    rows = snap.critical

    def ok(r: selectors.SystemRow) -> bool:
        c = r.control
        if c is None or not (c.supervision_who and c.supervision_frequency and c.supervision_on_failure):
            return False
        return not snap.is_ght or (c.central_alerts and c.rssi_control)

    failing = [r for r in rows if not ok(r)]
    message = (_("Supervision, central alerts or RSSI control missing for: %(names)s.") if snap.is_ght
               else _("Supervision (who, how often, what on failure) missing for: %(names)s."))
    criteria = [_systems_criterion(rows, failing, message)]
    evidence: list[str | Promise] = list(_feed_evidence(organization, snap))
    if snap.is_ght:
        # A separate item of the annex for a GHT: the procedure on alerts an establishment leaves unresolved.
        procedure = bool(snap.policy and snap.policy.unresolved_alerts_procedure.strip())
        criteria.append((procedure, _(
            "Write the GHT procedure for backup alerts left unresolved by an establishment (backup policy page).")))
        if procedure:
            evidence.append(_("Procedure for alerts left unresolved by an establishment recorded"))
    return _result(criteria, _("Backup supervision"), evidence)


def qualifying_tests(snap: BackupsSnapshot) -> list[RestoreTest]:
    """Successful restorations back into production, inside the operational phase, on a system serving a CaRE
    perimeter, with a named business referent (D2.O4)."""
    start = current_catalogue().operational_phase_start
    care = {r.resource.pk for r in snap.rows if r.serves_care}
    return [t for t in snap.tests if t.result == RestoreTest.Result.SUCCESS and t.scope == RestoreTest.Scope.PRODUCTION
            and t.tested_on >= start and t.resource_id in care and t.referent.strip()]


@register_check("D2.O4", key="backups.restore_test")
def restore_test_check(organization: Organization) -> CheckResult:
    snap = snapshot_for(organization)
    tests = qualifying_tests(snap)
    criteria = [(bool(tests), _(
        "Record a successful restoration back into production, since 16/07/2025, on a system serving a CaRE "
        "perimeter, checked by a named business referent."))]
    evidence = [_("%(system)s restored on %(date)s in %(hours)s, checked by %(who)s: %(outcome)s") % {
        "system": t.resource.name, "date": date_format(t.tested_on, "SHORT_DATE_FORMAT"),
        "hours": hours(t.measured_hours), "who": t.referent, "outcome": t.outcome_label} for t in tests]
    return _result(criteria, _("Technical restoration test"), evidence, "backups:tests")


CHECKS = (policy_check, plans_check, authentication_check, isolation_check, three_two_one_check, supervision_check,
          restore_test_check)


def backups_progress(organization: Organization) -> dict[str, Any]:
    """The journey stage: percent of the seven checks met (partial counts half), what is missing, what next."""
    results = [check(organization) for check in CHECKS]
    score = sum(1 if r.status == CheckResult.MET else 0.5 if r.status == CheckResult.PARTIAL else 0 for r in results)
    missing = [m for r in results for m in r.missing]
    first = next((r for r in results if r.action), None)
    return {
        "percent": round(100 * score / len(results)),
        "missing": missing,
        "next_action": (first.missing[0], first.action[1]) if first and first.action else None,
    }
