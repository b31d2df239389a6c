"""Writes for the BIA: scales, activity map, questionnaire answers, campaign, resources, dependencies.

Every function is keyword-only, typed, atomic and validated (``full_clean``). Business rules:
- DMIA derived from the impact grid = the first horizon where any active criterion reaches the
  organization's intolerable level (``engine.derive_dmia``); an override needs a justification.
- criticality comes from the DMIA in force and the organization's thresholds (``engine.criticality_for``).
- the business owner of an activity gets the guardian object permission ``bia.answer_activity``
  (CaRE D2.O1.C: BIAs are answered by the people who run the activity).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from apps.bia import engine, notifications
from apps.bia.models import (
    Activity,
    ActivityDependency,
    ActivityLink,
    BiaSettings,
    ImpactAnswer,
    ImpactCriterion,
    ImpactLevel,
    OrgUnit,
    Resource,
    ResourceDependency,
    TimeHorizon,
)
from apps.core.deletion import ensure_deletable
from apps.core.models import AuditEvent
from apps.core.services import audit_log, model_update
from apps.tenants.models import Establishment, Organization, Site

ANSWER_PERMISSION = "bia.answer_activity"

# --- Scales -------------------------------------------------------------------------------------

DEFAULT_LEVEL_LABELS = {1: "Mineur", 2: "Significatif", 3: "Grave", 4: "Critique"}

DEFAULT_CRITERIA: list[tuple[str, str, dict[int, str]]] = [
    ("securite_patient", "Sécurité des patients", {
        1: "Aucune conséquence pour les patients.",
        2: "Retards de prise en charge sans conséquence clinique.",
        3: "Perte de chance possible pour certains patients, transferts nécessaires.",
        4: "Mise en danger de patients, événements indésirables graves.",
    }),
    ("qualite_soins", "Qualité et continuité des soins", {
        1: "Gêne ponctuelle, soins assurés normalement.",
        2: "Soins dégradés sur une partie de l'activité.",
        3: "Déprogrammations, fermeture partielle de l'activité.",
        4: "Arrêt de l'activité de soins.",
    }),
    ("juridique", "Juridique et réglementaire", {
        1: "Aucun manquement.",
        2: "Manquement mineur régularisable.",
        3: "Manquement réglementaire signalable (ARS, CNIL).",
        4: "Mise en cause pénale ou sanction de l'établissement.",
    }),
    ("financier", "Financier", {
        1: "Perte inférieure à 10 000 €.",
        2: "Perte de 10 000 € à 100 000 €.",
        3: "Perte de 100 000 € à 1 M€.",
        4: "Perte supérieure à 1 M€.",
    }),
    ("image", "Image et confiance", {
        1: "Aucun écho extérieur.",
        2: "Plaintes isolées de patients ou de partenaires.",
        3: "Couverture médiatique locale.",
        4: "Couverture médiatique nationale, perte durable de confiance.",
    }),
    ("organisationnel", "Organisationnel et ressources humaines", {
        1: "Absorbé par l'organisation habituelle.",
        2: "Heures supplémentaires, réorganisation ponctuelle.",
        3: "Épuisement des équipes, renforts nécessaires.",
        4: "Désorganisation durable, personnel en incapacité de travailler.",
    }),
]

DEFAULT_HORIZONS: list[tuple[str, int]] = [
    ("≤ 4 h", 4), ("4 h – 24 h", 24), ("24 h – 72 h", 72), ("72 h – 1 semaine", 168), ("> 1 semaine", 720),
]


@transaction.atomic
def scales_ensure_defaults(*, organization: Organization) -> BiaSettings:
    """Create the default method (settings, six hospital criteria with levels 1–4, five horizons) once."""
    settings_row = BiaSettings.objects.filter(organization=organization).first()
    if settings_row is None:
        settings_row = BiaSettings(organization=organization)
        settings_row.full_clean()
        settings_row.save()
    if not ImpactCriterion.objects.filter(organization=organization).exists():
        for order, (code, name, descriptions) in enumerate(DEFAULT_CRITERIA):
            criterion = ImpactCriterion.objects.create(organization=organization, code=code, name=name, order=order)
            ImpactLevel.objects.bulk_create([
                ImpactLevel(organization=organization, criterion=criterion, level=level,
                            label=DEFAULT_LEVEL_LABELS[level], description=text)
                for level, text in descriptions.items()
            ])
    if not TimeHorizon.objects.filter(organization=organization).exists():
        TimeHorizon.objects.bulk_create([
            TimeHorizon(organization=organization, label=label, hours=hours, order=order)
            for order, (label, hours) in enumerate(DEFAULT_HORIZONS)
        ])
    return settings_row


def bia_settings(*, organization: Organization) -> BiaSettings:
    row = BiaSettings.objects.filter(organization=organization).first()
    return row if row is not None else scales_ensure_defaults(organization=organization)


def _thresholds(settings_row: BiaSettings) -> engine.Thresholds:
    return engine.Thresholds(
        critical=settings_row.critical_max_dmia_hours, high=settings_row.high_max_dmia_hours,
        medium=settings_row.medium_max_dmia_hours,
    )


def _grid_inputs(organization: Organization) -> tuple[list[tuple[int, int]], set[int]]:
    horizons = list(TimeHorizon.objects.filter(organization=organization).values_list("id", "hours"))
    active = set(ImpactCriterion.objects.filter(organization=organization, is_active=True).values_list("id", flat=True))
    return horizons, active


def activities_recompute(*, organization: Organization, activity_ids: Iterable[int] | None = None) -> int:
    """Recompute derived DMIA and criticality (after answers or scales change). Returns rows changed."""
    settings_row = bia_settings(organization=organization)
    horizons, active = _grid_inputs(organization)
    activities = Activity.objects.filter(organization=organization)
    if activity_ids is not None:
        activities = activities.filter(pk__in=list(activity_ids))
    activities = list(activities)
    cells: dict[int, dict[tuple[int, int], int]] = {a.pk: {} for a in activities}
    for activity_id, criterion_id, horizon_id, level in ImpactAnswer.objects.filter(
        organization=organization, activity_id__in=list(cells)
    ).values_list("activity_id", "criterion_id", "horizon_id", "level"):
        if criterion_id in active:
            cells[activity_id][(criterion_id, horizon_id)] = level
    thresholds = _thresholds(settings_row)
    changed = []
    for activity in activities:
        before = (activity.dmia_derived_hours, activity.criticality)
        activity.dmia_derived_hours = engine.derive_dmia(cells[activity.pk], horizons, settings_row.intolerable_level)
        activity.criticality = engine.criticality_for(activity.dmia_hours, thresholds)
        if (activity.dmia_derived_hours, activity.criticality) != before:
            changed.append(activity)
    now = timezone.now()
    for activity in changed:
        activity.updated_at = now  # bulk_update skips auto_now; the graph fingerprint relies on it
    Activity.objects.bulk_update(changed, ["dmia_derived_hours", "criticality", "updated_at"])
    return len(changed)


@transaction.atomic
def bia_settings_update(*, organization: Organization, actor: Any, data: dict[str, Any]) -> BiaSettings:
    """Change the method; every activity's derived DMIA and criticality follow (never silently stale)."""
    row = bia_settings(organization=organization)
    fields = ["intolerable_level", "critical_max_dmia_hours", "high_max_dmia_hours", "medium_max_dmia_hours",
              "method_note"]
    row, changed = model_update(instance=row, data=data, fields=fields)
    if not (row.critical_max_dmia_hours <= row.high_max_dmia_hours <= row.medium_max_dmia_hours):
        raise ValidationError(_("The criticality thresholds must increase: critical ≤ high ≤ medium."))
    if changed:
        activities_recompute(organization=organization)
    return row


@transaction.atomic
def horizon_update(*, horizon: TimeHorizon, actor: Any, data: dict[str, Any]) -> TimeHorizon:
    horizon, changed = model_update(instance=horizon, data=data, fields=["label", "hours", "order"])
    if changed:
        activities_recompute(organization=horizon.organization)
    return horizon


@transaction.atomic
def horizon_create(*, organization: Organization, actor: Any, label: str, hours: int) -> TimeHorizon:
    horizon = TimeHorizon(organization=organization, label=label, hours=hours,
                          order=TimeHorizon.objects.filter(organization=organization).count())
    horizon.full_clean()
    horizon.save()
    return horizon


@transaction.atomic
def horizon_delete(*, horizon: TimeHorizon, actor: Any) -> None:
    """Only an unanswered horizon can go: answers would otherwise silently change meaning."""
    if ImpactAnswer.objects.filter(horizon=horizon).exists():
        raise ValidationError(_("This time horizon already has answers; it cannot be deleted."))
    horizon.delete()


@transaction.atomic
def criterion_create(*, organization: Organization, actor: Any, code: str, name: str) -> ImpactCriterion:
    criterion = ImpactCriterion(organization=organization, code=code, name=name,
                                order=ImpactCriterion.objects.filter(organization=organization).count())
    criterion.full_clean()
    criterion.save()
    ImpactLevel.objects.bulk_create([
        ImpactLevel(organization=organization, criterion=criterion, level=level, label=label, description="")
        for level, label in DEFAULT_LEVEL_LABELS.items()
    ])
    return criterion


@transaction.atomic
def criterion_update(*, criterion: ImpactCriterion, actor: Any, data: dict[str, Any],
                     level_descriptions: Mapping[int, str] | None = None) -> ImpactCriterion:
    """Rename, reorder, (de)activate a criterion; deactivating recomputes DMIAs without losing answers."""
    criterion, changed = model_update(instance=criterion, data=data, fields=["name", "order", "is_active"])
    for level in criterion.levels.all():
        if level_descriptions and level.level in level_descriptions:
            model_update(instance=level, data={"description": level_descriptions[level.level]}, fields=["description"])
    if changed:
        activities_recompute(organization=criterion.organization)
    return criterion


# --- Activity map ------------------------------------------------------------------------------

def _check_same_org(organization: Organization, **objects: Any) -> None:
    for field, obj in objects.items():
        if obj is not None and obj.organization_id != organization.id:
            raise ValidationError({field: _("Choose one of this organization's items.")})


@transaction.atomic
def org_unit_create(*, organization: Organization, actor: Any, establishment: Establishment, name: str,
                    kind: str = OrgUnit.Kind.SERVICE, parent: OrgUnit | None = None, site: Site | None = None,
                    code: str = "") -> OrgUnit:
    _check_same_org(organization, establishment=establishment, parent=parent, site=site)
    unit = OrgUnit(organization=organization, establishment=establishment, name=name, kind=kind, parent=parent,
                   site=site, code=code)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def org_unit_resolve(*, organization: Organization, establishment: Establishment, pole: str = "", service: str = "",
                     site: Site | None = None) -> OrgUnit | None:
    """Find or create the pôle and the service/UF named on an activity form (names are matched exactly)."""
    _check_same_org(organization, establishment=establishment, site=site)
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
QUESTIONNAIRE_FIELDS = ["description", "critical_periods", "pdma_hours", "minimum_staff", "key_skills",
                        "degraded_mode_exists", "degraded_mode_description", "degraded_mode_reference",
                        "degraded_mode_updated_on", "fallback_premises", "data_to_reenter",
                        "dmia_override_hours", "dmia_override_justification"]


def _validate_override(activity: Activity) -> None:
    if activity.dmia_override_hours is not None and not activity.dmia_override_justification.strip():
        raise ValidationError({"dmia_override_justification": _("Explain why the DMIA is set by hand.")})


@transaction.atomic
def activity_create(*, organization: Organization, actor: Any, data: dict[str, Any],
                    owner: Any = None, notify: bool = False) -> Activity:
    _check_same_org(organization, establishment=data.get("establishment"), site=data.get("site"),
                    unit=data.get("unit"))
    activity = Activity(organization=organization, **{f: data[f] for f in ACTIVITY_FIELDS if f in data})
    activity.full_clean()
    activity.save()
    if owner is not None:
        activity_assign_owner(activity=activity, actor=actor, owner=owner, notify=notify)
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, actor: Any, data: dict[str, Any]) -> Activity:
    organization = activity.organization
    _check_same_org(organization, establishment=data.get("establishment"), site=data.get("site"),
                    unit=data.get("unit"))
    activity, _changed = model_update(instance=activity, data=data, fields=ACTIVITY_FIELDS)
    return activity


@transaction.atomic
def activity_assign_owner(*, activity: Activity, actor: Any, owner: Any, notify: bool = False) -> Activity:
    """Make ``owner`` the business owner: only they (and BIA managers) can answer the questionnaire.

    ``notify`` e-mails the new owner after commit (the activity form does; imports and the demo don't).
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
            _after_commit_in_language(notifications.send_assigned, activity.pk)
    return activity


def _after_commit_in_language(send: Any, *args: Any) -> None:
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: send(*args, language))


@transaction.atomic
def activity_delete(*, activity: Activity, actor: Any) -> None:
    """Delete an activity with its answers and links; refused while a frozen plan names it
    (``apps.core.deletion`` guards, registered by the apps built on the BIA)."""
    ensure_deletable(activity)
    if activity.owner is not None:
        remove_perm(ANSWER_PERMISSION, activity.owner, activity)
    activity.delete()


# --- Questionnaire -----------------------------------------------------------------------------

@transaction.atomic
def activity_save_step(*, activity: Activity, actor: Any, step: int, data: dict[str, Any]) -> Activity:
    """Save one questionnaire step as submitted; the campaign moves to « in progress »."""
    activity, _changed = model_update(instance=activity, data=data, fields=QUESTIONNAIRE_FIELDS)
    _validate_override(activity)
    if activity.dmia_override_hours is None and activity.dmia_override_justification:
        activity.dmia_override_justification = ""
    if activity.status in (Activity.Status.NOT_STARTED, Activity.Status.SENT_BACK, Activity.Status.VALIDATED,
                           Activity.Status.SUBMITTED):
        # Any change after submission or validation needs a new review.
        activity.status = Activity.Status.IN_PROGRESS
    activity.questionnaire_step = max(activity.questionnaire_step, step)
    activity.full_clean()
    activity.save()
    activities_recompute(organization=activity.organization, activity_ids=[activity.pk])
    activity.refresh_from_db()
    return activity


@transaction.atomic
def impacts_save(*, activity: Activity, actor: Any, levels: Mapping[tuple[int, int], int | None],
                 step: int = 0) -> Activity:
    """Replace the activity's impact grid cells given in ``levels`` ((criterion_id, horizon_id) → 1–4)."""
    organization = activity.organization
    criteria = set(ImpactCriterion.objects.filter(organization=organization).values_list("id", flat=True))
    horizons = set(TimeHorizon.objects.filter(organization=organization).values_list("id", flat=True))
    existing = {(a.criterion_id, a.horizon_id): a for a in ImpactAnswer.objects.filter(activity=activity)}
    to_create, to_update, to_delete = [], [], []
    for (criterion_id, horizon_id), level in levels.items():
        if criterion_id not in criteria or horizon_id not in horizons:
            raise ValidationError(_("Unknown criterion or time horizon."))
        if level is not None and not 1 <= int(level) <= 4:
            raise ValidationError(_("Impact levels go from 1 to 4."))
        answer = existing.get((criterion_id, horizon_id))
        if level is None:
            if answer is not None:
                to_delete.append(answer.pk)
        elif answer is None:
            to_create.append(ImpactAnswer(organization=organization, activity=activity, criterion_id=criterion_id,
                                          horizon_id=horizon_id, level=int(level)))
        elif answer.level != int(level):
            answer.level = int(level)
            to_update.append(answer)
    ImpactAnswer.objects.bulk_create(to_create)
    ImpactAnswer.objects.bulk_update(to_update, ["level", "updated_at"])
    ImpactAnswer.objects.filter(pk__in=to_delete).delete()
    return activity_save_step(activity=activity, actor=actor, step=step, data={})


@transaction.atomic
def activity_submit(*, activity: Activity, actor: Any) -> Activity:
    """The business owner hands the BIA over for validation; the grid and PDMA must be filled."""
    missing = []
    if activity.dmia_hours is None and not ImpactAnswer.objects.filter(activity=activity).exists():
        missing.append(_("the impact grid"))
    if activity.pdma_hours is None:
        missing.append(_("the tolerable data loss (PDMA)"))
    if missing:
        raise ValidationError(_("Fill in before submitting: %(items)s.") % {"items": ", ".join(str(m) for m in missing)})
    if activity.status == Activity.Status.VALIDATED:
        raise ValidationError(_("This BIA is already validated."))
    activity.status = Activity.Status.SUBMITTED
    activity.submitted_at = timezone.now()
    activity.submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    activity.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    return activity


@transaction.atomic
def activity_validate(*, activity: Activity, actor: Any, comment: str = "") -> Activity:
    """The RPCRA validates a submitted BIA."""
    if activity.status != Activity.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted BIA can be validated."))
    activity.status = Activity.Status.VALIDATED
    activity.validated_at = timezone.now()
    activity.validated_by = actor
    activity.review_comment = comment
    activity.save(update_fields=["status", "validated_at", "validated_by", "review_comment", "updated_at"])
    return activity


@transaction.atomic
def activity_send_back(*, activity: Activity, actor: Any, comment: str) -> Activity:
    """The RPCRA sends a BIA back to its owner with a comment saying what to change."""
    if activity.status not in (Activity.Status.SUBMITTED, Activity.Status.VALIDATED):
        raise ValidationError(_("Only a submitted or validated BIA can be sent back."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what the business owner should change.")})
    activity.status = Activity.Status.SENT_BACK
    activity.review_comment = comment
    activity.validated_at = None
    activity.validated_by = None
    activity.save(update_fields=["status", "review_comment", "validated_at", "validated_by", "updated_at"])
    if activity.owner_id is not None:
        _after_commit_in_language(notifications.send_sent_back, activity.pk)
    return activity


def campaign_remind(*, organization: Organization, actor: Any, establishment_ids: list[int] | None = None,
                    request: Any = None) -> int:
    """Remind (by e-mail, through the worker) every business owner whose BIA is not submitted yet,
    in ``establishment_ids`` only when given (a member limited to some establishments).

    Returns how many owners will get an e-mail; 0 sends nothing. The reminder is in the activity log.
    """
    from apps.bia.tasks import campaign_remind as task

    owners = notifications.owners_to_remind(organization=organization, establishment_ids=establishment_ids)
    if not owners:
        return 0
    audit_log(action=AuditEvent.Action.CAMPAIGN_REMINDED, actor=actor, organization=organization,
              target=str(_("BIA campaign")), details={"owners": len(owners)}, request=request)
    _after_commit_in_language(
        lambda organization_id, ids, language: task.apply_async(args=[organization_id, language, ids],
                                                                queue=settings.CAMPAIGN_QUEUE),
        organization.pk, establishment_ids)
    return len(owners)


# --- Resources and dependencies ----------------------------------------------------------------

RESOURCE_FIELDS = ["kind", "name", "description", "catalogue_code", "establishment", "vendor", "is_saas",
                   "rto_capability_hours", "rpo_capability_hours", "contract_reference", "contract_end", "sla",
                   "contact_24_7"]


@transaction.atomic
def resource_create(*, organization: Organization, actor: Any, data: dict[str, Any]) -> Resource:
    _check_same_org(organization, establishment=data.get("establishment"))
    resource = Resource(organization=organization, **{f: data[f] for f in RESOURCE_FIELDS if f in data})
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def resource_update(*, resource: Resource, actor: Any, data: dict[str, Any]) -> Resource:
    _check_same_org(resource.organization, establishment=data.get("establishment"))
    resource, _changed = model_update(instance=resource, data=data, fields=RESOURCE_FIELDS)
    return resource


@transaction.atomic
def resource_delete(*, resource: Resource, actor: Any) -> None:
    """Refused while a frozen plan names it or restoration tests are recorded for it."""
    ensure_deletable(resource)
    resource.delete()


@transaction.atomic
def resource_record_measured_rto(*, resource: Resource, hours: Decimal | float, measured_at: datetime,
                                 actor: Any = None) -> Resource:
    """Record a restore duration measured by a restoration test (backups app, CaRE D2.O4).

    Only a more recent measure replaces the current one, so replaying an old test changes nothing.
    """
    if resource.measured_at is not None and measured_at < resource.measured_at:
        return resource
    resource.measured_rto_hours = Decimal(str(hours)).quantize(Decimal("0.01"))
    resource.measured_at = measured_at
    resource.full_clean()
    resource.save(update_fields=["measured_rto_hours", "measured_at", "updated_at"])
    return resource


def _link_upsert(model: type[Any], *, organization: Organization, workaround_exists: bool, workaround_note: str,
                 **ends: Any) -> Any:
    """Create or update the dependency row between ``ends`` (one row per pair), with its workaround."""
    link = model.objects.filter(organization=organization, **ends).first()
    if link is None:
        link = model(organization=organization, **ends)
    link.workaround_exists = workaround_exists
    link.workaround_note = workaround_note
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def activity_dependency_set(*, activity: Activity, actor: Any, resource: Resource, workaround_exists: bool = False,
                            workaround_note: str = "") -> ActivityDependency:
    _check_same_org(activity.organization, resource=resource)
    return _link_upsert(ActivityDependency, organization=activity.organization, activity=activity, resource=resource,
                        workaround_exists=workaround_exists, workaround_note=workaround_note)


@transaction.atomic
def activity_dependency_remove(*, dependency: ActivityDependency, actor: Any) -> None:
    dependency.delete()


@transaction.atomic
def resource_dependency_set(*, resource: Resource, actor: Any, depends_on: Resource, workaround_exists: bool = False,
                            workaround_note: str = "") -> ResourceDependency:
    """Link two resources; a link that closes a cycle is allowed (real IT has them) and reported by the engine."""
    _check_same_org(resource.organization, depends_on=depends_on)
    if resource.pk == depends_on.pk:
        raise ValidationError({"depends_on": _("A resource cannot depend on itself.")})
    return _link_upsert(ResourceDependency, organization=resource.organization, resource=resource,
                        depends_on=depends_on, workaround_exists=workaround_exists, workaround_note=workaround_note)


@transaction.atomic
def resource_dependency_remove(*, dependency: ResourceDependency, actor: Any) -> None:
    dependency.delete()


@transaction.atomic
def activity_link_set(*, activity: Activity, actor: Any, depends_on: Activity, workaround_exists: bool = False,
                      workaround_note: str = "") -> ActivityLink:
    _check_same_org(activity.organization, depends_on=depends_on)
    if activity.pk == depends_on.pk:
        raise ValidationError({"depends_on": _("An activity cannot depend on itself.")})
    return _link_upsert(ActivityLink, organization=activity.organization, activity=activity, depends_on=depends_on,
                        workaround_exists=workaround_exists, workaround_note=workaround_note)


@transaction.atomic
def activity_link_remove(*, link: ActivityLink, actor: Any) -> None:
    link.delete()



# --- Reference catalogue -----------------------------------------------------------------------

@transaction.atomic
def catalogue_import(*, organization: Organization, actor: Any, establishment: Establishment,
                     activity_codes: Iterable[str], resource_codes: Iterable[str] = ()) -> dict[str, int]:
    """Import catalogue activities into an establishment, with the resources they typically use.

    Existing rows (same name) are reused, never duplicated or overwritten: importing twice is harmless.
    Returns how many activities, resources and dependencies were created.
    """
    from apps.bia import catalogue

    _check_same_org(organization, establishment=establishment)
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
    return counts
