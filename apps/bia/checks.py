"""CaRE D2.O1.C checks (BIA part) and the journey stage's progress.

D2.O1.C asks for a PCRA built on BIAs covering at least: a care service with major patient impact,
the most critical administrative process, and a plateau technique. The 66 % rule (which
entities are weighted, when one counts) is ``apps.compliance.coverage``'s, shared with the plans and the
tests. Each check issues a fixed number of queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.bia.models import Activity, CarePerimeter
from apps.compliance.catalogue import minimum_perimeters
from apps.compliance.coverage import coverage_check_result, coverage_share
from apps.compliance.registry import CheckResult, register_check

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from apps.tenants.models import Organization


def _perimeter_status(organization: Organization) -> dict[tuple[int, str], set[str]]:
    """(establishment id, perimeter) → statuses of the activities tagged with that perimeter (one query)."""
    result: dict[tuple[int, str], set[str]] = {}
    rows = (Activity.objects.filter(organization=organization, care_perimeter__in=minimum_perimeters())
            .values_list("establishment_id", "care_perimeter", "status").distinct())
    for establishment_id, perimeter, status in rows:
        result.setdefault((establishment_id, perimeter), set()).add(status)
    return result


def _validated_perimeters(status: dict[tuple[int, str], set[str]]) -> set[str]:
    return {p for (_e, p), statuses in status.items() if Activity.Status.VALIDATED in statuses}


@register_check("D2.O1.C", key="bia.perimeters")
def bia_minimum_perimeters(organization: Organization) -> CheckResult:
    """A validated BIA on each of the three minimum perimeters."""
    status = _perimeter_status(organization)
    validated = _validated_perimeters(status)
    started = {p for (_e, p) in status}
    evidence: list[str | Promise] = [
        _("Validated BIA on the perimeter « %(perimeter)s ».") % {"perimeter": CarePerimeter(p).label}
        for p in minimum_perimeters() if p in validated]
    missing: list[str | Promise] = []
    for p in minimum_perimeters():
        if p in validated:
            continue
        if p in started:
            missing.append(_("The BIA on « %(perimeter)s » is not validated yet.") % {"perimeter": CarePerimeter(p).label})
        else:
            missing.append(_("No activity is tagged « %(perimeter)s »: tag one and run its BIA.")
                           % {"perimeter": CarePerimeter(p).label})
    if len(validated) == len(minimum_perimeters()):
        state = CheckResult.MET
    elif started:
        state = CheckResult.PARTIAL
    else:
        state = CheckResult.NOT_MET
    return CheckResult(
        status=state,
        summary=_("%(done)s of 3 minimum perimeters have a validated BIA.") % {"done": len(validated)},
        evidence=evidence, missing=missing, action=(gettext_lazy("Open the BIA"), "bia:activities"),
    )


@register_check("D2.O1.C", key="bia.coverage_66")
def bia_activity_coverage(organization: Organization) -> CheckResult:
    """The 66 % rule (``apps.compliance.coverage``): an activity counts once its BIA is validated."""
    rows = (Activity.objects.filter(organization=organization, care_perimeter__in=minimum_perimeters(),
                                    status=Activity.Status.VALIDATED)
            .values_list("establishment_id", "site_id", "care_perimeter").distinct())
    return coverage_check_result(coverage_share(organization, rows), covered_by=gettext_lazy("by validated BIAs"),
                                 action=(gettext_lazy("Open the BIA"), "bia:activities"))


def journey_progress(organization: Organization) -> dict[str, Any]:
    """The « BIA » stage of the journey: share of validated BIAs, what is missing, what to do next."""
    counts: dict[str, int] = {}
    without_owner = 0
    for status, has_owner in Activity.objects.filter(organization=organization).values_list("status", "owner_id"):
        counts[status] = counts.get(status, 0) + 1
        without_owner += has_owner is None
    total = sum(counts.values())
    if not total:
        return {"percent": 0, "missing": [_("No activity is mapped yet.")],
                "next_action": (_("Import typical hospital activities"), "bia:catalogue")}
    validated = counts.get(Activity.Status.VALIDATED, 0)
    missing = [str(m) for m in bia_minimum_perimeters(organization).missing]
    if without_owner:
        missing.append(_("%(count)s activities have no business owner.") % {"count": without_owner})
    if counts.get(Activity.Status.SUBMITTED):
        next_action = (_("Review the submitted BIAs"), "bia:activities")
    elif without_owner:
        next_action = (_("Assign the business owners"), "bia:activities")
    elif validated < total:
        next_action = (_("Follow the campaign"), "bia:activities")
    else:
        next_action = (_("Check the gaps"), "bia:gaps")
    return {"percent": round(100 * validated / total), "missing": missing, "next_action": next_action}
