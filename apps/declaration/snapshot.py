"""What a declaration declares, as plain JSON: requirement statuses (read from apps.compliance, never
recomputed here), plan versions, cost totals; its canonical SHA-256; the difference between two snapshots."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def take(*, organization: Organization) -> dict[str, Any]:
    from apps.compliance.selectors import requirement_statuses
    from apps.continuity.models import Plan
    from apps.costs.selectors import cost_totals

    statuses = {s.requirement.id: {"status": s.status if s.has_checks else "unchecked",
                                   "missing": [str(m) for m in s.missing]}
                for s in requirement_statuses(organization=organization)}
    plans = {f"{title} (#{pk})": {"version": number, "status": status} for pk, title, number, status in
             Plan.objects.filter(organization=organization, current_version__isnull=False)
             .values_list("pk", "title", "current_version__number", "current_version__status")}
    totals = cost_totals(organization=organization)
    costs = {"total_ht": str(totals.grand.ht), "total_ttc": str(totals.grand.ttc), "lines": totals.grand.count,
             "by_requirement": {t.key: str(t.ht) for t in totals.by_requirement if t.count}}
    return {"requirements": statuses, "plans": plans, "costs": costs}


def checksum(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _status(code: str | None) -> str:
    from apps.compliance.exports import result_label

    if not code:
        return "—"
    return str(_("Not assessed yet")) if code == "unchecked" else str(result_label(code))


def _plan(entry: dict[str, Any] | None) -> str:
    from apps.continuity.models import PlanVersion

    if not entry:
        return "—"
    labels = dict(PlanVersion.Status.choices)
    return f"v{entry['version']} ({labels.get(entry['status'], entry['status'])})"


def _amount(value: Any) -> str:
    from decimal import Decimal, InvalidOperation

    from django.utils.formats import number_format

    try:
        return f"{number_format(Decimal(str(value)), decimal_pos=2, force_grouping=True)} €"
    except (InvalidOperation, ValueError):
        return "—"


def diff(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Sentences saying what changed since the signed version (empty: nothing), with the pages' labels."""
    changes: list[str] = []
    old_req, new_req = before.get("requirements", {}), now.get("requirements", {})
    for requirement_id in sorted(set(old_req) | set(new_req)):
        was, is_ = old_req.get(requirement_id, {}).get("status"), new_req.get(requirement_id, {}).get("status")
        if was != is_:
            changes.append(_("%(id)s: status %(was)s → %(now)s") % {"id": requirement_id, "was": _status(was),
                                                                     "now": _status(is_)})
    old_plans, new_plans = before.get("plans", {}), now.get("plans", {})
    for name in sorted(set(old_plans) | set(new_plans)):
        was, is_ = old_plans.get(name), new_plans.get(name)
        if was != is_:
            changes.append(_("Plan « %(name)s »: %(was)s → %(now)s") % {"name": name, "was": _plan(was),
                                                                        "now": _plan(is_)})
    old_costs, new_costs = before.get("costs", {}), now.get("costs", {})
    for key, label in (("total_ht", _("Total costs excl. VAT")), ("total_ttc", _("Total costs incl. VAT"))):
        if old_costs.get(key) != new_costs.get(key):
            changes.append(f"{label} : {_amount(old_costs.get(key, '0'))} → {_amount(new_costs.get(key, '0'))}")
    if old_costs.get("lines") != new_costs.get("lines"):
        label = _("Number of expense lines")
        changes.append(f"{label} : {old_costs.get('lines', 0)} → {new_costs.get('lines', 0)}")
    return changes
