"""CaRE D2.O1.C checks, plans side, and the « Plans » stage of the journey.

D2.O1.C asks for a PCRA built on BIAs: the information system unavailable scenario is mandatory,
plus at least one other (site, people, supplier); the three minimum perimeters (care service,
critical administrative process, plateau technique) covered where the BIA tags activities with them;
the 66 % rule (weights, levels, totals) is ``apps.compliance.coverage``'s, applied to the activities of the
plans that count.

Which plans count (``counted_plans``): only the approved version of a non-archived plan, read with the
perimeter frozen at its approval (a draft v2 that widens it counts for nothing until approved), and only
while it is current: a plan « à revoir » (the BIA data it relies on changed since approval,
``fingerprint``) does not count at all until a new version is approved. A scenario of such a plan is
covered when every critical (or high) activity of its perimeter has a degraded mode for it or a
« sans objet » with its reason (``selectors.covered_scenario_ids``, the rule the coverage matrix shows).
``covered_establishments`` gives, per establishment, the minimum perimeters its activities in those plans
cover (plans covering at least one scenario); the weighting rule sits on top of it.
Each check issues a fixed number of queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.bia.models import Activity, CarePerimeter
from apps.compliance.catalogue import minimum_perimeters
from apps.compliance.coverage import coverage_check_result, coverage_share
from apps.compliance.registry import CheckResult, register_check
from apps.continuity import selectors
from apps.continuity.models import DegradedMode, Plan, PlanVersion, Scenario

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def counted_plans(organization: Organization) -> list[selectors.CountedPlan]:
    """Approved, current plans (see the module docstring); those « à revoir » are left out."""
    return [c for c in selectors.approved_plans(organization=organization) if c.counts]


def covered_establishments(organization: Organization,
                           plans: list[selectors.CountedPlan] | None = None) -> dict[int, set[str]]:
    """Establishment id → CaRE perimeters of its activities in counted plans that cover at least one scenario."""
    plans = counted_plans(organization) if plans is None else plans
    ids = {a for c in plans if c.covered_scenario_ids for a in c.activity_ids}
    covered: dict[int, set[str]] = {}
    for est, perimeter in (Activity.objects.filter(organization=organization, pk__in=ids)
                           .values_list("establishment_id", "care_perimeter")):
        covered.setdefault(est, set()).add(perimeter)
    return covered


def _covered(organization: Organization) -> tuple[set[str], set[tuple[int, str]], dict[int, set[str]],
                                                  list[selectors.CountedPlan]]:
    """Scenario kinds covered by counted plans; (establishment, perimeter) they cover; perimeters tagged in the BIA;
    every approved plan (to say why one does not count)."""
    approved = selectors.approved_plans(organization=organization)
    plans = [c for c in approved if c.counts]
    kinds_by_id = dict(Scenario.objects.filter(organization=organization).values_list("id", "kind"))
    kinds = {kinds_by_id[s] for c in plans for s in c.covered_scenario_ids if s in kinds_by_id}
    covered = {(e, p) for e, ps in covered_establishments(organization, plans).items() for p in ps}
    tagged: dict[int, set[str]] = {}
    for est, perimeter in (Activity.objects.filter(organization=organization, care_perimeter__in=minimum_perimeters())
                           .values_list("establishment_id", "care_perimeter").distinct()):
        tagged.setdefault(est, set()).add(perimeter)
    return kinds, covered, tagged, approved


def _not_counted(approved: list[selectors.CountedPlan]) -> list[str | Promise]:
    notes: list[str | Promise] = []
    for c in approved:
        if not c.counts:
            notes.append(_("« %(plan)s »: to review (the BIA changed since approval), not counted until a new version "
                           "is approved.") % {"plan": c.plan.title})
        elif set(c.scenario_ids) - c.covered_scenario_ids:
            notes.append(_("« %(plan)s »: %(done)s of %(total)s scenarios covered (each critical activity needs a "
                           "degraded mode or a « not applicable » with its reason).")
                         % {"plan": c.plan.title, "done": len(c.covered_scenario_ids), "total": len(c.scenario_ids)})
    return notes


@register_check("D2.O1.C", key="continuity.plans")
def plans_scenarios_and_perimeters(organization: Organization) -> CheckResult:
    """Approved plans: the IS scenario, another scenario, and the three minimum perimeters where they exist."""
    kinds, covered, tagged, approved = _covered(organization)
    evidence: list[str | Promise] = []
    missing: list[str | Promise] = _not_counted(approved)
    if Scenario.Kind.IS_UNAVAILABLE in kinds:
        evidence.append(_("An approved plan covers the information system unavailable scenario."))
    else:
        missing.append(_("No approved plan covers the information system unavailable scenario (mandatory)."))
    others = kinds - {Scenario.Kind.IS_UNAVAILABLE}
    if others:
        evidence.append(_("Other scenarios covered: %(list)s.")
                        % {"list": ", ".join(str(Scenario.Kind(k).label) for k in sorted(others))})
    else:
        missing.append(_("Cover at least one other scenario: site, people or critical supplier unavailable."))
    existing = set().union(*tagged.values()) if tagged else set()
    covered_perimeters = {p for (_e, p) in covered}
    for p in minimum_perimeters():
        label = CarePerimeter(p).label
        if p in covered_perimeters:
            evidence.append(_("Perimeter « %(perimeter)s »: covered by an approved plan.") % {"perimeter": label})
        elif p in existing:
            missing.append(_("Perimeter « %(perimeter)s »: no approved plan covers it yet.") % {"perimeter": label})
        else:
            missing.append(_("Perimeter « %(perimeter)s »: no BIA activity is tagged with it.") % {"perimeter": label})
    if not missing:
        status = CheckResult.MET
    elif kinds or Plan.objects.filter(organization=organization).exists():
        status = CheckResult.PARTIAL
    else:
        status = CheckResult.NOT_MET
    return CheckResult(
        status=status,
        summary=_("%(done)s of 3 minimum perimeters covered by approved plans; %(count)s scenarios covered (approved, "
                  "current versions only: a plan « to review » does not count; a scenario is covered when every "
                  "critical activity has a degraded mode or a « not applicable »).")
        % {"done": len(covered_perimeters & set(minimum_perimeters())), "count": len(kinds)},
        evidence=evidence, missing=missing, action=(gettext_lazy("Open the plans"), "continuity:plans"),
    )


@register_check("D2.O1.C", key="continuity.coverage_66")
def plans_activity_coverage(organization: Organization) -> CheckResult:
    """The 66 % rule (``apps.compliance.coverage``) over the activities of the plans that count (approved,
    current versions, frozen perimeters, covering at least one scenario)."""
    ids = {a for c in counted_plans(organization) if c.covered_scenario_ids for a in c.activity_ids}
    rows = (Activity.objects.filter(organization=organization, pk__in=ids, care_perimeter__in=minimum_perimeters())
            .values_list("establishment_id", "site_id", "care_perimeter").distinct())
    return coverage_check_result(coverage_share(organization, rows), covered_by=gettext_lazy("by approved plans"),
                                 action=(gettext_lazy("Open the coverage matrix"), "continuity:coverage"))


def journey_progress(organization: Organization) -> dict[str, Any]:
    """The « Plans » stage: share of the CaRE plan requirements met, what is missing, what to do next."""
    plans = list(Plan.objects.filter(organization=organization, is_archived=False)
                 .values_list("pk", "current_version__status"))
    if not plans:
        return {"percent": 0, "missing": [_("No continuity plan yet.")],
                "next_action": (_("Create a plan from the BIA"), "continuity:plan-create")}
    result = plans_scenarios_and_perimeters(organization)
    points = 5
    done = points - min(points, len(result.missing))
    if any(status == PlanVersion.Status.SUBMITTED for _pk, status in plans):
        next_action = (_("Approve the submitted plans"), "continuity:plans")
    elif not DegradedMode.objects.filter(organization=organization).exists():
        next_action = (_("Write the degraded modes"), "continuity:plans")
    else:
        next_action = (_("Check the coverage matrix"), "continuity:coverage")
    return {"percent": round(100 * done / points), "missing": [str(m) for m in result.missing],
            "next_action": next_action}
