"""Reads: each CaRE requirement with its computed status and supporting evidence; the evidence library."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from apps.compliance.catalogue import Requirement, current_catalogue
from apps.compliance.models import Evidence
from apps.compliance.registry import Check, CheckResult, checks_for, combine

if TYPE_CHECKING:
    from apps.tenants.models import Organization


@dataclass
class RequirementStatus:
    requirement: Requirement
    status: str  # CheckResult.MET / PARTIAL / NOT_MET
    results: list[CheckResult] = field(default_factory=list)
    # Evidence files that declare they support this requirement (filled by ``requirement_rows``).
    files: list[Evidence] = field(default_factory=list)

    @property
    def evidence(self) -> list[Any]:
        return [item for r in self.results for item in r.evidence]

    @property
    def missing(self) -> list[Any]:
        return [item for r in self.results for item in r.missing]

    @property
    def has_checks(self) -> bool:
        return bool(self.results)

    @property
    def actions(self) -> list[tuple[Any, str]]:
        seen: list[tuple[Any, str]] = []
        for r in self.results:
            if r.action and r.status != CheckResult.MET and r.action not in seen:
                seen.append(r.action)
        return seen


def requirement_statuses(*, organization: Organization) -> list[RequirementStatus]:
    """Every requirement of the catalogue in force, with its checks run for ``organization``.

    Must be called inside the organization's scope (a view under /o/<slug>/, or a ``TenantTask``).
    """
    statuses = []
    for requirement in current_catalogue().requirements:
        results = [run_check(check, organization) for check in checks_for(requirement.id)]
        statuses.append(RequirementStatus(requirement=requirement, status=combine(results), results=results))
    return statuses


def run_check(check: Check, organization: Organization) -> CheckResult:
    """One check's result; inside an export job, computed once and shared by every section and sheet
    (``apps.exports.snapshot``)."""
    from apps.exports.snapshot import memo

    return memo(("check", check.key, organization.pk), lambda: check.func(organization))


def requirement_rows(*, organization: Organization) -> list[RequirementStatus]:
    """``requirement_statuses`` plus the evidence files linked to each requirement (one query for all)."""
    statuses = requirement_statuses(organization=organization)
    by_requirement: dict[str, list[Evidence]] = {}
    for evidence in evidence_list(organization=organization).exclude(requirement_ids=[]):
        for requirement_id in evidence.requirement_ids:
            by_requirement.setdefault(requirement_id, []).append(evidence)
    for status in statuses:
        status.files = by_requirement.get(status.requirement.id, [])
    return statuses


def status_summary(statuses: list[RequirementStatus]) -> dict[str, int]:
    summary = {CheckResult.MET: 0, CheckResult.PARTIAL: 0, CheckResult.NOT_MET: 0, "unchecked": 0}
    for status in statuses:
        if not status.has_checks:
            summary["unchecked"] += 1
        else:
            summary[status.status] += 1
    return summary


def evidence_list(*, organization: Organization, query: str = "", requirement_id: str = "") -> QuerySet[Evidence]:
    qs = Evidence.objects.filter(organization=organization).alive().select_related("uploaded_by")
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(description__icontains=query) | Q(original_name__icontains=query))
    if requirement_id:
        qs = qs.for_requirement(requirement_id)
    return qs.order_by("-created_at", "-id")


def evidence_for_object(*, organization: Organization, obj: Any) -> QuerySet[Evidence]:
    from django.contrib.contenttypes.models import ContentType

    return evidence_list(organization=organization).filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )
