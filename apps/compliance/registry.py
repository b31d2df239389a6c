"""Checks that tell how far an organization meets each CaRE requirement, contributed by the apps.

An app registers, in its ``AppConfig.ready``::

    from apps.compliance.registry import CheckResult, register_check

    @register_check("D2.O1.B", key="governance.crisis_cell")
    def crisis_cell_complete(organization) -> CheckResult:
        ...
        return CheckResult(status=CheckResult.MET, summary=_("…"), evidence=[…], missing=[…])

A check runs inside the organization's scope and must not issue a query per row (it is called for
every requirement on the dashboard and in the dossier). ``requirement_status`` combines the
checks of one requirement: met when all are met, not started when none has started, partial otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass
class CheckResult:
    MET = "met"
    PARTIAL = "partial"
    NOT_MET = "not_met"

    status: str
    summary: str | Promise
    # Human-readable supporting items: "PSSI v3 validée le 12/03/2024 par …", file names, counts…
    evidence: list[str | Promise] = field(default_factory=list)
    # What is still missing, as sentences a user can act on.
    missing: list[str | Promise] = field(default_factory=list)
    # (label, url name) of the page where the user fixes it; url is reversed with org_slug.
    action: tuple[str | Promise, str] | None = None
    # The 66 % rule's reading (``apps.compliance.coverage.CoverageResult``) when the check applies it: the dossier
    # prints its per-entity rows (EJ or EG) from it instead of computing them again.
    coverage: Any = None


@dataclass(frozen=True)
class Check:
    requirement_id: str
    key: str
    func: Callable[[Any], CheckResult]


_CHECKS: dict[str, Check] = {}


def register_check(requirement_id: str, *, key: str) -> Callable[[Callable[[Any], CheckResult]], Callable[[Any], CheckResult]]:
    def decorator(func: Callable[[Any], CheckResult]) -> Callable[[Any], CheckResult]:
        _CHECKS[key] = Check(requirement_id=requirement_id, key=key, func=func)
        return func

    return decorator


def checks_for(requirement_id: str) -> list[Check]:
    return [c for c in _CHECKS.values() if c.requirement_id == requirement_id]


def all_checks() -> list[Check]:
    return list(_CHECKS.values())


def combine(results: list[CheckResult]) -> str:
    if not results:
        return CheckResult.NOT_MET
    if all(r.status == CheckResult.MET for r in results):
        return CheckResult.MET
    if all(r.status == CheckResult.NOT_MET for r in results):
        return CheckResult.NOT_MET
    return CheckResult.PARTIAL
