"""Writes for continuity plans. An approved version is frozen: every edit goes through
``version_for_edit``, which copies the approved version into a new draft (CaRE D2.O1.C)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from apps.bia.models import Activity, OrgUnit
from apps.bia.selectors import bia_graph
from apps.continuity import fingerprint as fp
from apps.continuity.models import (
    DegradedMode,
    NotApplicable,
    Plan,
    PlanActivity,
    PlanScenario,
    PlanVersion,
    RecoveryStep,
    ReflexSheet,
    Scenario,
    VersionActivity,
    VersionScenario,
)
from apps.continuity.recovery import dependency_violations, recovery_order
from apps.core.services import ensure_same_organization
from apps.notifications import events
from apps.tenants.models import Establishment, Membership

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Organization

APPROVE_PERMISSION = "continuity.approve_plan"

DEFAULT_SCENARIOS = {
    Scenario.Kind.IS_UNAVAILABLE: "Cyberattaque (rançongiciel), panne majeure du datacenter ou du réseau : le "
    "dossier patient, les logiciels métiers et la messagerie sont inaccessibles pour plusieurs jours.",
    Scenario.Kind.SITE_UNAVAILABLE: "Incendie, inondation, coupure électrique prolongée : un bâtiment ou un site "
    "doit être évacué ou n'est plus utilisable.",
    Scenario.Kind.PEOPLE_UNAVAILABLE: "Grève, épidémie, absentéisme massif : le personnel disponible passe sous "
    "l'effectif minimum.",
    Scenario.Kind.SUPPLIER_UNAVAILABLE: "Défaillance d'un fournisseur critique (éditeur, hébergeur, grossiste, "
    "laboratoire sous-traitant) : le service rendu est interrompu.",
}
RETURN_FIELDS = ["return_checks", "return_data_reentry", "return_communication", "communication_internal",
                 "communication_patients", "communication_ars", "communication_press"]
DEGRADED_FIELDS = ["trigger", "decided_by", "activation_delay_hours", "procedure", "paper_forms", "minimum_staff",
                   "fallback_premises", "data_capture", "data_reentry"]
REFLEX_FIELDS = ["role", "first_actions", "who_to_call", "do_not", "order"]


def scenarios_ensure_defaults(*, organization: Organization) -> list[Scenario]:
    """The four scenario kinds exist in every organization (descriptions can be adapted)."""
    existing = {s.kind: s for s in Scenario.objects.filter(organization=organization)}
    for kind, description in DEFAULT_SCENARIOS.items():
        if kind not in existing:
            existing[kind] = Scenario.objects.create(organization=organization, kind=kind, description=description)
    return sorted(existing.values(), key=lambda s: list(Scenario.Kind.values).index(s.kind))


@transaction.atomic
def scenario_update(*, scenario: Scenario, actor: User | None, description: str) -> Scenario:
    scenario.description = description
    scenario.full_clean()
    scenario.save(update_fields=["description", "updated_at"])
    return scenario


def _perimeter_activities(organization: Organization, establishment: Establishment | None, unit: OrgUnit | None,
                          activities: list[Activity]) -> list[Activity]:
    """The chosen activities; without any, those of the chosen pôle/service (or establishment)."""
    if activities or (unit is None and establishment is None):
        return activities
    qs = Activity.objects.filter(organization=organization)
    if unit is not None:
        qs = qs.filter(Q(unit=unit) | Q(unit__parent=unit))
    elif establishment is not None:
        qs = qs.filter(establishment=establishment)
    return list(qs)


def _check_perimeter(organization: Organization, establishment: Establishment | None, unit: OrgUnit | None,
                     activities: list[Activity], scenarios: list[Scenario]) -> None:
    ensure_same_organization(organization, [establishment, unit, *activities, *scenarios])
    if not activities:
        raise ValidationError({"activities": _("Choose at least one activity of the BIA.")})
    if not scenarios:
        raise ValidationError({"scenarios": _("Choose at least one scenario.")})


def _set_members(plan: Plan, activities: list[Activity], scenarios: list[Scenario]) -> None:
    org = plan.organization
    PlanActivity.objects.filter(organization=org, plan=plan).exclude(activity__in=activities).delete()
    have = set(PlanActivity.objects.filter(organization=org, plan=plan).values_list("activity_id", flat=True))
    PlanActivity.objects.bulk_create([PlanActivity(organization=org, plan=plan, activity=a)
                                      for a in activities if a.pk not in have])
    PlanScenario.objects.filter(organization=org, plan=plan).exclude(scenario__in=scenarios).delete()
    have = set(PlanScenario.objects.filter(organization=org, plan=plan).values_list("scenario_id", flat=True))
    PlanScenario.objects.bulk_create([PlanScenario(organization=org, plan=plan, scenario=s)
                                      for s in scenarios if s.pk not in have])


@transaction.atomic
def plan_create(*, organization: Organization, actor: User | None, title: str, care_perimeter: str, activities: list[Activity],
                scenarios: list[Scenario], establishment: Establishment | None = None,
                unit: OrgUnit | None = None) -> Plan:
    """Step 1 of the guided flow: a plan for a perimeter and scenarios, with its first draft version.

    The perimeter is a set of BIA activities; choosing only a pôle/service or an establishment takes its activities.
    """
    activities = _perimeter_activities(organization, establishment, unit, activities)
    _check_perimeter(organization, establishment, unit, activities, scenarios)
    plan = Plan(organization=organization, title=title, care_perimeter=care_perimeter, establishment=establishment,
                unit=unit, wizard_step=1)
    plan.full_clean()
    plan.save()
    _set_members(plan, activities, scenarios)
    version = PlanVersion.objects.create(organization=organization, plan=plan, number=1)
    plan.current_version = version
    plan.save(update_fields=["current_version", "updated_at"])
    return plan


def _step_done(plan: Plan, step: int) -> None:
    if plan.wizard_step < step:
        plan.wizard_step = step
        plan.save(update_fields=["wizard_step", "updated_at"])


@transaction.atomic
def plan_update_perimeter(*, plan: Plan, actor: User | None, title: str, care_perimeter: str, activities: list[Activity],
                          scenarios: list[Scenario], establishment: Establishment | None = None,
                          unit: OrgUnit | None = None) -> Plan:
    """Changing the perimeter of an approved plan opens a new draft (the change shows in the next version)."""
    activities = _perimeter_activities(plan.organization, establishment, unit, activities)
    _check_perimeter(plan.organization, establishment, unit, activities, scenarios)
    version_for_edit(plan=plan, actor=actor)
    plan.title, plan.care_perimeter, plan.establishment, plan.unit = title, care_perimeter, establishment, unit
    plan.full_clean()
    plan.save()
    _set_members(plan, activities, scenarios)
    _step_done(plan, 1)
    return plan


@transaction.atomic
def plan_confirm_prefill(*, plan: Plan, actor: User | None) -> Plan:
    """Step 2: the RPCRA has reviewed what the BIA says about the perimeter."""
    _step_done(plan, 2)
    return plan


@transaction.atomic
def version_for_edit(*, plan: Plan, actor: User | None) -> PlanVersion:
    """The draft to write in: the current draft, or a copy of the approved version (number + 1).

    A version submitted for approval is locked until it is approved or sent back.
    """
    caller = plan
    plan = Plan.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=plan.pk)
    current = plan.current_version
    if current is not None and current.status == PlanVersion.Status.DRAFT:
        caller.current_version = current
        return current
    if current is not None and current.status == PlanVersion.Status.SUBMITTED:
        raise ValidationError(_("This version is awaiting approval: it cannot be changed until it is approved or "
                                "sent back."))
    number = (PlanVersion.objects.filter(organization=plan.organization, plan=plan)
              .order_by("-number").values_list("number", flat=True).first() or 0) + 1
    draft = PlanVersion.objects.create(
        organization=plan.organization, plan=plan, number=number,
        **({f: getattr(current, f) for f in RETURN_FIELDS} if current else {}),
    )
    if current is not None:
        org = plan.organization
        DegradedMode.objects.bulk_create([
            DegradedMode(organization=org, version=draft, activity_id=d.activity_id, scenario_id=d.scenario_id,
                         **{f: getattr(d, f) for f in DEGRADED_FIELDS})
            for d in DegradedMode.objects.filter(organization=org, version=current)])
        NotApplicable.objects.bulk_create([
            NotApplicable(organization=org, version=draft, activity_id=n.activity_id, scenario_id=n.scenario_id,
                          reason=n.reason)
            for n in NotApplicable.objects.filter(organization=org, version=current)])
        ReflexSheet.objects.bulk_create([
            ReflexSheet(organization=org, version=draft, **{f: getattr(s, f) for f in REFLEX_FIELDS})
            for s in ReflexSheet.objects.filter(organization=org, version=current)])
        RecoveryStep.objects.bulk_create([
            RecoveryStep(organization=org, version=draft, resource_id=s.resource_id, position=s.position,
                         proposed_position=s.proposed_position, required_rto_hours=s.required_rto_hours,
                         adjusted=s.adjusted, adjustment_reason=s.adjustment_reason, in_cycle=s.in_cycle,
                         dependency_confirmed=s.dependency_confirmed)
            for s in RecoveryStep.objects.filter(organization=org, version=current)])
    Plan.objects.filter(pk=plan.pk).update(current_version=draft, updated_at=timezone.now())
    caller.current_version = draft
    return draft


def _current_version(plan: Plan) -> PlanVersion | None:
    """The plan's current version as stored now (locked), never a stale in-memory copy."""
    current_id = Plan.objects.filter(pk=plan.pk).values_list("current_version_id", flat=True).first()
    version = PlanVersion.objects.select_for_update().filter(pk=current_id).first() if current_id else None
    plan.current_version = version
    return version


def _plan_activity_ids(plan: Plan) -> list[int]:
    return list(PlanActivity.objects.filter(organization=plan.organization, plan=plan)
                .values_list("activity_id", flat=True))


@transaction.atomic
def degraded_mode_save(*, plan: Plan, actor: User | None, activity: Activity, scenario: Scenario,
                       data: dict[str, Any], degraded_mode: DegradedMode | None = None) -> DegradedMode:
    """Write the mode dégradé of one activity of the perimeter under one of the plan's scenarios (it replaces a
    « sans objet » of the same activity and scenario)."""
    _check_cell(plan, activity, scenario)
    version = version_for_edit(plan=plan, actor=actor)
    NotApplicable.objects.filter(organization=plan.organization, version=version, activity=activity,
                                 scenario=scenario).delete()
    instance = None
    if degraded_mode is not None:
        instance = DegradedMode.objects.filter(organization=plan.organization, version=version,
                                               activity_id=degraded_mode.activity_id,
                                               scenario_id=degraded_mode.scenario_id).first()
    clash = DegradedMode.objects.filter(organization=plan.organization, version=version, activity=activity,
                                        scenario=scenario)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ValidationError(_("A degraded mode already exists for this activity and this scenario."))
    if instance is None:
        instance = DegradedMode(organization=plan.organization, version=version)
    instance.activity, instance.scenario = activity, scenario
    for f in DEGRADED_FIELDS:
        if f in data:
            setattr(instance, f, data[f])
    instance.full_clean()
    instance.save()
    _step_done(plan, 3)
    return instance


def _check_cell(plan: Plan, activity: Activity, scenario: Scenario) -> None:
    ensure_same_organization(plan.organization, [activity, scenario])
    if activity.pk not in _plan_activity_ids(plan):
        raise ValidationError({"activity": _("This activity is not in the plan's perimeter.")})
    if not PlanScenario.objects.filter(organization=plan.organization, plan=plan, scenario=scenario).exists():
        raise ValidationError({"scenario": _("This scenario is not covered by the plan.")})


@transaction.atomic
def not_applicable_save(*, plan: Plan, actor: User | None, activity: Activity, scenario: Scenario,
                        reason: str) -> NotApplicable:
    """Record that an activity of the perimeter needs no degraded mode under a scenario (« sans objet »), with
    its reason; it counts for coverage like a degraded mode. Refused where a degraded mode is written."""
    _check_cell(plan, activity, scenario)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this activity needs no degraded mode under this scenario.")})
    version = version_for_edit(plan=plan, actor=actor)
    if DegradedMode.objects.filter(organization=plan.organization, version=version, activity=activity,
                                   scenario=scenario).exists():
        raise ValidationError(_("A degraded mode is written for this activity and this scenario: remove it first."))
    instance = NotApplicable.objects.filter(organization=plan.organization, version=version, activity=activity,
                                            scenario=scenario).first() or NotApplicable(
        organization=plan.organization, version=version, activity=activity, scenario=scenario)
    instance.reason = reason.strip()
    instance.full_clean()
    instance.save()
    _step_done(plan, 3)
    return instance


@transaction.atomic
def not_applicable_delete(*, plan: Plan, actor: User | None, item: NotApplicable) -> None:
    version = version_for_edit(plan=plan, actor=actor)
    NotApplicable.objects.filter(organization=plan.organization, version=version, activity_id=item.activity_id,
                                 scenario_id=item.scenario_id).delete()


@transaction.atomic
def degraded_mode_delete(*, plan: Plan, actor: User | None, degraded_mode: DegradedMode) -> None:
    version = version_for_edit(plan=plan, actor=actor)
    DegradedMode.objects.filter(organization=plan.organization, version=version, activity_id=degraded_mode.activity_id,
                                scenario_id=degraded_mode.scenario_id).delete()


@transaction.atomic
def reflex_sheet_save(*, plan: Plan, actor: User | None, data: dict[str, Any],
                      sheet: ReflexSheet | None = None) -> ReflexSheet:
    """A fiche réflexe per role; ``ReflexSheet.clean`` keeps it to one printed page."""
    version = version_for_edit(plan=plan, actor=actor)
    instance = None
    if sheet is not None:
        instance = ReflexSheet.objects.filter(organization=plan.organization, version=version, role=sheet.role).first()
    if instance is None:
        instance = ReflexSheet(organization=plan.organization, version=version)
    for f in REFLEX_FIELDS:
        if f in data:
            setattr(instance, f, data[f])
    clash = ReflexSheet.objects.filter(organization=plan.organization, version=version, role=instance.role)
    if instance.pk:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ValidationError({"role": _("This role already has a fiche réflexe in this plan.")})
    instance.full_clean()
    instance.save()
    _step_done(plan, 4)
    return instance


@transaction.atomic
def reflex_sheet_delete(*, plan: Plan, actor: User | None, sheet: ReflexSheet) -> None:
    version = version_for_edit(plan=plan, actor=actor)
    ReflexSheet.objects.filter(organization=plan.organization, version=version, role=sheet.role).delete()


@transaction.atomic
def recovery_propose(*, plan: Plan, actor: User | None) -> list[RecoveryStep]:
    """Replace the sequence with the one computed from the BIA (manual adjustments are dropped)."""
    version = version_for_edit(plan=plan, actor=actor)
    order = recovery_order(bia_graph(organization=plan.organization), _plan_activity_ids(plan))
    RecoveryStep.objects.filter(organization=plan.organization, version=version).delete()
    steps = RecoveryStep.objects.bulk_create([
        RecoveryStep(organization=plan.organization, version=version, resource_id=item.resource_id,
                     position=item.position, proposed_position=item.position, in_cycle=item.in_cycle,
                     required_rto_hours=(Decimal(str(item.required_rto_hours))
                                         if item.required_rto_hours is not None else None))
        for item in order.items
    ])
    _step_done(plan, 5)
    return steps


@transaction.atomic
def recovery_step_move(*, plan: Plan, actor: User | None, step: RecoveryStep, position: int, reason: str,
                       confirm_dependency: bool = False) -> RecoveryStep:
    """Move a system in the sequence by hand; the reason is mandatory and printed with the plan.

    A move that puts a system before one it depends on (or a dependency after what needs it) is refused unless
    ``confirm_dependency``; once confirmed the plan, the print kit and the dossier show the warning.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the proposed order is changed.")})
    version = version_for_edit(plan=plan, actor=actor)
    steps = list(RecoveryStep.objects.filter(organization=plan.organization, version=version)
                 .select_related("resource").order_by("position", "id"))
    moved = next((s for s in steps if s.resource_id == step.resource_id), None)
    if moved is None:
        raise ValidationError(_("This system is not in the recovery sequence."))
    position = max(1, min(position, len(steps)))
    graph = bia_graph(organization=plan.organization)
    before = dependency_violations(graph, [s.resource_id for s in steps])
    steps.remove(moved)
    steps.insert(position - 1, moved)
    after = dependency_violations(graph, [s.resource_id for s in steps])
    new = {pk: deps for pk, deps in after.items() if set(deps) - set(before.get(pk, ()))}
    if new and not confirm_dependency:
        names = {s.resource_id: s.resource.name for s in steps}
        raise ValidationError(
            _("This order restores systems before others they depend on (%(list)s). Confirm the move to keep it: "
              "the plan will carry a warning.") % {"list": "; ".join(
                  _("%(system)s before %(deps)s") % {"system": names[pk], "deps": ", ".join(names[d] for d in deps)}
                  for pk, deps in new.items())},
            code="dependency")
    if new:
        for s in steps:
            if s.resource_id in new or s.resource_id == moved.resource_id:
                s.dependency_confirmed = True
    moved.adjusted, moved.adjustment_reason = True, reason.strip()
    for index, s in enumerate(steps, start=1):
        s.position = index
    moved.full_clean()
    RecoveryStep.objects.bulk_update(steps, ["position", "adjusted", "adjustment_reason", "dependency_confirmed"])
    _step_done(plan, 5)
    return moved


@transaction.atomic
def return_and_communication_save(*, plan: Plan, actor: User | None, data: dict[str, Any]) -> PlanVersion:
    version = version_for_edit(plan=plan, actor=actor)
    for f in RETURN_FIELDS:
        if f in data:
            setattr(version, f, data[f])
    version.full_clean()
    version.save()
    _step_done(plan, 6)
    return version


@transaction.atomic
def plan_submit(*, plan: Plan, actor: User | None) -> PlanVersion:
    """Send the draft for approval: it needs a perimeter, scenarios and at least one degraded mode."""
    version = _current_version(plan)
    if version is None or version.status != PlanVersion.Status.DRAFT:
        raise ValidationError(_("Only a draft can be sent for approval."))
    if not DegradedMode.objects.filter(organization=plan.organization, version=version).exists():
        raise ValidationError(_("Write at least one degraded mode before sending the plan for approval."))
    version.status = PlanVersion.Status.SUBMITTED
    version.submitted_at, version.submitted_by = timezone.now(), actor
    version.full_clean()
    version.save()
    _step_done(plan, 7)
    events.plan_submitted(plan=plan, version=version, actor=actor)
    return version


def can_approve(*, plan: Plan, membership: Membership) -> bool:
    """Direction (``plans.approve``) or the plan's named approver (guardian, never a global permission)."""
    if membership.has_capability("plans.approve"):
        return True
    from guardian.shortcuts import get_objects_for_user

    qs = Plan.objects.filter(organization=plan.organization, pk=plan.pk)
    return get_objects_for_user(membership.user, APPROVE_PERMISSION, klass=qs, accept_global_perms=False).exists()


@transaction.atomic
def plan_approve(*, plan: Plan, actor: User | None, acknowledge_incomplete: bool = False) -> PlanVersion:
    """Freeze the submitted version: its perimeter (activities, scenarios, establishment), approver, date, content
    snapshot and the BIA fingerprint. A version the completeness checklist finds incomplete is approved only with
    ``acknowledge_incomplete``, recorded with who, when and what was missing."""
    from apps.continuity.selectors import completeness, version_content

    version = _current_version(plan)
    if version is None or version.status != PlanVersion.Status.SUBMITTED:
        raise ValidationError(_("Only a version submitted for approval can be approved."))
    missing = completeness(version=version)
    if missing and not acknowledge_incomplete:
        raise ValidationError(_("This plan is incomplete (%(count)s missing items): tick « I approve this plan knowing "
                                "what it lacks » to approve it anyway.") % {"count": len(missing)},
                              code="incomplete")
    now = timezone.now()
    version.incomplete_missing = missing
    version.incomplete_acknowledged_by = actor if missing else None
    version.incomplete_acknowledged_at = now if missing else None
    org = plan.organization
    VersionActivity.objects.filter(organization=org, version=version).delete()
    VersionScenario.objects.filter(organization=org, version=version).delete()
    VersionActivity.objects.bulk_create([VersionActivity(organization=org, version=version, activity_id=a)
                                         for a in _plan_activity_ids(plan)])
    VersionScenario.objects.bulk_create([
        VersionScenario(organization=org, version=version, scenario_id=sc)
        for sc in PlanScenario.objects.filter(organization=org, plan=plan).values_list("scenario_id", flat=True)])
    version.perimeter_establishment_id = Plan.objects.filter(pk=plan.pk).values_list(
        "establishment_id", flat=True).first()
    version.perimeter_frozen = True
    PlanVersion.objects.filter(organization=plan.organization, plan=plan, status=PlanVersion.Status.APPROVED).update(
        status=PlanVersion.Status.SUPERSEDED, updated_at=timezone.now())
    version.status = PlanVersion.Status.APPROVED
    version.approved_at, version.approved_by = now, actor
    version.snapshot = version_content(version=version)
    version.bia_fingerprint = fp.fingerprint(fp.bia_state(organization=plan.organization), _plan_activity_ids(plan))
    version.full_clean()
    version.save()
    from apps.continuity.signals import plan_version_approved

    plan_version_approved.send(sender=PlanVersion, version=version)
    events.plan_approved(plan=plan, version=version, actor=actor)
    return version


@transaction.atomic
def plan_send_back(*, plan: Plan, actor: User | None, reason: str) -> PlanVersion:
    """Return the submitted version to its authors as a draft, with the reason they are told (required)."""
    version = _current_version(plan)
    if version is None or version.status != PlanVersion.Status.SUBMITTED:
        raise ValidationError(_("Only a version submitted for approval can be sent back."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the plan is returned: its authors are told.")})
    version.status = PlanVersion.Status.DRAFT
    version.save(update_fields=["status", "updated_at"])
    events.plan_returned(plan=plan, version=version, actor=actor, reason=reason.strip())
    return version


@transaction.atomic
def plan_set_approver(*, plan: Plan, actor: User | None, approver: Any | None) -> Plan:
    """Name (or remove) the person who approves this plan besides the direction (guardian object permission)."""
    from guardian.shortcuts import get_users_with_perms

    if approver is not None and not Membership.objects.filter(organization=plan.organization, user=approver).exists():
        raise ValidationError({"approver": _("The approver must be a member of the organization.")})
    for user in get_users_with_perms(plan, only_with_perms_in=["approve_plan"], with_group_users=False):
        if user != approver:
            remove_perm(APPROVE_PERMISSION, user, plan)
    if approver is not None:
        assign_perm(APPROVE_PERMISSION, approver, plan)
    return plan


def named_approver(*, plan: Plan) -> Any | None:
    from guardian.shortcuts import get_users_with_perms

    return next(iter(get_users_with_perms(plan, only_with_perms_in=["approve_plan"], with_group_users=False)), None)

