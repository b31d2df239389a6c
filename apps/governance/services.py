"""Writes for the governance: keyword-only, atomic, validated; each forgets the cached snapshot.

Every related object a caller passes (member, evidence file, meeting, role) must belong to the same
organization: forms already limit their choices, the services check again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import AuditEvent
from apps.core.phones import normalise_phone_fields
from apps.core.services import audit_log, ensure_same_organization, model_update
from apps.governance.checks import forget_snapshot
from apps.governance.models import (
    CopilMeeting,
    CrisisAssignment,
    CrisisRole,
    Decision,
    GovernanceMember,
    GovernanceProfile,
    ReportingDuty,
)

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Organization

M = TypeVar("M", bound=models.Model)

PROFILE_STEPS: dict[str, list[str]] = {
    "organisation": ["rpcra", "rpcra_mission_letter", "project_scope", "copil_cadence", "copil_mandate"],
    "logistics": ["phone_24_7", "phone_independent_of_it", "contacts_24_7", "crisis_room", "fallback_room",
                  "activation_criteria", "activation_decider"],
    "signalement": ["signalement_procedure"],
    "documents": ["pssi_version", "pssi_validated_on", "pssi_signatory", "pssi_signatory_function",
                  "pssi_signatory_is_legal_representative", "pssi_evidence", "plan_blanc_reference",
                  "plan_blanc_digital_risks", "plan_blanc_evidence", "crisis_procedures_summary",
                  "crisis_procedures_evidence"],
    "priorities": ["patient_safety_first", "return_to_nominal_days", "direction_priorities"],
}
MEMBER_FIELDS = ["body", "member", "external_name", "phone", "function", "role", "mission_letter"]
MEETING_FIELDS = ["held_on", "title", "other_attendees", "minutes", "minutes_evidence"]
DECISION_FIELDS = ["text", "owner", "due_date", "status", "action_reference"]
ROLE_FIELDS = ["kind", "label", "missions", "order"]
ASSIGNMENT_FIELDS = ["position", "member", "external_name", "phone"]
DUTY_FIELDS = ["recipient", "recipient_detail", "delay_hours", "responsible", "channel"]
# Stored normalised (``apps.core.phones``): E.164, or the digits of a short number.
PHONE_FIELDS = ["phone", "phone_24_7"]

# The usual cellule de crise of a hospital (ANSSI / ARS guides), offered in one click.
STANDARD_ROLES = [
    CrisisRole.Kind.DIRECTOR, CrisisRole.Kind.COORDINATION, CrisisRole.Kind.MEDICAL, CrisisRole.Kind.CARE,
    CrisisRole.Kind.IT, CrisisRole.Kind.COMMUNICATION, CrisisRole.Kind.LOGISTICS, CrisisRole.Kind.SECRETARIAT,
]


def _create(model: type[M], *, organization: Organization, data: dict[str, Any], fields: list[str], **extra: Any) -> M:
    data = normalise_phone_fields(data, PHONE_FIELDS)
    ensure_same_organization(organization, [*data.values(), *extra.values()])
    instance = model(organization=organization, **{f: data[f] for f in fields if f in data}, **extra)
    instance.full_clean()
    instance.save()
    forget_snapshot(organization)
    return instance


def _update(instance: M, *, organization: Organization, data: dict[str, Any], fields: list[str]) -> M:
    data = normalise_phone_fields(data, PHONE_FIELDS)
    ensure_same_organization(organization, data.values())
    instance, _changed = model_update(instance=instance, data=data, fields=fields)
    forget_snapshot(organization)
    return instance


def _delete(instance: models.Model, *, organization: Organization) -> None:
    if instance.organization_id != organization.pk:  # type: ignore[attr-defined]
        raise ValidationError(_("This item belongs to another organization."))
    instance.delete()
    forget_snapshot(organization)


# --- The governance scheme (one per organization) ------------------------------------------------

@transaction.atomic
def governance_profile_update(*, organization: Organization, actor: User | None, step: str, data: dict[str, Any]) -> GovernanceProfile:
    """Save one guided step of the governance scheme (D2.P1, D2.P2, D2.O1.B): nothing typed is lost.

    A step validates its own fields only: a value of another step kept from before it was checked (a 24/7
    number typed « standard » before numbers were validated) is flagged on its own step, and never blocks
    saving this one with an error the page cannot show next to its field.
    """
    fields = PROFILE_STEPS[step]
    data = normalise_phone_fields(data, PHONE_FIELDS)
    ensure_same_organization(organization, data.values())
    profile, _created = GovernanceProfile.objects.get_or_create(organization=organization)
    changed = [f for f in fields if f in data and getattr(profile, f) != data[f]]
    for name in changed:
        setattr(profile, name, data[name])
    if changed:
        others = [f for key, names in PROFILE_STEPS.items() if key != step for f in names]
        profile.full_clean(exclude=others)
        profile.save(update_fields=[*changed, "updated_at"])
    forget_snapshot(organization)
    return profile


@transaction.atomic
def governance_approve(*, organization: Organization, actor: User | None, request: HttpRequest | None = None) -> GovernanceProfile:
    """The direction approves the governance scheme (D2.O1.A); who and when are kept."""
    profile, _created = GovernanceProfile.objects.select_for_update().get_or_create(organization=organization)
    profile.approved_by = actor
    profile.approved_at = timezone.now()
    profile.full_clean()
    profile.save(update_fields=["approved_by", "approved_at", "updated_at"])
    audit_log(action=AuditEvent.Action.SETTINGS_CHANGED, actor=actor, organization=organization,
              target=str(_("Governance scheme approved")), request=request)
    forget_snapshot(organization)
    return profile


# --- Project team and COPIL (D2.P2) ---------------------------------------------------------------

@transaction.atomic
def governance_member_create(*, organization: Organization, actor: User | None, data: dict[str, Any]) -> GovernanceMember:
    return _create(GovernanceMember, organization=organization, data=data, fields=MEMBER_FIELDS)


@transaction.atomic
def governance_member_update(*, member: GovernanceMember, actor: User | None, data: dict[str, Any]) -> GovernanceMember:
    return _update(member, organization=member.organization, data=data, fields=MEMBER_FIELDS)


@transaction.atomic
def governance_member_delete(*, member: GovernanceMember, actor: User | None) -> None:
    _delete(member, organization=member.organization)


# --- COPIL meetings and decisions (D2.O1.A) ------------------------------------------------------

def _set_attendees(meeting: CopilMeeting, attendees: Iterable[GovernanceMember] | None) -> None:
    if attendees is None:
        return
    attendees = list(attendees)
    ensure_same_organization(meeting.organization, attendees)
    meeting.attendees.set(attendees)


@transaction.atomic
def copil_meeting_create(*, organization: Organization, actor: User | None, data: dict[str, Any]) -> CopilMeeting:
    meeting = _create(CopilMeeting, organization=organization,
                      data={k: v for k, v in data.items() if k != "attendees"}, fields=MEETING_FIELDS)
    _set_attendees(meeting, data.get("attendees"))
    return meeting


@transaction.atomic
def copil_meeting_update(*, meeting: CopilMeeting, actor: User | None, data: dict[str, Any]) -> CopilMeeting:
    meeting = _update(meeting, organization=meeting.organization,
                      data={k: v for k, v in data.items() if k != "attendees"}, fields=MEETING_FIELDS)
    _set_attendees(meeting, data.get("attendees"))
    return meeting


@transaction.atomic
def copil_meeting_delete(*, meeting: CopilMeeting, actor: User | None) -> None:
    _delete(meeting, organization=meeting.organization)


@transaction.atomic
def decision_create(*, meeting: CopilMeeting, actor: User | None, data: dict[str, Any]) -> Decision:
    return _create(Decision, organization=meeting.organization, data=data, fields=DECISION_FIELDS, meeting=meeting)


@transaction.atomic
def decision_update(*, decision: Decision, actor: User | None, data: dict[str, Any]) -> Decision:
    return _update(decision, organization=decision.organization, data=data, fields=DECISION_FIELDS)


@transaction.atomic
def decision_delete(*, decision: Decision, actor: User | None) -> None:
    _delete(decision, organization=decision.organization)


# --- Cellule de crise (D2.O1.B) ------------------------------------------------------------------

@transaction.atomic
def crisis_role_create(*, organization: Organization, actor: User | None, data: dict[str, Any]) -> CrisisRole:
    return _create(CrisisRole, organization=organization, data=data, fields=ROLE_FIELDS)


@transaction.atomic
def crisis_role_update(*, role: CrisisRole, actor: User | None, data: dict[str, Any]) -> CrisisRole:
    return _update(role, organization=role.organization, data=data, fields=ROLE_FIELDS)


@transaction.atomic
def crisis_role_delete(*, role: CrisisRole, actor: User | None) -> None:
    _delete(role, organization=role.organization)


@transaction.atomic
def crisis_roles_create_standard(*, organization: Organization, actor: User | None) -> list[CrisisRole]:
    """Add the usual roles that the cellule de crise does not have yet (safe to run twice)."""
    existing = set(CrisisRole.objects.filter(organization=organization).values_list("kind", flat=True))
    created = []
    for order, kind in enumerate(STANDARD_ROLES, start=1):
        if kind not in existing:
            created.append(_create(CrisisRole, organization=organization, data={"kind": kind, "order": order * 10},
                                   fields=ROLE_FIELDS))
    return created


@transaction.atomic
def crisis_assignment_create(*, role: CrisisRole, actor: User | None, data: dict[str, Any]) -> CrisisAssignment:
    """Name the holder or a deputy of a role; a role has one holder at most."""
    if data.get("position") == CrisisAssignment.Position.HOLDER and role.assignments.filter(
            position=CrisisAssignment.Position.HOLDER).exists():
        raise ValidationError({"position": _("This role already has a holder: edit it, or add a deputy.")})
    return _create(CrisisAssignment, organization=role.organization, data=data, fields=ASSIGNMENT_FIELDS, role=role)


@transaction.atomic
def crisis_assignment_update(*, assignment: CrisisAssignment, actor: User | None, data: dict[str, Any]) -> CrisisAssignment:
    if data.get("position") == CrisisAssignment.Position.HOLDER and assignment.role.assignments.filter(
            position=CrisisAssignment.Position.HOLDER).exclude(pk=assignment.pk).exists():
        raise ValidationError({"position": _("This role already has a holder: edit it, or add a deputy.")})
    return _update(assignment, organization=assignment.organization, data=data, fields=ASSIGNMENT_FIELDS)


@transaction.atomic
def crisis_assignment_delete(*, assignment: CrisisAssignment, actor: User | None) -> None:
    _delete(assignment, organization=assignment.organization)


# --- Signalement (D2.O1.B) -----------------------------------------------------------------------

@transaction.atomic
def reporting_duty_create(*, organization: Organization, actor: User | None, data: dict[str, Any]) -> ReportingDuty:
    return _create(ReportingDuty, organization=organization, data=data, fields=DUTY_FIELDS)


@transaction.atomic
def reporting_duty_update(*, duty: ReportingDuty, actor: User | None, data: dict[str, Any]) -> ReportingDuty:
    return _update(duty, organization=duty.organization, data=data, fields=DUTY_FIELDS)


@transaction.atomic
def reporting_duty_delete(*, duty: ReportingDuty, actor: User | None) -> None:
    _delete(duty, organization=duty.organization)
