"""Import from the reference catalogue of typical hospital activities and resources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction

from apps.bia.models import Activity, ActivityDependency, OrgUnit, Resource, ResourceDependency
from apps.bia.services.activities import activity_create, org_unit_resolve
from apps.bia.services.resources import activity_dependency_set, resource_create, resource_dependency_set
from apps.core.db import analyze
from apps.core.services import ensure_same_organization
from apps.tenants.models import Establishment, Organization

if TYPE_CHECKING:
    from apps.accounts.models import User


@transaction.atomic
def catalogue_import(*, organization: Organization, actor: User | None, establishment: Establishment,
                     activity_codes: Iterable[str], resource_codes: Iterable[str] = ()) -> dict[str, int]:
    """Import catalogue activities into an establishment, with the resources they typically use.

    Existing rows (same name) are reused, never duplicated or overwritten: importing twice is harmless.
    Returns how many activities, resources and dependencies were created.
    """
    from apps.bia import catalogue

    ensure_same_organization(organization, {"establishment": establishment})
    act_catalogue = catalogue.activity_by_code()
    res_catalogue = catalogue.resource_by_code()
    wanted_activities = [act_catalogue[c] for c in activity_codes if c in act_catalogue]
    wanted_resources: list[str] = [c for c in resource_codes if c in res_catalogue]
    for entry in wanted_activities:
        wanted_resources += [c for c in entry["resources"] if c in res_catalogue]
    # Close over resource → resource dependencies so the chains reach the infrastructure.
    queue = list(dict.fromkeys(wanted_resources))
    seen: set[str] = set()
    while queue:
        code = queue.pop()
        if code in seen:
            continue
        seen.add(code)
        queue += [d for d in res_catalogue[code]["depends_on"] if d in res_catalogue and d not in seen]
    counts = {"activities": 0, "resources": 0, "dependencies": 0}
    existing = {(r.kind, r.name): r for r in Resource.objects.filter(organization=organization)}
    by_code: dict[str, Resource] = {}
    for code in sorted(seen):
        entry = res_catalogue[code]
        resource = existing.get((entry["kind"], entry["name"]))
        if resource is None:
            resource = resource_create(organization=organization, actor=actor, data={
                "kind": entry["kind"], "name": entry["name"], "description": entry.get("description", ""),
                "catalogue_code": code,
            })
            counts["resources"] += 1
        by_code[code] = resource
    for code, resource in by_code.items():
        for dep in res_catalogue[code]["depends_on"]:
            if dep in by_code and not ResourceDependency.objects.filter(resource=resource,
                                                                        depends_on=by_code[dep]).exists():
                resource_dependency_set(resource=resource, actor=actor, depends_on=by_code[dep])
                counts["dependencies"] += 1
    existing_activities = {a.name: a for a in Activity.objects.filter(organization=organization,
                                                                      establishment=establishment)}
    for entry in wanted_activities:
        activity = existing_activities.get(entry["name"])
        if activity is None:
            unit = org_unit_resolve(organization=organization, establishment=establishment, pole=entry.get("pole", ""),
                                    service=entry.get("service", ""))
            activity = activity_create(organization=organization, actor=actor, data={
                "establishment": establishment, "unit": unit, "name": entry["name"],
                "process": entry.get("process", ""), "care_perimeter": entry.get("care_perimeter", "none"),
                "catalogue_code": entry["code"],
            })
            counts["activities"] += 1
        for code in entry["resources"]:
            if code in by_code and not ActivityDependency.objects.filter(activity=activity,
                                                                         resource=by_code[code]).exists():
                activity_dependency_set(activity=activity, actor=actor, resource=by_code[code])
                counts["dependencies"] += 1
    if any(counts.values()):
        analyze(Activity, Resource, ActivityDependency, ResourceDependency, OrgUnit)  # once committed
    return counts
