"""What a plan relies on in the BIA, as plain JSON, to flag a plan « à revoir » after approval.

``bia_state`` reads the organization's BIA once (three queries); ``fingerprint`` cuts the part a
plan's activities rely on (their needs and the resources they reach, with their capabilities);
``fingerprint_changes`` turns two fingerprints into sentences a user can act on.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from apps.backups.measured import measures
from apps.bia.models import Activity, ActivityDependency, ActivityLink, Resource, ResourceDependency

if TYPE_CHECKING:
    from apps.tenants.models import Organization


@dataclass
class BiaState:
    activities: dict[int, dict[str, Any]] = field(default_factory=dict)
    resources: dict[int, dict[str, Any]] = field(default_factory=dict)
    activity_resources: dict[int, list[int]] = field(default_factory=dict)
    activity_links: dict[int, list[int]] = field(default_factory=dict)
    resource_links: dict[int, list[int]] = field(default_factory=dict)


def bia_state(*, organization: Organization) -> BiaState:
    state = BiaState()
    for pk, name, override, derived, pdma, criticality in Activity.objects.filter(organization=organization).values_list(
        "id", "name", "dmia_override_hours", "dmia_derived_hours", "pdma_hours", "criticality"
    ):
        state.activities[pk] = {"name": name, "dmia": override if override is not None else derived, "pdma": pdma,
                                "criticality": criticality}
    measured = measures(organization=organization)  # derived from the restoration tests
    for pk, name, rto, rpo in Resource.objects.filter(organization=organization).values_list(
        "id", "name", "rto_capability_hours", "rpo_capability_hours"
    ):
        measure = measured.get(pk)
        state.resources[pk] = {"name": name, "rto": rto, "rpo": rpo,
                               "measured": measure.rto_hours if measure else None}
    for a, r in ActivityDependency.objects.filter(organization=organization).values_list("activity_id", "resource_id"):
        state.activity_resources.setdefault(a, []).append(r)
    for a, b in ActivityLink.objects.filter(organization=organization).values_list("activity_id", "depends_on_id"):
        state.activity_links.setdefault(a, []).append(b)
    for a, b in ResourceDependency.objects.filter(organization=organization).values_list("resource_id", "depends_on_id"):
        state.resource_links.setdefault(a, []).append(b)
    return state


def fingerprint(state: BiaState, activity_ids: list[int]) -> dict[str, Any]:
    """The plan's activities (needs, direct dependencies) and every resource they reach (capabilities)."""
    activities: dict[str, Any] = {}
    reached: set[int] = set()
    for pk in sorted(set(activity_ids)):
        data = state.activities.get(pk)
        if data is None:
            continue
        deps = sorted(state.activity_resources.get(pk, []))
        activities[str(pk)] = {**data, "resources": [state.resources[r]["name"] for r in deps if r in state.resources]}
        queue = deque(deps)
        while queue:
            r = queue.popleft()
            if r in reached or r not in state.resources:
                continue
            reached.add(r)
            queue.extend(state.resource_links.get(r, []))
    resources = {str(r): state.resources[r] for r in sorted(reached)}
    return {"activities": activities, "resources": resources}


def _fmt(value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)




def fingerprint_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What changed in the BIA since approval, one sentence per change."""
    if not old:
        return []
    changes: list[str] = []
    labels = {"dmia": "DMIA", "pdma": "PDMA", "criticality": _("criticality"), "resources": _("dependencies"),
              "rto": "RTO", "rpo": "RPO", "measured": _("measured restore"), "name": _("name")}
    for section in ("activities", "resources"):
        before, after = old.get(section, {}), new.get(section, {})
        for pk, data in before.items():
            name = data.get("name", pk)
            if pk not in after:
                if section == "activities":
                    changes.append(_("%(name)s was removed from the BIA.") % {"name": name})
                else:
                    changes.append(_("%(name)s is no longer a dependency.") % {"name": name})
                continue
            for key, value in data.items():
                if after[pk].get(key) != value:
                    changes.append(_("%(name)s: %(field)s changed from %(old)s to %(new)s.") % {
                        "name": name, "field": labels.get(key, key), "old": _fmt(value), "new": _fmt(after[pk].get(key))})
        for pk, data in after.items():
            if pk not in before and section == "resources":
                changes.append(_("%(name)s is a new dependency.") % {"name": data.get("name", pk)})
    return changes
