"""Writes for exercises and tests (CaRE D2.O1.D): keyword-only, atomic, validated, checked against the
organization and the member's establishments; the row history is kept by pghistory.

The life of an exercise: planned (``exercise_create``) → running (``exercise_start``: DEBEX) → run
(``exercise_finish``: FINEX, or ``exercise_record_run`` for an exercise recorded afterwards) → RETEX
(``retex_save``, ``retex_approve`` by the direction) → findings → actions (``finding_to_action``).
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.bia.models import Activity, Resource
from apps.continuity.models import Plan, PlanVersion, Scenario, VersionActivity
from apps.core.logbook import LogEntryBase, log_entry_record
from apps.core.services import ensure_same_organization
from apps.exercises.models import (
    Exercise,
    ExerciseActivity,
    ExerciseEstablishment,
    ExerciseLogEntry,
    ExercisePlanVersion,
    ExerciseSite,
    Finding,
    Objective,
    Participant,
    Retex,
    ScheduledTest,
    Stimulus,
    StimulusTemplate,
)
from apps.tenants.models import Establishment, Membership, Organization, Site

if TYPE_CHECKING:
    from apps.accounts.models import User

LIBRARY_FILE = Path(__file__).resolve().parent / "data" / "stimuli_care.json"
EXERCISE_FIELDS = ["title", "format", "scope", "scenario", "cyber_triggered", "context", "animation_notes",
                   "planned_start", "duration_minutes", "owner"]
OBJECTIVE_FIELDS = ["kind", "statement", "target_minutes", "activity", "resource", "observation_points", "order"]
PARTICIPANT_FIELDS = ["role", "function", "job_title", "member", "external_name", "phone", "crisis_role"]
STIMULUS_FIELDS = ["offset_minutes", "sender", "recipient", "channel", "content", "expected_reaction", "order"]
RETEX_FIELDS = ["hot_debrief_on", "hot_debrief", "cold_retex_on", "what_worked", "what_did_not"]
FINDING_FIELDS = ["objective", "title", "description", "severity", "recommendation"]
SCHEDULE_FIELDS = ["next_test_on", "format", "owner", "notes"]


F = TypeVar("F", bound=Callable[..., Any])


def _forgets(func: F) -> F:
    """A write that changes D2.O1.D drops the picture the checks keep on the organization object."""
    import functools

    from apps.exercises.checks import forget_state

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        result = func(**kwargs)
        for value in kwargs.values():
            owner = value if isinstance(value, Organization) else getattr(value, "organization", None)
            if isinstance(owner, Organization):
                forget_state(owner)
        return result

    return cast(F, wrapper)


def _set(instance: Any, data: dict[str, Any], fields: Sequence[str]) -> None:
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])


# --- The stimulus library ------------------------------------------------------------------------------

def starter_library() -> list[dict[str, Any]]:
    """The starter stimuli shipped as data, for the four CaRE scenarios."""
    return json.loads(LIBRARY_FILE.read_text(encoding="utf-8"))["stimuli"]


def stimulus_library_ensure(*, organization: Organization) -> int:
    """Copy the starter stimuli the organization does not have yet into its editable library (organization
    defaults: safe to run again; an item the organization deleted is not brought back)."""
    if StimulusTemplate.objects.filter(organization=organization).exists():
        return 0
    return _library_load(organization)


def _library_load(organization: Organization) -> int:
    have = set(StimulusTemplate.objects.filter(organization=organization).exclude(library_key="")
               .values_list("library_key", flat=True))
    rows = [StimulusTemplate(organization=organization, library_key=item["key"], scenario_kind=item["scenario"],
                             title=item["title"], offset_minutes=item["offset"], sender=item["sender"],
                             recipient=item["recipient"], channel=item["channel"], content=item["content"],
                             expected_reaction=item.get("expected", ""), order=index)
            for index, item in enumerate(starter_library()) if item["key"] not in have]
    StimulusTemplate.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def stimulus_library_reload(*, organization: Organization, actor: User | None) -> int:
    """Bring back the starter stimuli missing from the library (those deleted); the edited ones are kept."""
    return _library_load(organization)


@transaction.atomic
def stimulus_template_save(*, organization: Organization, actor: User | None, data: dict[str, Any],
                           template: StimulusTemplate | None = None) -> StimulusTemplate:
    instance = template or StimulusTemplate(organization=organization)
    _set(instance, data, [*STIMULUS_FIELDS, "scenario_kind", "title"])
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def stimulus_template_delete(*, template: StimulusTemplate, actor: User | None) -> None:
    template.delete()


# --- Planning --------------------------------------------------------------------------------------------

def approved_versions(*, organization: Organization) -> list[PlanVersion]:
    """The plan versions an exercise can test: the approved one of each non-archived plan (frozen)."""
    return list(PlanVersion.objects.filter(organization=organization, status=PlanVersion.Status.APPROVED,
                                           plan__is_archived=False).select_related("plan").order_by("plan__title"))


def _check_versions(exercise: Exercise | None, versions: list[PlanVersion], scope: str, fmt: str) -> None:
    already = set() if exercise is None or exercise.pk is None else set(
        ExercisePlanVersion.objects.filter(exercise=exercise).values_list("version_id", flat=True))
    for v in versions:
        if v.pk not in already and v.status != PlanVersion.Status.APPROVED:
            raise ValidationError({"plan_versions": _(
                "« %(plan)s » version %(number)s is not approved: an exercise tests an approved, frozen version, "
                "never a draft.") % {"plan": v.plan.title, "number": v.number}})
    if scope == "pca" and fmt == "field" and not versions:
        raise ValidationError({"plan_versions": _("A field exercise tests an approved plan (PCA): choose it.")})


def _perimeter(versions: list[PlanVersion]) -> set[int]:
    return set(VersionActivity.objects.filter(version__in=versions).values_list("activity_id", flat=True))


@transaction.atomic
def _set_perimeter(exercise: Exercise, *, versions: list[PlanVersion], activities: list[Activity],
                   establishments: list[Establishment], sites: list[Site]) -> None:
    """The tested versions, activities (in those versions' frozen perimeters), sites and establishments (those
    chosen, plus those of the activities and sites)."""
    org = exercise.organization
    perimeter = _perimeter(versions)
    outside = [a.name for a in activities if a.pk not in perimeter]
    if versions and outside:
        raise ValidationError({"activities": _("Not in the perimeter of the plan versions tested: %(list)s.")
                               % {"list": ", ".join(outside)}})
    if versions and not activities:
        activities = list(Activity.objects.filter(organization=org, pk__in=perimeter))
    covered = {e.pk: e for e in establishments}
    for a in activities:
        covered.setdefault(a.establishment_id, a.establishment)
    for s in sites:
        covered.setdefault(s.establishment_id, s.establishment)
    if not covered:
        only = list(Establishment.objects.filter(organization=org)[:2])
        if len(only) == 1:
            covered[only[0].pk] = only[0]
        else:
            raise ValidationError({"establishments": _("Choose the establishments the exercise covers.")})
    ensure_same_organization(org, list(covered.values()))
    for model, field, wanted in ((ExercisePlanVersion, "version", versions), (ExerciseActivity, "activity", activities),
                                 (ExerciseSite, "site", sites),
                                 (ExerciseEstablishment, "establishment", list(covered.values()))):
        ids = {obj.pk for obj in wanted}
        model.objects.filter(organization=org, exercise=exercise).exclude(**{f"{field}_id__in": ids}).delete()
        have = set(model.objects.filter(organization=org, exercise=exercise).values_list(f"{field}_id", flat=True))
        model.objects.bulk_create([model(organization=org, exercise=exercise, **{field: obj})  # type: ignore[misc]
                                   for obj in wanted if obj.pk not in have])


def _validate_exercise(organization: Organization, data: dict[str, Any]) -> None:
    ensure_same_organization(organization, {k: v for k, v in data.items() if k in ("scenario", "owner")})
    scenario = data.get("scenario")
    if scenario is not None and not isinstance(scenario, Scenario):
        raise ValidationError({"scenario": _("Choose one of the organization's scenarios.")})


def _lists(data: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: list(data.get(name) or []) for name in ("plan_versions", "activities", "establishments", "sites")}


@_forgets
@transaction.atomic
def exercise_create(*, organization: Organization, actor: User | None, data: dict[str, Any]) -> Exercise:
    """Plan an exercise (RPCRA): what it tests (approved plan versions), where (establishments, sites,
    activities), when, its format and scenario. A PCA exercise tests at least one approved plan."""
    _validate_exercise(organization, data)
    lists = _lists(data)
    ensure_same_organization(organization, [x for values in lists.values() for x in values])
    exercise = Exercise(organization=organization)
    _set(exercise, data, EXERCISE_FIELDS)
    if exercise.owner_id is None and actor is not None:
        exercise.owner = Membership.objects.filter(organization=organization, user=actor).first()
    exercise.full_clean()
    _check_versions(None, lists["plan_versions"], exercise.scope, exercise.format)
    exercise.save()
    _set_perimeter(exercise, versions=lists["plan_versions"], activities=lists["activities"],
                   establishments=lists["establishments"], sites=lists["sites"])
    return exercise


@_forgets
@transaction.atomic
def exercise_update(*, exercise: Exercise, actor: User | None, data: dict[str, Any]) -> Exercise:
    """Change the plan of an exercise; once it has run, what it tested and when stay as they were."""
    exercise = _locked(exercise)
    if exercise.status == Exercise.Status.CANCELLED:
        raise ValidationError(_("This exercise is cancelled: it cannot be changed."))
    _validate_exercise(exercise.organization, data)
    lists = _lists(data)
    ensure_same_organization(exercise.organization, [x for values in lists.values() for x in values])
    _set(exercise, data, EXERCISE_FIELDS)
    exercise.reminder_30_for = exercise.reminder_7_for = None  # a new date re-arms the reminders
    exercise.full_clean()
    _check_versions(exercise, lists["plan_versions"], exercise.scope, exercise.format)
    exercise.save()
    _set_perimeter(exercise, versions=lists["plan_versions"], activities=lists["activities"],
                   establishments=lists["establishments"], sites=lists["sites"])
    return exercise


@_forgets
@transaction.atomic
def exercise_cancel(*, exercise: Exercise, actor: User | None, reason: str) -> Exercise:
    caller, exercise = exercise, _locked(exercise)
    if not exercise.is_open:
        raise ValidationError(_("Only a planned or running exercise can be cancelled."))
    exercise.status, exercise.cancel_reason = Exercise.Status.CANCELLED, reason.strip()
    exercise.full_clean()
    exercise.save(update_fields=["status", "cancel_reason", "updated_at"])
    return _sync(caller, exercise)


def _sync(caller: Exercise, fresh: Exercise) -> Exercise:
    """The caller's instance follows what was saved (services re-read the row under a lock)."""
    for name in ("status", "debex_at", "finex_at", "cancel_reason", "updated_at"):
        setattr(caller, name, getattr(fresh, name))
    return fresh


def _current(exercise: Exercise) -> Exercise:
    """The exercise as stored now (its state decides what may be written), never a stale copy."""
    return Exercise.objects.get(pk=exercise.pk, organization_id=exercise.organization_id)


def _locked(exercise: Exercise) -> Exercise:
    return Exercise.objects.select_for_update().get(pk=exercise.pk, organization_id=exercise.organization_id)


def _milestone(exercise: Exercise, actor: User | None, text: str, at: datetime.datetime) -> None:
    # A time the server sets (or an exercise recorded afterwards): not a browser's clock to check.
    log_entry_record(model=ExerciseLogEntry, organization=exercise.organization, actor=actor,
                     parent={"exercise": exercise}, text=text, kind=LogEntryBase.Kind.MILESTONE, occurred_at=at, now=at)


def _advance(exercise: Exercise, actor: User | None, *, expected: str, status: str, stamp: str,
             refusal: str, milestone: str, at: datetime.datetime | None) -> Exercise:
    """One step of the run (DEBEX, FINEX): the status moves on, its time is stamped, the main courante says so."""
    caller, exercise = exercise, _locked(exercise)
    if exercise.status != expected:
        raise ValidationError(refusal)
    exercise.status = status
    setattr(exercise, stamp, at or timezone.now())
    exercise.full_clean()
    exercise.save(update_fields=["status", stamp, "updated_at"])
    _milestone(exercise, actor, milestone, getattr(exercise, stamp))
    return _sync(caller, exercise)


@_forgets
@transaction.atomic
def exercise_start(*, exercise: Exercise, actor: User | None, at: datetime.datetime | None = None) -> Exercise:
    """DEBEX: the clock of the live page starts; the main courante opens with it."""
    return _advance(exercise, actor, expected=Exercise.Status.PLANNED, status=Exercise.Status.RUNNING,
                    stamp="debex_at", refusal=_("Only a planned exercise can be started."),
                    milestone=_("DEBEX — start of the exercise"), at=at)


@_forgets
@transaction.atomic
def exercise_finish(*, exercise: Exercise, actor: User | None, at: datetime.datetime | None = None) -> Exercise:
    """FINEX: the exercise is run; the RETEX can be written."""
    return _advance(exercise, actor, expected=Exercise.Status.RUNNING, status=Exercise.Status.FINISHED,
                    stamp="finex_at", refusal=_("Only a running exercise can be ended."),
                    milestone=_("FINEX — end of the exercise"), at=at)


@_forgets
@transaction.atomic
def exercise_record_run(*, exercise: Exercise, actor: User | None, debex_at: datetime.datetime,
                        finex_at: datetime.datetime) -> Exercise:
    """Record (or correct) when an exercise was run, e.g. one run before it was entered in Resilis."""
    caller, exercise = exercise, _locked(exercise)
    if exercise.status == Exercise.Status.CANCELLED:
        raise ValidationError(_("This exercise is cancelled: it cannot be changed."))
    if debex_at > timezone.now():
        raise ValidationError({"debex_at": _("An exercise cannot have been run in the future.")})
    if finex_at < debex_at:
        raise ValidationError({"finex_at": _("FINEX cannot come before DEBEX.")})
    exercise.debex_at, exercise.finex_at, exercise.status = debex_at, finex_at, Exercise.Status.FINISHED
    exercise.full_clean()
    exercise.save(update_fields=["debex_at", "finex_at", "status", "updated_at"])
    return _sync(caller, exercise)


# --- Objectives, participants, chronogramme --------------------------------------------------------------

def _editable(exercise: Exercise) -> None:
    if exercise.status == Exercise.Status.CANCELLED:
        raise ValidationError(_("This exercise is cancelled: it cannot be changed."))


@transaction.atomic
def objective_save(*, exercise: Exercise, actor: User | None, data: dict[str, Any],
                   objective: Objective | None = None) -> Objective:
    """A measurable objective; a degraded-mode one names its activity, an RTA/RPA one its system."""
    _editable(exercise)
    ensure_same_organization(exercise.organization, {k: data.get(k) for k in ("activity", "resource")})
    resource = data.get("resource")
    if isinstance(resource, Resource) and resource.kind not in ("application", "infrastructure"):
        raise ValidationError({"resource": _("Choose an application or an infrastructure.")})
    instance = objective or Objective(organization=exercise.organization, exercise=exercise)
    _set(instance, data, OBJECTIVE_FIELDS)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def objective_delete(*, objective: Objective, actor: User | None) -> None:
    _editable(objective.exercise)
    objective.delete()


def elapsed_minutes(exercise: Exercise, at: datetime.datetime) -> Decimal:
    assert exercise.debex_at is not None
    seconds = max(0.0, (at - exercise.debex_at).total_seconds())
    return Decimal(str(round(seconds / 60, 1)))


@transaction.atomic
def objective_measure(*, exercise: Exercise, objective: Objective, actor: User | None,
                      minutes: Decimal | None = None, at: datetime.datetime | None = None) -> Objective:
    """Record the measure of an objective: the time since DEBEX now (« Mesurer »), or a value typed (an RPA, a
    correction). The main courante gets the line, so the measure is traced with who and when."""
    if objective.exercise_id != exercise.pk:
        raise ValidationError(_("This objective belongs to another exercise."))
    exercise = _current(exercise)
    if exercise.debex_at is None or exercise.status == Exercise.Status.CANCELLED:
        raise ValidationError(_("Start the exercise (DEBEX) before measuring."))
    at = at or timezone.now()
    if minutes is None:
        minutes = elapsed_minutes(exercise, at)
    if minutes < 0:
        raise ValidationError({"minutes": _("A measure cannot be negative.")})
    objective.measured_minutes, objective.measured_at = minutes, at
    objective.full_clean()
    objective.save(update_fields=["measured_minutes", "measured_at", "updated_at"])
    log_entry_record(model=ExerciseLogEntry, organization=exercise.organization, actor=actor,
                     parent={"exercise": exercise}, kind=LogEntryBase.Kind.MEASURE, occurred_at=at, now=at,
                     text=_("Measure — %(objective)s: %(minutes)s min") % {"objective": objective.statement,
                                                                          "minutes": minutes},
                     links={"objective": objective})
    return objective


@transaction.atomic
def participant_save(*, exercise: Exercise, actor: User | None, data: dict[str, Any],
                     participant: Participant | None = None) -> Participant:
    _editable(exercise)
    ensure_same_organization(exercise.organization, {k: data.get(k) for k in ("member", "crisis_role")})
    instance = participant or Participant(organization=exercise.organization, exercise=exercise)
    _set(instance, data, PARTICIPANT_FIELDS)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def participant_delete(*, participant: Participant, actor: User | None) -> None:
    _editable(participant.exercise)
    participant.delete()


def _check_objective(exercise: Exercise, objective: Any) -> None:
    if objective is not None and objective.exercise_id != exercise.pk:
        raise ValidationError({"objective": _("Choose an objective of this exercise.")})


@transaction.atomic
def stimulus_save(*, exercise: Exercise, actor: User | None, data: dict[str, Any],
                  stimulus: Stimulus | None = None) -> Stimulus:
    """A line of the chronogramme: when (minutes after DEBEX), from whom to whom, how, what, the reaction expected."""
    _editable(exercise)
    _check_objective(exercise, data.get("objective"))
    instance = stimulus or Stimulus(organization=exercise.organization, exercise=exercise)
    _set(instance, data, [*STIMULUS_FIELDS, "objective"])
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def stimulus_delete(*, stimulus: Stimulus, actor: User | None) -> None:
    _editable(stimulus.exercise)
    stimulus.delete()


@transaction.atomic
def stimuli_from_templates(*, exercise: Exercise, actor: User | None,
                           templates: Iterable[StimulusTemplate]) -> list[Stimulus]:
    """Copy library stimuli into the chronogramme (each can then be adapted)."""
    _editable(exercise)
    templates = list(templates)
    ensure_same_organization(exercise.organization, templates)
    rows = [Stimulus(organization=exercise.organization, exercise=exercise,
                     **{f: getattr(t, f) for f in STIMULUS_FIELDS}) for t in templates]
    for row in rows:
        row.full_clean()
    return Stimulus.objects.bulk_create(rows)


@transaction.atomic
def stimulus_mark_sent(*, exercise: Exercise, stimulus: Stimulus, actor: User | None,
                       at: datetime.datetime | None = None) -> Stimulus:
    """The animators injected the stimulus: its time is kept and the main courante says so (once)."""
    if stimulus.exercise_id != exercise.pk:
        raise ValidationError(_("This stimulus belongs to another exercise."))
    exercise = _current(exercise)
    if exercise.status != Exercise.Status.RUNNING:
        raise ValidationError(_("Stimuli are sent while the exercise runs (between DEBEX and FINEX)."))
    stimulus = Stimulus.objects.select_for_update().get(pk=stimulus.pk)
    if stimulus.sent_at is not None:
        return stimulus
    stimulus.sent_at = at or timezone.now()
    stimulus.save(update_fields=["sent_at", "updated_at"])
    log_entry_record(model=ExerciseLogEntry, organization=exercise.organization, actor=actor,
                     parent={"exercise": exercise}, kind=LogEntryBase.Kind.STIMULUS, occurred_at=stimulus.sent_at,
                     now=stimulus.sent_at,
                     who=stimulus.sender, text=_("Stimulus T+%(offset)s sent to %(recipient)s: %(content)s")
                     % {"offset": stimulus.offset_minutes, "recipient": stimulus.recipient,
                        "content": stimulus.content[:500]}, links={"stimulus": stimulus})
    return stimulus


# --- The main courante ------------------------------------------------------------------------------------

def log_entry_add(*, exercise: Exercise, actor: User | None, text: str, key: uuid.UUID | None = None,
                  kind: str = LogEntryBase.Kind.EVENT, who: str = "", occurred_at: datetime.datetime | None = None,
                  stimulus: Stimulus | None = None, objective: Objective | None = None,
                  now: datetime.datetime | None = None) -> tuple[ExerciseLogEntry, bool]:
    """One entry of the exercise's main courante (idempotent on ``key``, see ``apps.core.logbook``). Entries are
    taken from DEBEX on, and still after FINEX (one typed offline during the run arrives late)."""
    exercise = _current(exercise)
    if exercise.debex_at is None:
        raise ValidationError(_("The main courante opens at DEBEX: start the exercise first."))
    if exercise.status == Exercise.Status.CANCELLED:
        raise ValidationError(_("This exercise is cancelled: its main courante is closed."))
    if stimulus is not None and stimulus.exercise_id != exercise.pk:
        raise ValidationError({"stimulus": _("Choose a stimulus of this exercise.")})
    _check_objective(exercise, objective)
    return log_entry_record(model=ExerciseLogEntry, organization=exercise.organization, actor=actor,
                            parent={"exercise": exercise}, text=text, key=key, kind=kind, who=who,
                            occurred_at=occurred_at, links={"stimulus": stimulus, "objective": objective}, now=now)


# --- RETEX and findings ------------------------------------------------------------------------------------

def _retex_for(exercise: Exercise) -> Retex:
    retex = Retex.objects.select_for_update().filter(exercise=exercise).first()
    return retex or Retex(organization=exercise.organization, exercise=exercise)


@_forgets
@transaction.atomic
def retex_save(*, exercise: Exercise, actor: User | None, data: dict[str, Any],
               outcomes: dict[int, dict[str, Any]] | None = None) -> Retex:
    """The hot debrief and the cold RETEX, and per objective its outcome (achieved / partly / not) with the
    measured value. Changing an approved RETEX sends it back to draft: the direction approves it again."""
    exercise = _locked(exercise)
    if exercise.status != Exercise.Status.FINISHED:
        raise ValidationError(_("The RETEX is written once the exercise has been run (after FINEX)."))
    retex = _retex_for(exercise)
    today = timezone.localdate()
    for name in ("hot_debrief_on", "cold_retex_on"):
        day = data.get(name)
        if day is not None and exercise.run_on is not None and day < exercise.run_on:
            raise ValidationError({name: _("The RETEX cannot come before the exercise (%(date)s).")
                                   % {"date": date_format(exercise.run_on, "SHORT_DATE_FORMAT")}})
        if day is not None and day > today:
            raise ValidationError({name: _("This date is in the future.")})
    before = {f: getattr(retex, f) for f in RETEX_FIELDS}
    _set(retex, data, RETEX_FIELDS)
    changed = any(before[f] != getattr(retex, f) for f in RETEX_FIELDS)
    for objective in Objective.objects.filter(organization=exercise.organization, exercise=exercise):
        values = (outcomes or {}).get(objective.pk)
        if not values:
            continue
        fields = [f for f in ("outcome", "outcome_comment", "measured_minutes") if f in values
                  and values[f] != getattr(objective, f)]
        if fields:
            _set(objective, values, fields)
            objective.full_clean()
            objective.save(update_fields=[*fields, "updated_at"])
            changed = True
    if changed and retex.status != Retex.Status.DRAFT:
        retex.status, retex.approved_at, retex.approved_by, retex.submitted_at = Retex.Status.DRAFT, None, None, None
    retex.full_clean()
    retex.save()
    return retex


@_forgets
@transaction.atomic
def retex_submit(*, exercise: Exercise, actor: User | None) -> Retex:
    retex = _retex_for(exercise)
    if retex.pk is None or not retex.is_written:
        raise ValidationError(_("Write the hot debrief or the cold RETEX before sending it for approval."))
    if retex.status != Retex.Status.DRAFT:
        raise ValidationError(_("Only a draft RETEX can be sent for approval."))
    retex.status, retex.submitted_at = Retex.Status.SUBMITTED, timezone.now()
    retex.save(update_fields=["status", "submitted_at", "updated_at"])
    return retex


@_forgets
@transaction.atomic
def retex_approve(*, exercise: Exercise, actor: User | None) -> Retex:
    """The direction approves the RETEX (capability ``exercises.approve``, checked by the view)."""
    retex = _retex_for(exercise)
    if retex.pk is None or retex.status != Retex.Status.SUBMITTED:
        raise ValidationError(_("Only a RETEX sent for approval can be approved."))
    retex.status, retex.approved_at, retex.approved_by = Retex.Status.APPROVED, timezone.now(), actor
    retex.full_clean()
    retex.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    return retex


@_forgets
@transaction.atomic
def retex_send_back(*, exercise: Exercise, actor: User | None) -> Retex:
    retex = _retex_for(exercise)
    if retex.pk is None or retex.status != Retex.Status.SUBMITTED:
        raise ValidationError(_("Only a RETEX sent for approval can be sent back."))
    retex.status, retex.submitted_at = Retex.Status.DRAFT, None
    retex.save(update_fields=["status", "submitted_at", "updated_at"])
    return retex


@transaction.atomic
def finding_save(*, exercise: Exercise, actor: User | None, data: dict[str, Any],
                 finding: Finding | None = None) -> Finding:
    exercise = _current(exercise)
    if exercise.debex_at is None:
        raise ValidationError(_("Findings are written once the exercise has started."))
    _editable(exercise)
    _check_objective(exercise, data.get("objective"))
    instance = finding or Finding(organization=exercise.organization, exercise=exercise)
    _set(instance, data, FINDING_FIELDS)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def finding_delete(*, finding: Finding, actor: User | None) -> None:
    if finding_actions(organization=finding.organization, findings=[finding]):
        raise ValidationError(_("An action of the action plan comes from this finding: it is kept."))
    finding.delete()


def actions_installed() -> bool:
    from django.apps import apps

    return apps.is_installed("apps.actions")


def finding_to_action(*, finding: Finding, actor: User | None) -> Any:
    """Turn a finding into an action of the action plan, in one click (source = the finding).

    The action plan is another app (``apps.actions``, issue 14): it is imported only when installed, through its
    hook ``create_from_source`` with the source kind it reserves for RETEX findings (``exercise_finding``,
    resolved by ``apps.exercises.action_source``: the finding's severity is the default priority, the
    exercise's establishments those of the action, requirement D2.O1.D). A finding that already has an open
    action is refused with a French message; without the app, too (the page does not offer the button then).
    """
    if not actions_installed():
        raise ValidationError(_("The action plan is not available in this installation."))
    from apps.actions import services as action_services
    from apps.exercises.action_source import KIND

    if finding_actions(organization=finding.organization, findings=[finding]):
        raise ValidationError(_("An action already comes from this finding."))
    return action_services.create_from_source(organization=finding.organization, actor=actor, kind=KIND,
                                              source_id=finding.pk)


def finding_actions(*, organization: Organization, findings: Iterable[Finding]) -> dict[int, Any]:
    """Finding id → the (first open) action made from it, one query; nothing without the action plan app."""
    ids = {f.pk for f in findings}
    if not ids or not actions_installed():
        return {}
    from apps.actions import selectors as action_selectors
    from apps.exercises.action_source import KIND

    by_source = action_selectors.actions_by_source(organization=organization, kind=KIND)
    return {source_id: actions[0] for (source_id, _key), actions in by_source.items()
            if source_id in ids and actions}


# --- The test schedule -------------------------------------------------------------------------------------

@_forgets
@transaction.atomic
def schedule_save(*, plan: Plan, actor: User | None, data: dict[str, Any]) -> ScheduledTest:
    """The next test of a plan (date, format, owner): every approved plan should have one (D2.O1.D « planning de
    test des autres PCA »); a draft's test can be planned ahead (it counts once the plan is approved). A new date
    re-arms the 30- and 7-day reminders."""
    organization = plan.organization
    if plan.is_archived:
        raise ValidationError(_("This plan is archived: it is not tested any more."))
    ensure_same_organization(organization, {"owner": data.get("owner")})
    schedule = ScheduledTest.objects.select_for_update().filter(organization=organization, plan=plan).first()
    schedule = schedule or ScheduledTest(organization=organization, plan=plan)
    previous = schedule.next_test_on
    _set(schedule, data, SCHEDULE_FIELDS)
    if schedule.next_test_on != previous:
        schedule.reminder_30_for = schedule.reminder_7_for = None
    schedule.full_clean()
    schedule.save()
    return schedule


@_forgets
@transaction.atomic
def schedule_delete(*, schedule: ScheduledTest, actor: User | None) -> None:
    schedule.delete()
