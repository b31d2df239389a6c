"""CaRE D2.O1.C checks, plans side, and the « Plans » stage of the journey.

D2.O1.C asks for a PCRA built on BIAs: the information system unavailable scenario is mandatory,
plus at least one other (site, people, supplier); the three minimum perimeters (care service,
critical administrative process, plateau technique) covered where the BIA tags activities with them;
the 66 % rule is ``apps.compliance.coverage``'s. A plan counts once a version of it is approved.
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
from apps.continuity.models import DegradedMode, Plan, PlanActivity, PlanScenario, PlanVersion, Scenario

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def _approved_plan_ids(organization: Organization) -> set[int]:
    return set(PlanVersion.objects.filter(organization=organization, status=PlanVersion.Status.APPROVED,
                                          plan__is_archived=False).values_list("plan_id", flat=True))


def _covered(organization: Organization) -> tuple[set[str], set[tuple[int, str]], dict[int, set[str]]]:
    """Scenario kinds of approved plans; (establishment, perimeter) of activities in approved plans."""
    approved = _approved_plan_ids(organization)
    kinds = set(PlanScenario.objects.filter(organization=organization, plan_id__in=approved)
                .values_list("scenario__kind", flat=True))
    covered = set(PlanActivity.objects.filter(organization=organization, plan_id__in=approved)
                  .values_list("activity__establishment_id", "activity__care_perimeter"))
    tagged: dict[int, set[str]] = {}
    for est, perimeter in (Activity.objects.filter(organization=organization, care_perimeter__in=minimum_perimeters())
                           .values_list("establishment_id", "care_perimeter").distinct()):
        tagged.setdefault(est, set()).add(perimeter)
    return kinds, covered, tagged


@register_check("D2.O1.C", key="continuity.plans")
def plans_scenarios_and_perimeters(organization: Organization) -> CheckResult:
    """Approved plans: the IS scenario, another scenario, and the three minimum perimeters where they exist."""
    kinds, covered, tagged = _covered(organization)
    evidence: list[str | Promise] = []
    missing: list[str | Promise] = []
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
        summary=_("%(done)s of 3 minimum perimeters covered by approved plans; %(count)s scenarios covered.")
        % {"done": len(covered_perimeters & set(minimum_perimeters())), "count": len(kinds)},
        evidence=evidence, missing=missing, action=(gettext_lazy("Open the plans"), "continuity:plans"),
    )


@register_check("D2.O1.C", key="continuity.coverage_66")
def plans_activity_coverage(organization: Organization) -> CheckResult:
    """The 66 % rule (``apps.compliance.coverage``) over the activities of the plans that count."""
    approved = _approved_plan_ids(organization)
    rows = (PlanActivity.objects.filter(organization=organization, plan_id__in=approved,
                                        activity__care_perimeter__in=minimum_perimeters())
            .values_list("activity__establishment_id", "activity__site_id", "activity__care_perimeter").distinct())
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
