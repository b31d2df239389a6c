"""Resource writes and the dependency links (activity → resource, resource → resource,
activity → upstream activity), each with its workaround."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.bia.models import Activity, ActivityDependency, ActivityLink, Resource, ResourceDependency
from apps.core.deletion import ensure_deletable
from apps.core.services import ensure_same_organization, model_update, models_update_many
from apps.tenants.models import Organization

if TYPE_CHECKING:
    from apps.accounts.models import User

RESOURCE_FIELDS = ["kind", "name", "description", "catalogue_code", "establishment", "vendor", "is_saas",
                   "rto_capability_hours", "rpo_capability_hours", "contract_reference", "contract_end", "sla",
                   "contact_24_7"]


@transaction.atomic
def resource_create(*, organization: Organization, actor: User | None, data: dict[str, Any]) -> Resource:
    ensure_same_organization(organization, {"establishment": data.get("establishment")})
    resource = Resource(organization=organization, **{f: data[f] for f in RESOURCE_FIELDS if f in data})
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def resources_create_many(*, organization: Organization, actor: User | None, rows: list[dict[str, Any]],
                          batch_size: int = 500) -> list[Resource]:
    """Create many resources in one go (an import of thousands of rows): each row validated like
    ``resource_create`` (fields and ``clean``), the establishments checked once for the whole batch
    (organization and the member's limit), then ``bulk_create``. The caller has checked that the names are
    free (the unique constraint refuses a duplicate anyway and the transaction rolls back). Bulk inserts
    bypass the model signals: the history triggers still record each row, the BIA analysis refresh is asked
    for here."""
    from apps.bia.refresh import refresh_on_commit

    ensure_same_organization(organization, list({id(r["establishment"]): r["establishment"] for r in rows
                                                 if r.get("establishment") is not None}.values()))
    resources = []
    for data in rows:
        resource = Resource(organization=organization, **{f: data[f] for f in RESOURCE_FIELDS if f in data})
        resource.full_clean(exclude=["organization", "establishment"], validate_unique=False,
                            validate_constraints=False)
        resources.append(resource)
    created = Resource.objects.bulk_create(resources, batch_size=batch_size)
    refresh_on_commit(organization.pk)
    return created


@transaction.atomic
def resource_update(*, resource: Resource, actor: User | None, data: dict[str, Any]) -> Resource:
    ensure_same_organization(resource.organization, {"establishment": data.get("establishment")})
    model_update(instance=resource, data=data, fields=RESOURCE_FIELDS)
    return resource


@transaction.atomic
def resources_update_many(*, organization: Organization, actor: User | None,
                          updates: list[tuple[Resource, dict[str, Any]]]) -> list[Resource]:
    """``resource_update`` for many resources (an import): the establishments checked once for the whole batch,
    each row validated (``models_update_many``: the unique name checked when the name or the kind changes), one
    ``bulk_update`` per set of changed fields; the history triggers record each row. ``RowInvalid`` names the
    row that fails."""
    from apps.bia.refresh import refresh_on_commit

    ensure_same_organization(organization, [r for r, _d in updates] + list(
        {id(e): e for _r, d in updates if (e := d.get("establishment")) is not None}.values()))
    changed = models_update_many(updates=updates, fields=RESOURCE_FIELDS, unique_fields={"name", "kind"})
    if changed:
        refresh_on_commit(organization.pk)
    return changed


@transaction.atomic
def resource_delete(*, resource: Resource, actor: User | None) -> None:
    """Refused while a frozen plan names it or restoration tests are recorded for it."""
    ensure_deletable(resource)
    resource.delete()


def _link_upsert(model: type[Any], *, organization: Organization, workaround_exists: bool, workaround_note: str,
                 workaround_hours: int | None = None, **ends: Any) -> Any:
    """Create or update the dependency row between ``ends`` (one row per pair), with its workaround."""
    link = model.objects.filter(organization=organization, **ends).first()
    if link is None:
        link = model(organization=organization, **ends)
    link.workaround_exists = workaround_exists
    link.workaround_note = workaround_note
    link.workaround_hours = workaround_hours if workaround_exists else None  # no workaround, no duration
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def activity_dependency_set(*, activity: Activity, actor: User | None, resource: Resource, workaround_exists: bool = False,
                            workaround_note: str = "", workaround_hours: int | None = None) -> ActivityDependency:
    ensure_same_organization(activity.organization, {"resource": resource})
    return _link_upsert(ActivityDependency, organization=activity.organization, activity=activity, resource=resource,
                        workaround_exists=workaround_exists, workaround_note=workaround_note,
                        workaround_hours=workaround_hours)


@transaction.atomic
def activity_dependency_remove(*, dependency: ActivityDependency, actor: User | None) -> None:
    dependency.delete()


@transaction.atomic
def resource_dependency_set(*, resource: Resource, actor: User | None, depends_on: Resource, workaround_exists: bool = False,
                            workaround_note: str = "", workaround_hours: int | None = None) -> ResourceDependency:
    """Link two resources; a link that closes a cycle is allowed (real IT has them) and reported by the engine."""
    ensure_same_organization(resource.organization, {"depends_on": depends_on})
    if resource.pk == depends_on.pk:
        raise ValidationError({"depends_on": _("A resource cannot depend on itself.")})
    return _link_upsert(ResourceDependency, organization=resource.organization, resource=resource,
                        depends_on=depends_on, workaround_exists=workaround_exists, workaround_note=workaround_note,
                        workaround_hours=workaround_hours)


@transaction.atomic
def resource_dependency_remove(*, dependency: ResourceDependency, actor: User | None) -> None:
    dependency.delete()


@transaction.atomic
def activity_link_set(*, activity: Activity, actor: User | None, depends_on: Activity, workaround_exists: bool = False,
                      workaround_note: str = "", workaround_hours: int | None = None) -> ActivityLink:
    ensure_same_organization(activity.organization, {"depends_on": depends_on})
    if activity.pk == depends_on.pk:
        raise ValidationError({"depends_on": _("An activity cannot depend on itself.")})
    return _link_upsert(ActivityLink, organization=activity.organization, activity=activity, depends_on=depends_on,
                        workaround_exists=workaround_exists, workaround_note=workaround_note,
                        workaround_hours=workaround_hours)


# The two ends of each kind of dependency row, as the ``*_set`` services name them.
LINK_ENDS: dict[type[Any], tuple[str, str]] = {ActivityDependency: ("activity", "resource"),
                                              ResourceDependency: ("resource", "depends_on"),
                                              ActivityLink: ("activity", "depends_on")}


@transaction.atomic
def dependencies_set_many(*, organization: Organization, actor: User | None, model: type[Any],
                          rows: list[dict[str, Any]], batch_size: int = 500) -> tuple[int, int]:
    """Create or update many dependency rows of one kind in one go (an import of thousands of rows), as the
    ``*_set`` services do one by one: each row holds its two ends (the fields of ``LINK_ENDS[model]``, objects)
    and its workaround; an existing pair gets the new workaround, a new pair is created. The ends are checked
    once for the whole batch (organization and the member's limit), each row validated (fields, no workaround
    no duration, not itself), then ``bulk_create`` and one UPDATE per distinct workaround. The caller gives each pair once (the
    unique constraint refuses a duplicate anyway and the transaction rolls back). The history triggers record
    each row; the BIA analysis refresh is asked for here. Returns (created, updated)."""
    from apps.bia.refresh import refresh_on_commit

    a, b = LINK_ENDS[model]
    ensure_same_organization(organization, list({id(v): v for r in rows for v in (r[a], r[b])}.values()))
    existing = {(getattr(link, f"{a}_id"), getattr(link, f"{b}_id")): link for link in model.objects.filter(
        organization=organization, **{f"{a}__in": sorted({r[a].pk for r in rows})})}
    created, updated, now = [], [], timezone.now()
    for data in rows:
        source, target = data[a], data[b]
        if type(source) is type(target) and source.pk == target.pk:
            raise ValidationError({b: _("An item cannot depend on itself.")})
        link = existing.get((source.pk, target.pk))
        if link is None:
            link = model(organization=organization, **{a: source, b: target})
            created.append(link)
        else:
            updated.append(link)
        link.workaround_exists = data["workaround_exists"]
        link.workaround_note = data["workaround_note"]
        link.workaround_hours = data["workaround_hours"] if data["workaround_exists"] else None
        # Ends checked above, the pair and the bounds by the database: no query per row.
        link.full_clean(exclude=["organization", a, b], validate_unique=False, validate_constraints=False)
    model.objects.bulk_create(created, batch_size=batch_size)
    # One UPDATE per distinct workaround rather than ``bulk_update``: its CASE over every id of the batch costs
    # each row the length of the batch (measured: 5,000 rows in 26 s); a file repeats a few workarounds.
    groups: dict[tuple[bool, str, int | None], list[int]] = {}
    for link in updated:
        groups.setdefault((link.workaround_exists, link.workaround_note, link.workaround_hours), []).append(link.pk)
    for (exists, note, hours), pks in groups.items():
        for start in range(0, len(pks), batch_size * 4):
            model.objects.filter(organization=organization, pk__in=pks[start:start + batch_size * 4]).update(
                workaround_exists=exists, workaround_note=note, workaround_hours=hours, updated_at=now)
    refresh_on_commit(organization.pk)
    return len(created), len(updated)


@transaction.atomic
def activity_link_remove(*, link: ActivityLink, actor: User | None) -> None:
    link.delete()
