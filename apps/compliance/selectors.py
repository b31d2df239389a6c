"""Reads: each CaRE requirement with its computed status and supporting evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apps.compliance.catalogue import Requirement, current_catalogue
from apps.compliance.registry import CheckResult, checks_for, combine


@dataclass
class RequirementStatus:
    requirement: Requirement
    status: str  # CheckResult.MET / PARTIAL / NOT_MET
    results: list[CheckResult] = field(default_factory=list)

    @property
    def evidence(self) -> list[Any]:
        return [item for r in self.results for item in r.evidence]

    @property
    def missing(self) -> list[Any]:
        return [item for r in self.results for item in r.missing]

    @property
    def has_checks(self) -> bool:
        return bool(self.results)


def requirement_statuses(*, organization: Any) -> list[RequirementStatus]:
    """Every requirement of the catalogue in force, with its checks run for ``organization``.

    Must be called inside the organization's scope (a view under /o/<slug>/, or ``tenant_context``).
    """
    statuses = []
    for requirement in current_catalogue().requirements:
        results = [check.func(organization) for check in checks_for(requirement.id)]
        statuses.append(RequirementStatus(requirement=requirement, status=combine(results), results=results))
    return statuses
