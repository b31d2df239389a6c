"""Writes of the action plan: keyword-only, atomic, validated, in the history (pghistory triggers).

Rules (issue « plan d'actions »):
- an action has a title and a due date; a due date in the past is accepted only for an action entered after
  the fact (``retro_entered``: imported, or recorded late), which then shows as late;
- its owner is a member of the organization, or an external person named with an e-mail address;
- its CaRE requirements come from the catalogue in force; its establishments from the organization, and a
  member limited to some establishments names at least one of their own (``apps.core.tenancy``);
- an action created from a source is checked against that source through the organization
  (``apps.actions.sources``), names the source's establishment, and keeps the source's words;
- « fait » needs a proof of closure (an evidence file, or a note); « abandonné » needs a reason; the status
  of an action never changes its source;
- the owner is told by e-mail when an action is assigned to them (by the worker, in the organization's
  language), not when they assign it to themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.actions import sources
from apps.actions.models import (
    CLOSED_STATUSES,
    Action,
    ActionEstablishment,
    ActionNote,
    Priority,
    SourceKind,
    Status,
)
from apps.compliance.catalogue import current_catalogue
from apps.compliance.models import Evidence
from apps.core import tenancy
from apps.core.services import ensure_same_organization
from apps.tenants.models import Establishment, Organization

if TYPE_CHECKING:
    from apps.accounts.models import User

FIELDS = ["title", "description", "requirement_ids", "owner_member", "owner_name", "owner_email", "due_date",
          "retro_entered", "priority", "cost_estimate"]


def _clean_requirements(requirement_ids: Iterable[str]) -> list[str]:
    known = [r.id for r in current_catalogue().requirements]
    wanted = list(requirement_ids or [])
    unknown = [r for r in wanted if r not in known]
    if unknown:
        raise ValidationError({"requirement_ids": _("Unknown CaRE requirement: %(ids)s.") % {"ids": ", ".join(unknown)}})
    return [r for r in known if r in wanted]  # catalogue order, no duplicates


def _validate(organization: Organization, data: dict[str, Any], *, previous: Action | None) -> dict[str, Any]:
    data = dict(data)
    data["title"] = (data.get("title") or "").strip()
    if not data["title"]:
        raise ValidationError({"title": _("Give the action a title.")})
    data["requirement_ids"] = _clean_requirements(data.get("requirement_ids") or [])
    if data.get("priority") not in Priority.values:
        data["priority"] = Priority.MEDIUM
    data["owner_name"] = (data.get("owner_name") or "").strip()
    data["owner_email"] = (data.get("owner_email") or "").strip()
    if data.get("owner_member") is not None:
        data["owner_name"] = data["owner_email"] = ""
    owner_changed = previous is None or any(
        getattr(previous, f) != data.get(f) for f in ("owner_member", "owner_name", "owner_email"))
    if owner_changed and data.get("owner_member") is None:
        if data["owner_name"] and not data["owner_email"]:
            raise ValidationError({"owner_email": _("Give the e-mail address of this person, or choose a member.")})
        if data["owner_email"] and not data["owner_name"]:
            raise ValidationError({"owner_name": _("Give the name of this person, or choose a member.")})
    due = data.get("due_date")
    if due is None:
        if previous is None or previous.due_date is not None:
            raise ValidationError({"due_date": _("Give a due date.")})
    elif due < timezone.localdate() and not data.get("retro_entered") and (previous is None or due != previous.due_date):
        raise ValidationError({"due_date": _(
            "A due date in the past is only accepted for an action entered after the fact: tick « entered after "
            "the fact » (it will show as late), or choose a later date.")})
    ensure_same_organization(organization, {"owner_member": data.get("owner_member")})
    return data


def _check_establishments(organization: Organization, establishments: list[Establishment],
                          source: sources.SourceInfo | None) -> None:
    try:
        ensure_same_organization(organization, establishments)
    except ValidationError as error:
        raise ValidationError({"establishments": error.messages}) from error
    if tenancy.is_limited() and not establishments:
        raise ValidationError({"establishments": _(
            "Name at least one of your establishments: an action of the whole organization is created by a "
            "member of the whole organization.")})
    chosen = {e.pk for e in establishments}
    if source is not None and source.establishment_ids and not set(source.establishment_ids) <= chosen:
        names = ", ".join(str(e) for e in Establishment.objects.filter(organization=organization,
                                                                          pk__in=source.establishment_ids))
        raise ValidationError({"establishments": _("This source belongs to %(names)s: the action must name it.")
                               % {"names": names}})


def _set_establishments(action: Action, establishments: list[Establishment]) -> None:
    wanted = {e.pk for e in establishments}
    current = set(ActionEstablishment.objects.filter(action=action).values_list("establishment_id", flat=True))
    # Row by row (not bulk): the establishment limit's write guard sees each one.
    for link in ActionEstablishment.objects.filter(action=action, establishment_id__in=current - wanted):
        link.delete()
    for pk in sorted(wanted - current):
        ActionEstablishment.objects.create(organization_id=action.organization_id, action=action, establishment_id=pk)


def _notify_assignment(action: Action, actor: User | None, previous_owner: tuple[Any, str, str] | None) -> None:
    from apps.actions import tasks
    from apps.core.tasks import enqueue_on_commit

    current = (action.owner_member_id, action.owner_name, action.owner_email)
    if previous_owner == current or not (action.owner_member_id or action.owner_email):
        return
    if actor is not None and action.owner_member_id and action.owner_member and action.owner_member.user_id == actor.pk:
        return  # nobody needs an e-mail to learn what they just did
    organization = action.organization
    enqueue_on_commit(tasks.notify_assigned, organization, action.pk, language=organization.language, user=actor)
    from apps.notifications import events

    events.action_assigned(action=action, actor=actor)


@transaction.atomic
def action_create(*, organization: Organization, actor: User | None, data: dict[str, Any],
                  establishments: Iterable[Establishment] = (), source: sources.SourceInfo | None = None,
                  notify: bool = True) -> Action:
    """Record an action (from scratch, or from ``source`` as ``create_from_source`` resolved it)."""
    establishments = list(establishments)
    data = _validate(organization, data, previous=None)
    _check_establishments(organization, establishments, source)
    # One number after the other per organization: the organization's row serialises concurrent creations,
    # and the count runs on every action (a limited member's scope hides some).
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    last = Action._base_manager.filter(organization=organization).aggregate(n=Max("number"))["n"] or 0
    action = Action(organization=organization, number=last + 1,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                    **{f: data[f] for f in FIELDS if f in data})
    if source is not None:
        action.source_kind, action.source_id, action.source_key = source.ref.kind, source.ref.id, source.ref.key
        action.source_label = source.label
    action.full_clean(exclude=["number"])
    action.save()
    _set_establishments(action, establishments)
    if notify:
        _notify_assignment(action, actor, None)
    return action


def source_defaults(info: sources.SourceInfo) -> dict[str, Any]:
    """The fields an action created from ``info`` starts with (the form's initial values)."""
    return {"title": info.title, "description": info.description, "priority": info.priority,
            "requirement_ids": list(info.requirement_ids), "due_date": info.due_date,
            "owner_member": info.owner_member}


@transaction.atomic
def create_from_source(*, organization: Organization, actor: User | None, kind: str, source_id: int | None = None,
                       key: str = "", data: dict[str, Any] | None = None,
                       establishments: Iterable[Establishment] | None = None, notify: bool = True) -> Action:
    """An action from a source (« Créer une action » on a BIA gap, a decision, a failed restoration test…).

    The source is resolved through the organization and the current scope (a missing, foreign or hidden source
    is refused); ``data`` overrides what the source proposes (title, description, priority, requirements, due
    date, owner); ``establishments`` defaults to the source's own. The exercises app calls this with
    ``kind="exercise_finding"`` once it has registered that source (``sources.register_source``).
    """
    ref = sources.SourceRef(kind=kind, id=source_id, key=key)
    if kind == SourceKind.NONE:
        raise ValidationError(_("This source is not available."))
    info = sources.resolve(organization, ref)
    if info is None:
        raise ValidationError(_("This source is not available (it may have been deleted)."))
    values = {**source_defaults(info), **(data or {})}
    if establishments is None:
        establishments = list(Establishment.objects.filter(organization=organization, pk__in=info.establishment_ids))
    return action_create(organization=organization, actor=actor, data=values, establishments=establishments,
                         source=info, notify=notify)


@transaction.atomic
def action_update(*, action: Action, actor: User | None, data: dict[str, Any],
                  establishments: Iterable[Establishment] | None = None, notify: bool = True) -> Action:
    """Change what the action says (not its status: ``action_set_status``)."""
    organization = action.organization
    data = _validate(organization, {f: data.get(f, getattr(action, f)) for f in FIELDS}, previous=action)
    previous_owner = (action.owner_member_id, action.owner_name, action.owner_email)
    if establishments is not None:
        info = sources.resolve(organization, sources.SourceRef(action.source_kind, action.source_id,
                                                               action.source_key))
        _check_establishments(organization, list(establishments), info)
    changed = [f for f in FIELDS if getattr(action, f) != data[f]]
    for f in changed:
        setattr(action, f, data[f])
    if changed:
        action.full_clean(exclude=["number"])
        action.save(update_fields=[*changed, "updated_at"])
    if establishments is not None:
        _set_establishments(action, list(establishments))
    if notify:
        _notify_assignment(action, actor, previous_owner)
    return action


@transaction.atomic
def action_set_status(*, action: Action, actor: User | None, status: str, proof_evidence: Evidence | None = None,
                      proof_upload: UploadedFile | None = None, proof_note: str | None = None,
                      abandon_reason: str = "") -> Action:
    """Move an action to ``status``: « fait » with a proof (a file, new or from the library, or a note),
    « abandonné » with a reason; reopening clears the closing date. The source is left as it is."""
    if status not in Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    organization = action.organization
    fields: list[str] = []
    if status == Status.DONE:
        if proof_upload is not None:
            proof_evidence = _proof_upload(action, actor, proof_upload)
        if proof_evidence is not None:
            ensure_same_organization(organization, {"proof_evidence": proof_evidence})
            action.proof_evidence = proof_evidence
            fields.append("proof_evidence")
        if proof_note is not None and proof_note.strip() != action.proof_note:
            action.proof_note = proof_note.strip()
            fields.append("proof_note")
        if not action.has_proof:
            raise ValidationError({"proof_note": _(
                "Give a proof of closure: a file (new or from the evidence library) or a note saying what was done.")})
    if status == Status.ABANDONED:
        reason = (abandon_reason or "").strip()
        if not reason:
            raise ValidationError({"abandon_reason": _("Say why the action is abandoned.")})
        action.abandon_reason = reason
        fields.append("abandon_reason")
    if status != action.status:
        if status in CLOSED_STATUSES:
            action.closed_at = timezone.now()
        else:
            action.closed_at = None
        action.status = status
        fields += ["status", "closed_at"]
    if fields:
        action.full_clean(exclude=["number"])
        action.save(update_fields=[*dict.fromkeys(fields), "updated_at"])
    return action


def _proof_upload(action: Action, actor: User | None, upload: UploadedFile) -> Evidence:
    from apps.compliance.services import evidence_upload

    try:
        return evidence_upload(
            organization=action.organization, actor=actor, upload=upload,
            title=(_("Proof of closure — %(reference)s %(title)s") % {"reference": action.reference,
                                                                     "title": action.title})[:200],
            requirement_ids=list(action.requirement_ids), document_date=timezone.localdate(), linked_object=action)
    except ValidationError as error:
        raise ValidationError({"proof_upload": error.messages}) from error


@transaction.atomic
def action_note_add(*, action: Action, actor: User | None, text: str, noted_on: date | None = None) -> ActionNote:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the progress note.")})
    if noted_on is not None and noted_on > timezone.localdate():
        raise ValidationError({"noted_on": _("A progress note cannot be dated in the future.")})
    note = ActionNote(organization_id=action.organization_id, action=action, text=text,
                      noted_on=noted_on or timezone.localdate(),
                      author=actor if getattr(actor, "is_authenticated", False) else None)
    note.full_clean()
    note.save()
    return note
