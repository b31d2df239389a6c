"""Activity map writes: organizational units, activities, their business owner, deletion.

The business owner of an activity gets the guardian object permission ``bia.answer_activity``
(CaRE D2.O1.C: BIAs are answered by the people who run the activity)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from apps.bia.models import Activity, OrgUnit
from apps.bia.tasks import notify_owner_assigned
from apps.core.deletion import ensure_deletable
from apps.core.services import ensure_same_organization, model_update, models_update_many
from apps.core.tasks import enqueue_on_commit
from apps.tenants.models import Establishment, Organization, Site

if TYPE_CHECKING:
    from apps.accounts.models import User

ANSWER_PERMISSION = "bia.answer_activity"


@transaction.atomic
def org_unit_create(*, organization: Organization, actor: User | None, establishment: Establishment, name: str,
                    kind: str = OrgUnit.Kind.SERVICE, parent: OrgUnit | None = None, site: Site | None = None,
                    code: str = "") -> OrgUnit:
    ensure_same_organization(organization, {"establishment": establishment, "parent": parent, "site": site})
    unit = OrgUnit(organization=organization, establishment=establishment, name=name, kind=kind, parent=parent,
                   site=site, code=code)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def org_unit_resolve(*, organization: Organization, establishment: Establishment, pole: str = "", service: str = "",
                     site: Site | None = None) -> OrgUnit | None:
    """Find or create the pôle and the service/UF named on an activity form (names are matched exactly)."""
    ensure_same_organization(organization, {"establishment": establishment, "site": site})
    pole_unit = None
    if pole.strip():
        pole_unit, _created = OrgUnit.objects.get_or_create(
            organization=organization, establishment=establishment, kind=OrgUnit.Kind.POLE, name=pole.strip(),
            defaults={"site": site},
        )
    if not service.strip():
        return pole_unit
    unit, created = OrgUnit.objects.get_or_create(
        organization=organization, establishment=establishment, kind=OrgUnit.Kind.SERVICE, name=service.strip(),
        defaults={"parent": pole_unit, "site": site},
    )
    if not created and pole_unit is not None and unit.parent_id != pole_unit.pk:
        unit.parent = pole_unit
        unit.save(update_fields=["parent", "updated_at"])
    return unit


ACTIVITY_FIELDS = ["establishment", "site", "unit", "name", "process", "description", "care_perimeter",
                   "catalogue_code", "recovery_priority"]


@transaction.atomic
def activity_create(*, organization: Organization, actor: User | None, data: dict[str, Any],
                    owner: User | None = None, notify: bool = False) -> Activity:
    ensure_same_organization(organization, {"establishment": data.get("establishment"), "site": data.get("site"), "unit": data.get("unit")})
    activity = Activity(organization=organization, **{f: data[f] for f in ACTIVITY_FIELDS if f in data})
    activity.full_clean()
    activity.save()
    if owner is not None:
        activity_assign_owner(activity=activity, actor=actor, owner=owner, notify=notify)
    return activity


@transaction.atomic
def activities_create_many(*, organization: Organization, actor: User | None, rows: list[dict[str, Any]],
                           batch_size: int = 500) -> list[Activity]:
    """Create many activities in one go (an import): each row validated like ``activity_create`` (fields and
    ``clean``), the establishments, sites and units checked once for the whole batch (organization and the
    member's limit), then ``bulk_create`` (the history triggers record each row; the BIA analysis refresh is
    asked for here, bulk inserts sending no signal). No business owner is assigned."""
    from apps.bia.refresh import refresh_on_commit

    related = {id(v): v for r in rows for k in ("establishment", "site", "unit") if (v := r.get(k)) is not None}
    ensure_same_organization(organization, list(related.values()))
    activities = []
    for data in rows:
        activity = Activity(organization=organization, **{f: data[f] for f in ACTIVITY_FIELDS if f in data})
        activity.full_clean(exclude=["organization", "establishment", "site", "unit"], validate_unique=False,
                            validate_constraints=False)
        activities.append(activity)
    created = Activity.objects.bulk_create(activities, batch_size=batch_size)
    refresh_on_commit(organization.pk)
    return created


@transaction.atomic
def activity_update(*, activity: Activity, actor: User | None, data: dict[str, Any]) -> Activity:
    organization = activity.organization
    ensure_same_organization(organization, {"establishment": data.get("establishment"), "site": data.get("site"), "unit": data.get("unit")})
    model_update(instance=activity, data=data, fields=ACTIVITY_FIELDS)
    return activity


@transaction.atomic
def activities_update_many(*, organization: Organization, actor: User | None,
                           updates: list[tuple[Activity, dict[str, Any]]]) -> list[Activity]:
    """``activity_update`` for many activities (an import): the establishments, sites and units checked once for
    the whole batch, each row validated (``models_update_many``: the unique name checked when the name or the
    establishment changes), one ``bulk_update`` per set of changed fields; the history triggers record each
    row. ``RowInvalid`` names the row that fails."""
    from apps.bia.refresh import refresh_on_commit

    related = {id(v): v for _a, d in updates for k in ("establishment", "site", "unit") if (v := d.get(k)) is not None}
    ensure_same_organization(organization, [a for a, _d in updates] + list(related.values()))
    changed = models_update_many(updates=updates, fields=ACTIVITY_FIELDS, unique_fields={"name", "establishment"})
    if changed:
        refresh_on_commit(organization.pk)
    return changed


@transaction.atomic
def activity_assign_owner(*, activity: Activity, actor: User | None, owner: User | None, notify: bool = False) -> Activity:
    """Make ``owner`` the business owner: only they (and BIA managers) can answer the questionnaire.

    ``notify`` has the worker e-mail the new owner after commit (the activity form does; imports and the
    demo don't).
    """
    from apps.tenants.models import Membership

    if owner is not None and not Membership.objects.filter(organization_id=activity.organization_id,
                                                           user=owner).exists():
        raise ValidationError({"owner": _("The business owner must be a member of the organization.")})
    previous = activity.owner
    if previous is not None and previous != owner:
        remove_perm(ANSWER_PERMISSION, previous, activity)
    activity.owner = owner
    activity.save(update_fields=["owner", "updated_at"])
    if owner is not None:
        assign_perm(ANSWER_PERMISSION, owner, activity)
        if notify and owner != previous:
            enqueue_on_commit(notify_owner_assigned, activity.organization, activity.pk, user=actor)
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, actor: User | None) -> None:
    """Delete an activity with its answers and links; refused while a frozen plan names it
    (``apps.core.deletion`` guards, registered by the apps built on the BIA)."""
    ensure_deletable(activity)
    if activity.owner is not None:
        remove_perm(ANSWER_PERMISSION, activity.owner, activity)
    activity.delete()


@transaction.atomic
def campaign_set(*, organization: Organization, actor: User | None, establishment: Establishment,
                 due_date: Any, remind_days_before: int = 7, remind_days_after: int = 3) -> Any:
    """Set the due date of one establishment's BIA campaign and when its business owners are reminded (beat,
    ``apps.bia.campaign``). A member limited to some establishments sets only theirs."""
    from apps.bia.models import Campaign
    from apps.core import tenancy

    ensure_same_organization(organization, {"establishment": establishment})
    limit = tenancy.allowed_establishments()
    if limit is not None and establishment.pk not in limit:
        raise ValidationError({"establishment": _("You cannot change this establishment's campaign.")})
    campaign = Campaign.objects.filter(organization=organization, establishment=establishment).first() or Campaign(
        organization=organization, establishment=establishment, due_date=due_date)
    campaign.due_date, campaign.remind_days_before, campaign.remind_days_after = (
        due_date, remind_days_before, remind_days_after)
    campaign.full_clean()
    campaign.save()
    return campaign
