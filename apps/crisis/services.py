"""Writes of the crisis day: keyword-only, typed, atomic, validated, audited (DOMAIN.md §11).

- ``crisis_activate`` / ``crisis_close``: need ``crisis.activate`` (checked by the views); recorded in the audit
  trail and in the main courante; the crisis cell is notified and the report rendered by the worker.
- The live page's ticks: degraded mode activated, fiche réflexe line done, recovery step moved, signalement done.
- The kit's copy register: ``kit_copy_issue`` (a numbered copy, built by the worker), ``kit_copy_set_state``
  (replaced / destroyed) and ``kit_copies_mark_stale`` (a newer plan version approved).
- ``simulation_save``: a « what if » kept with its result.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.continuity.models import PlanVersion, RecoveryStep, ReflexSheet, Scenario
from apps.core import tenancy
from apps.core.logbook import LogEntryBase, log_entry_record
from apps.core.models import AuditEvent
from apps.core.services import audit_log
from apps.core.tasks import enqueue_on_commit
from apps.crisis.models import (
    Crisis,
    CrisisLogEntry,
    CrisisPlanVersion,
    DegradedActivation,
    KitCopy,
    RecoveryProgress,
    ReflexTick,
    SignalementDone,
    Simulation,
)

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.bia.models import Activity
    from apps.tenants.models import Establishment, Membership, Organization

logger = logging.getLogger(__name__)

# The signalement duties every crisis lists when the governance has none recorded (DOMAIN.md §11).
DEFAULT_SIGNALEMENTS: list[tuple[str, int | None, str]] = [
    ("cert_sante", None, "CERT Santé (portail de signalement des incidents)"),
    ("ars", None, "ARS"),
    ("anssi", None, "ANSSI"),
    ("cnil", 72, "CNIL (violation de données personnelles)"),
    ("police", None, "Plainte (police / gendarmerie)"),
]


def _milestone(crisis: Crisis, actor: User | None, text: str, *, kind: str = LogEntryBase.Kind.MILESTONE,
               at: datetime.datetime | None = None) -> None:
    log_entry_record(model=CrisisLogEntry, organization=crisis.organization, actor=actor, parent={"crisis": crisis},
                     text=text, kind=kind, occurred_at=at)


def _check_establishment(establishment: Establishment | None) -> None:
    if establishment is None:
        if tenancy.is_limited():
            raise ValidationError({"establishment": _("You may only act for your own establishments.")})
        return
    if not tenancy.establishment_allowed(establishment.pk):
        raise ValidationError({"establishment": _("You may only act for your own establishments.")})


def _writable(crisis: Crisis) -> None:
    if tenancy.is_limited() and not Crisis.objects.writable().filter(pk=crisis.pk).exists():
        raise ValidationError(_("This crisis concerns an establishment you cannot change."))


def _active(crisis: Crisis) -> Crisis:
    locked = Crisis.objects.select_for_update().get(organization=crisis.organization, pk=crisis.pk)
    if locked.status != Crisis.Status.ACTIVE:
        raise ValidationError(_("This crisis is closed."))
    _writable(locked)
    return locked


@transaction.atomic
def crisis_activate(*, organization: Organization, actor: User | None, title: str, scenario: Scenario,
                    versions: Iterable[PlanVersion], establishment: Establishment | None = None,
                    is_exercise: bool = False, description: str = "", simulation: Simulation | None = None,
                    at: datetime.datetime | None = None) -> Crisis:
    """« Déclencher »: record the time, activate the approved plan versions chosen, list their recovery sequence
    and the signalement duties, open the main courante, and notify the crisis cell's holders and deputies (by the
    worker). An exercise goes the same way, flagged as one."""
    versions = list(versions)
    if scenario.organization_id != organization.pk:
        raise ValidationError({"scenario": _("Choose a scenario of this organization.")})
    if not versions:
        raise ValidationError({"versions": _("Choose at least one approved plan to activate.")})
    for version in versions:
        if version.organization_id != organization.pk or version.status != PlanVersion.Status.APPROVED:
            raise ValidationError({"versions": _("Only approved plan versions can be activated.")})
    if establishment is not None and establishment.organization_id != organization.pk:
        raise ValidationError({"establishment": _("Choose an establishment of this organization.")})
    _check_establishment(establishment)
    now = at or timezone.now()
    crisis = Crisis(organization=organization, title=(title or "").strip(), scenario=scenario,
                    establishment=establishment, is_exercise=is_exercise, description=description,
                    activated_at=now, activated_by=actor if getattr(actor, "is_authenticated", False) else None,
                    simulation=simulation)
    crisis.full_clean()
    crisis.save()
    CrisisPlanVersion.objects.bulk_create([CrisisPlanVersion(organization=organization, crisis=crisis, version=v)
                                           for v in versions])
    # The recovery sequence of the activated plans: each system once, at its best position, strictest RTO.
    rows: dict[int, RecoveryProgress] = {}
    steps = (RecoveryStep.objects.filter(organization=organization, version__in=versions)
             .order_by("position", "id"))
    for step in steps:
        row = rows.get(step.resource_id)
        if row is None:
            rows[step.resource_id] = RecoveryProgress(organization=organization, crisis=crisis,
                                                      resource_id=step.resource_id, position=step.position,
                                                      required_rto_hours=step.required_rto_hours)
        elif step.required_rto_hours is not None and (row.required_rto_hours is None
                                                      or step.required_rto_hours < row.required_rto_hours):
            row.required_rto_hours = step.required_rto_hours
    for index, row in enumerate(sorted(rows.values(), key=lambda r: (r.position, r.resource_id)), start=1):
        row.position = index
    RecoveryProgress.objects.bulk_create(rows.values())
    SignalementDone.objects.bulk_create(signalements_for(organization=organization, crisis=crisis))
    label = _("Crisis activated (exercise)") if is_exercise else _("Crisis activated")
    _milestone(crisis, actor, f"{label} — {crisis.title}", at=now)
    audit_log(action=AuditEvent.Action.CRISIS_ACTIVATED, actor=actor, organization=organization,
              target=crisis.title, details={"crisis": crisis.pk, "exercise": is_exercise,
                                            "versions": [v.pk for v in versions]})
    from apps.crisis import tasks

    enqueue_on_commit(tasks.notify_activation, organization, crisis.pk, user=actor)
    return crisis


def signalements_for(*, organization: Organization, crisis: Crisis) -> list[SignalementDone]:
    """The governance's reporting duties (D2.O1.B), else the usual five; CNIL within 72 h."""
    from apps.governance.models import ReportingDuty

    duties = list(ReportingDuty.objects.filter(organization=organization).order_by("id"))
    rows: dict[str, SignalementDone] = {}
    for duty in duties:
        if duty.recipient in rows:
            continue
        rows[duty.recipient] = SignalementDone(
            organization=organization, crisis=crisis, recipient=duty.recipient,
            label=str(duty.get_recipient_display()) + (f" — {duty.recipient_detail}" if duty.recipient_detail else ""),
            delay_hours=duty.delay_hours, channel=duty.channel)
    for recipient, delay, label in DEFAULT_SIGNALEMENTS:
        if recipient not in rows:
            rows[recipient] = SignalementDone(organization=organization, crisis=crisis, recipient=recipient,
                                              label=label, delay_hours=delay)
    return list(rows.values())


@transaction.atomic
def crisis_close(*, crisis: Crisis, actor: User | None, closing_note: str,
                 at: datetime.datetime | None = None) -> Crisis:
    """Close the crisis with its closing note; the worker renders the crisis report (main courante and timings)."""
    crisis = _active(crisis)
    note = (closing_note or "").strip()
    if not note:
        raise ValidationError({"closing_note": _("Write the closing note: how the crisis ended, what comes next.")})
    now = at or timezone.now()
    crisis.status, crisis.closed_at, crisis.closing_note = Crisis.Status.CLOSED, now, note
    crisis.closed_by = actor if getattr(actor, "is_authenticated", False) else None
    crisis.full_clean()
    crisis.save()
    _milestone(crisis, actor, _("Crisis closed"), at=now)
    crisis.retex_exercise = _open_retex(crisis, actor)
    crisis.save(update_fields=["retex_exercise", "updated_at"])
    audit_log(action=AuditEvent.Action.CRISIS_CLOSED, actor=actor, organization=crisis.organization,
              target=crisis.title, details={"crisis": crisis.pk})
    from apps.crisis import tasks

    enqueue_on_commit(tasks.render_report, crisis.organization, crisis.pk, user=actor)
    return crisis


def _open_retex(crisis: Crisis, actor: User | None) -> Any:
    """The RETEX of the crisis, as for an exercise (``apps.exercises``: hot debrief, cold RETEX approved by the
    direction, findings that become actions). An exercise-crisis is a field exercise of the plans activated (it
    counts for D2.O1.D); a real crisis is recorded as « not a PCA test » (CaRE asks for an exercise), so that its
    RETEX and findings are kept without claiming a test."""
    from apps.exercises import services as exercises
    from apps.exercises.models import ExerciseScope, Format

    versions = list(PlanVersion.objects.filter(organization=crisis.organization, pk__in=CrisisPlanVersion.objects
                                               .filter(organization=crisis.organization, crisis=crisis)
                                               .values("version_id"), status=PlanVersion.Status.APPROVED))
    counts = crisis.is_exercise and bool(versions)  # a plan re-approved meanwhile: its old version is not a test
    title = (_("Exercise-crisis — %(title)s") if crisis.is_exercise else _("Real crisis — %(title)s")) % {
        "title": crisis.title}
    exercise = exercises.exercise_create(organization=crisis.organization, actor=actor, data={
        "title": title[:200], "format": Format.FIELD,
        "scope": ExerciseScope.PCA if counts else ExerciseScope.TECHNICAL,
        "scenario": crisis.scenario, "cyber_triggered": True, "planned_start": crisis.activated_at,
        "duration_minutes": max(15, min(7 * 24 * 60, int(crisis.elapsed.total_seconds() // 60))),
        "context": crisis.description, "plan_versions": versions if counts else [],
        "establishments": [crisis.establishment] if crisis.establishment_id else []})
    assert crisis.closed_at is not None
    exercises.exercise_record_run(exercise=exercise, actor=actor, debex_at=crisis.activated_at,
                                  finex_at=crisis.closed_at)
    return exercise


@transaction.atomic
def degraded_activate(*, crisis: Crisis, actor: User | None, activity: Activity,
                      at: datetime.datetime | None = None) -> DegradedActivation:
    """« Mode dégradé activé à … par … » for an activity of the activated plans."""
    from apps.crisis.selectors import crisis_activity_ids

    crisis = _active(crisis)
    if activity.pk not in crisis_activity_ids(crisis=crisis):
        raise ValidationError(_("This activity is not in the plans activated."))
    row, created = DegradedActivation.objects.get_or_create(
        organization=crisis.organization, crisis=crisis, activity=activity,
        defaults={"activated_at": at or timezone.now(),
                  "activated_by": actor if getattr(actor, "is_authenticated", False) else None})
    if created:
        _milestone(crisis, actor, _("Degraded mode activated: %(activity)s") % {"activity": activity.name},
                   kind=LogEntryBase.Kind.DECISION, at=row.activated_at)
    return row


@transaction.atomic
def reflex_tick(*, crisis: Crisis, actor: User | None, sheet: ReflexSheet, line: int, done: bool = True) -> bool:
    """Tick (or untick) one action of a fiche réflexe of the activated plans; returns whether it is done."""
    crisis = _active(crisis)
    if not CrisisPlanVersion.objects.filter(organization=crisis.organization, crisis=crisis,
                                            version_id=sheet.version_id).exists():
        raise ValidationError(_("This fiche réflexe is not in the plans activated."))
    lines = [x for x in sheet.first_actions.splitlines() if x.strip()]
    if not 0 <= line < len(lines):
        raise ValidationError(_("This action is not on the fiche réflexe."))
    existing = ReflexTick.objects.filter(organization=crisis.organization, crisis=crisis, sheet=sheet, line=line)
    if not done:
        existing.delete()
        return False
    if not existing.exists():
        ReflexTick.objects.create(organization=crisis.organization, crisis=crisis, sheet=sheet, line=line,
                                  ticked_at=timezone.now(),
                                  ticked_by=actor if getattr(actor, "is_authenticated", False) else None)
    return True


NEXT_STATUS: dict[str, str] = {
    RecoveryProgress.Status.TODO: RecoveryProgress.Status.IN_PROGRESS,
    RecoveryProgress.Status.IN_PROGRESS: RecoveryProgress.Status.RESTORED,
    RecoveryProgress.Status.RESTORED: RecoveryProgress.Status.VERIFIED,
}


@transaction.atomic
def recovery_advance(*, crisis: Crisis, actor: User | None, progress: RecoveryProgress,
                     membership: Membership | None = None, at: datetime.datetime | None = None) -> RecoveryProgress:
    """One step along « à faire → en cours → restauré → vérifié par le référent métier », time-stamped.

    For a real crisis (not an exercise), the business referent's check records the measured RTA (activation →
    verified) as a restoration back into production of the system (``apps.backups``), labelled as measured
    during a real incident: it becomes the system's measured capability like any restoration test."""
    crisis = _active(crisis)
    progress = RecoveryProgress.objects.select_for_update().get(organization=crisis.organization, crisis=crisis,
                                                                pk=progress.pk)
    status = NEXT_STATUS.get(progress.status)
    if status is None:
        raise ValidationError(_("This system is already verified."))
    now = at or timezone.now()
    progress.status = status
    if status == RecoveryProgress.Status.IN_PROGRESS:
        progress.started_at = now
    elif status == RecoveryProgress.Status.RESTORED:
        progress.restored_at = now
    else:
        progress.verified_at = now
        progress.verified_by = actor if getattr(actor, "is_authenticated", False) else None
    progress.crisis = crisis
    progress.full_clean()
    progress.save()
    labels: dict[str, str] = {RecoveryProgress.Status.IN_PROGRESS: _("Recovery started: %(system)s"),
             RecoveryProgress.Status.RESTORED: _("System restored: %(system)s"),
             RecoveryProgress.Status.VERIFIED: _("System verified by the business referent: %(system)s")}
    label = labels[status]
    _milestone(crisis, actor, label % {"system": progress.resource.name}, at=now)
    if status == RecoveryProgress.Status.VERIFIED and not crisis.is_exercise:
        progress.evidence_test = _record_measured_rta(crisis, actor, progress, membership)
        progress.save(update_fields=["evidence_test", "updated_at"])
    return progress


def _record_measured_rta(crisis: Crisis, actor: User | None, progress: RecoveryProgress,
                         membership: Membership | None) -> Any:
    from apps.backups.models import SYSTEM_KINDS, RestoreTest
    from apps.backups.services import restore_test_record

    resource = progress.resource
    if resource.kind not in SYSTEM_KINDS or progress.rta_hours is None:
        return None
    hours = max(Decimal("0.01"), Decimal(str(progress.rta_hours)))
    if hours >= Decimal("100000"):
        return None
    name = ""
    if membership is None and actor is not None:
        name = actor.get_full_name() or actor.email
    return restore_test_record(organization=crisis.organization, actor=actor, data={
        "resource": resource, "tested_on": timezone.localdate(progress.verified_at), "scope": RestoreTest.Scope.PRODUCTION,
        "measured_hours": hours, "result": RestoreTest.Result.SUCCESS, "referent_member": membership,
        "referent_name": name,
        "notes": _("Measured during a real incident (crisis « %(title)s », activated %(at)s): recovery time from "
                   "activation to the business referent's check.")
        % {"title": crisis.title, "at": timezone.localtime(crisis.activated_at).strftime("%d/%m/%Y %H:%M")}})


@transaction.atomic
def signalement_set(*, crisis: Crisis, actor: User | None, signalement: SignalementDone,
                    done: bool = True) -> SignalementDone:
    """Tick a signalement duty as done (or untick it); the main courante records it."""
    crisis = _active(crisis)
    row = SignalementDone.objects.select_for_update().get(organization=crisis.organization, crisis=crisis,
                                                          pk=signalement.pk)
    if done and row.done_at is None:
        row.done_at = timezone.now()
        row.done_by = actor if getattr(actor, "is_authenticated", False) else None
        row.save()
        _milestone(crisis, actor, _("Signalement done: %(label)s") % {"label": row.label}, at=row.done_at)
    elif not done and row.done_at is not None:
        row.done_at, row.done_by = None, None
        row.save()
    return row


# --- The offline kit's copy register ------------------------------------------------------------

@transaction.atomic
def kit_copy_issue(*, organization: Organization, actor: User | None, establishment: Establishment | None,
                   fmt: str, holder_member: Membership | None = None, holder_name: str = "",
                   place: str = "crisis_room", place_detail: str = "", planned_total: int = 1) -> KitCopy:
    """Register a numbered copy (« Copie n° 3 / 12 ») and have the worker build it from the approved, current
    plan versions. Every printed or downloaded kit goes through here: it holds personal phone numbers."""
    from apps.crisis.selectors import kit_versions

    if establishment is not None and establishment.organization_id != organization.pk:
        raise ValidationError({"establishment": _("Choose an establishment of this organization.")})
    if holder_member is not None and holder_member.organization_id != organization.pk:
        raise ValidationError({"holder_member": _("Choose a member of this organization.")})
    if establishment is not None and not tenancy.establishment_allowed(establishment.pk):
        raise ValidationError({"establishment": _("You may only act for your own establishments.")})
    if establishment is None and tenancy.is_limited():
        raise ValidationError({"establishment": _("Choose one of your establishments.")})
    if holder_member is None and not holder_name.strip():
        raise ValidationError({"holder_name": _("Name who holds this copy.")})
    versions = kit_versions(organization=organization, establishment=establishment)
    # Numbers are per kit (organization or establishment), never reused; the lock keeps two issues apart.
    from apps.tenants.models import Organization as Org

    Org.objects.select_for_update().filter(pk=organization.pk).first()
    last = (KitCopy._base_manager.filter(organization=organization, establishment=establishment)
            .aggregate(m=Max("number"))["m"] or 0)
    copy = KitCopy(organization=organization, establishment=establishment, number=last + 1,
                   planned_total=max(planned_total, last + 1), format=fmt, holder_member=holder_member,
                   holder_name=holder_name.strip(), holder_email=holder_member.user.email if holder_member else "",
                   place=place, place_detail=place_detail.strip(),
                   versions=[{"plan": v.plan_id, "version": v.pk, "number": v.number, "title": v.plan.title}
                             for v in versions],
                   plan_ids=sorted({v.plan_id for v in versions}),
                   requested_by=actor if getattr(actor, "is_authenticated", False) else None)
    copy.full_clean()
    copy.save()
    audit_log(action=AuditEvent.Action.KIT_COPY_ISSUED, actor=actor, organization=organization,
              target=f"{copy.number}", details={"copy": copy.pk, "format": fmt, "holder": copy.holder})
    from apps.crisis import tasks

    enqueue_on_commit(tasks.build_kit_copy, organization, copy.pk, user=actor)
    return copy


@transaction.atomic
def kit_copy_set_state(*, copy: KitCopy, actor: User | None, state: str) -> KitCopy:
    """A copy handed back replaced by a newer one, or destroyed: it leaves the stale count."""
    if state not in (KitCopy.State.REPLACED, KitCopy.State.DESTROYED):
        raise ValidationError(_("A copy can only be marked replaced or destroyed."))
    copy = KitCopy.objects.select_for_update().get(organization=copy.organization, pk=copy.pk)
    if copy.state in (KitCopy.State.REPLACED, KitCopy.State.DESTROYED):
        raise ValidationError(_("This copy is already withdrawn."))
    copy.state, copy.state_changed_at = state, timezone.now()
    copy.save(update_fields=["state", "state_changed_at", "updated_at"])
    return copy


@transaction.atomic
def kit_copies_mark_stale(*, organization: Organization, version: PlanVersion) -> list[int]:
    """A newer version of a plan is approved: every current copy holding an older version of it is out of date
    (« périmée »), and its holder is told to replace it (by the worker). Returns the copies flagged."""
    now = timezone.now()
    flagged = []
    with tenancy.tenant_scope(organization):
        copies = KitCopy._base_manager.select_for_update().filter(
            organization=organization, state=KitCopy.State.CURRENT, plan_ids__contains=[version.plan_id])
        for copy in copies:
            held = next((v for v in copy.versions if v.get("plan") == version.plan_id), None)
            if held is None or held.get("version") == version.pk:
                continue
            copy.state, copy.stale_since = KitCopy.State.STALE, now
            copy.stale_reason = (_("%(plan)s: version %(new)s approved (this copy holds version %(old)s)")
                                 % {"plan": version.plan.title, "new": version.number, "old": held.get("number")})[:300]
            copy.save(update_fields=["state", "stale_since", "stale_reason", "updated_at"])
            flagged.append(copy.pk)
    if flagged:
        from apps.crisis import tasks

        enqueue_on_commit(tasks.notify_stale, organization, flagged)
    return flagged


# --- « What if » ----------------------------------------------------------------------------

@transaction.atomic
def simulation_save(*, organization: Organization, actor: User | None, title: str, resource_ids: list[int],
                    duration_hours: int, establishment: Establishment | None = None) -> Simulation:
    """Keep a « what if » with its result (it can then be the scenario of an exercise crisis)."""
    from apps.bia.models import Resource
    from apps.crisis.selectors import run_simulation

    ids = sorted(set(Resource.objects.filter(organization=organization, pk__in=resource_ids)
                     .values_list("pk", flat=True)))
    if not ids:
        raise ValidationError({"resources": _("Choose at least one resource down.")})
    if establishment is not None:
        _check_establishment(establishment)
    _graph, _result, data = run_simulation(organization=organization, resource_ids=ids,
                                           duration_hours=duration_hours, establishment=establishment)
    simulation = Simulation(organization=organization, title=(title or "").strip(), establishment=establishment,
                            resource_ids=ids, duration_hours=duration_hours, result=data,
                            created_by=actor if getattr(actor, "is_authenticated", False) else None)
    simulation.full_clean()
    simulation.save()
    return simulation
