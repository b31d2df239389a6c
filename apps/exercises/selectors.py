"""Reads for the exercise pages, the checks, the exports and the panels other apps show (plan, activity,
resource). Tenant first, a constant number of queries whatever the number of rows.

Measured facts are derived from their records on every read (DOMAIN.md, ARCHITECTURE.md « Data flow »): the
measure of an objective of a **run** exercise (FINEX recorded) is exercise evidence on the activity (time to
activate its degraded mode) and on the system (RTA / RPA), shown apart from the restoration tests; it never
replaces the measured capability of the BIA engine, which only a restoration back into production sets.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from apps.continuity.models import Plan, PlanVersion
from apps.exercises.models import (
    Exercise,
    ExerciseActivity,
    ExerciseEstablishment,
    ExerciseLogEntry,
    ExercisePlanVersion,
    ExerciseScope,
    ExerciseSite,
    Finding,
    Objective,
    Participant,
    Retex,
    ScheduledTest,
    Stimulus,
    StimulusTemplate,
)

if TYPE_CHECKING:
    from apps.tenants.models import Organization

DUE_SOON_DAYS = 30
# The animation team first (director, animators, observers), then the players.
PARTICIPANT_ORDER: list[str] = [Participant.Role.DIRECTOR, Participant.Role.ANIMATOR, Participant.Role.OBSERVER,
                     Participant.Role.PLAYER]
ANNUAL_WINDOW_DAYS = 365


def exercise_queryset(*, organization: Organization) -> QuerySet[Exercise]:
    return Exercise.objects.filter(organization=organization)


def exercise_list(*, organization: Organization) -> list[Exercise]:
    """Exercises, newest first, with their scenario, tested versions, establishments and RETEX (five queries)."""
    return list(exercise_queryset(organization=organization).select_related("scenario", "retex").prefetch_related(
        Prefetch("tested_versions", queryset=ExercisePlanVersion.objects.select_related("version__plan")),
        Prefetch("exercise_establishments", queryset=ExerciseEstablishment.objects.select_related("establishment")
                 .order_by("establishment__name"))))


@dataclass
class ExerciseParts:
    versions: list[PlanVersion]
    activities: list[Any]
    establishments: list[Any]
    sites: list[Any]
    objectives: list[Objective]
    participants: list[Participant]
    stimuli: list[Stimulus]
    findings: list[Finding]
    retex: Retex | None

    @property
    def players(self) -> list[Participant]:
        return [p for p in self.participants if not p.is_animation]

    @property
    def animation(self) -> list[Participant]:
        return [p for p in self.participants if p.is_animation]


def exercise_parts(*, exercise: Exercise) -> ExerciseParts:
    """Everything an exercise page or kit shows, in nine queries."""
    org = exercise.organization_id
    return ExerciseParts(
        versions=[r.version for r in ExercisePlanVersion.objects.filter(organization_id=org, exercise=exercise)
                  .select_related("version__plan", "version__approved_by").order_by("version__plan__title")],
        activities=[r.activity for r in ExerciseActivity.objects.filter(organization_id=org, exercise=exercise)
                    .select_related("activity__establishment").order_by("activity__name")],
        establishments=[r.establishment for r in ExerciseEstablishment.objects.filter(
            organization_id=org, exercise=exercise).select_related("establishment").order_by("establishment__name")],
        sites=[r.site for r in ExerciseSite.objects.filter(organization_id=org, exercise=exercise)
               .select_related("site__establishment").order_by("site__name")],
        objectives=list(Objective.objects.filter(organization_id=org, exercise=exercise)
                        .select_related("activity", "resource")),
        participants=sorted(Participant.objects.filter(organization_id=org, exercise=exercise)
                            .select_related("member__user", "crisis_role"),
                            key=lambda p: (PARTICIPANT_ORDER.index(p.role), p.function, p.pk)),
        stimuli=list(Stimulus.objects.filter(organization_id=org, exercise=exercise).select_related("objective")),
        findings=sorted(Finding.objects.filter(organization_id=org, exercise=exercise).select_related("objective"),
                        key=lambda f: (f.severity_rank, f.pk)),
        retex=Retex.objects.filter(organization_id=org, exercise=exercise).select_related("approved_by").first(),
    )


def log_entries(*, exercise: Exercise, newest_first: bool = True) -> QuerySet[ExerciseLogEntry]:
    order = ("-occurred_at", "-id") if newest_first else ("occurred_at", "id")
    return (ExerciseLogEntry.objects.filter(organization_id=exercise.organization_id, exercise=exercise)
            .select_related("author", "stimulus", "objective").order_by(*order))


@dataclass
class LiveState:
    """What the live page shows at a moment: the clock, the stimuli due and next, the objectives."""

    exercise: Exercise
    now: datetime.datetime
    stimuli: list[Stimulus]
    objectives: list[Objective]

    @property
    def elapsed_minutes(self) -> int:
        if self.exercise.debex_at is None:
            return 0
        end = self.exercise.finex_at or self.now
        return max(0, int((end - self.exercise.debex_at).total_seconds() // 60))

    @property
    def due(self) -> list[Stimulus]:
        """Not sent yet and already due (late ones first)."""
        return [s for s in self.stimuli if s.sent_at is None and s.offset_minutes <= self.elapsed_minutes]

    @property
    def upcoming(self) -> list[Stimulus]:
        return [s for s in self.stimuli if s.sent_at is None and s.offset_minutes > self.elapsed_minutes][:5]

    @property
    def sent_count(self) -> int:
        return sum(1 for s in self.stimuli if s.sent_at is not None)


def live_state(*, exercise: Exercise, now: datetime.datetime | None = None) -> LiveState:
    org = exercise.organization_id
    return LiveState(exercise=exercise, now=now or timezone.now(),
                     stimuli=list(Stimulus.objects.filter(organization_id=org, exercise=exercise)),
                     objectives=list(Objective.objects.filter(organization_id=org, exercise=exercise)
                                     .select_related("activity", "resource")))


def template_list(*, organization: Organization, scenario_kind: str | None = None) -> QuerySet[StimulusTemplate]:
    qs = StimulusTemplate.objects.filter(organization=organization)
    return qs.filter(scenario_kind=scenario_kind) if scenario_kind else qs


# --- Tests of the plans: last run, next one, the schedule -------------------------------------------------

@dataclass
class PlanTest:
    """One plan's tests: the last exercise run on it, the next one (schedule or planned exercise), its state."""

    plan: Plan
    approved: PlanVersion | None
    last: Exercise | None = None
    runs: list[Exercise] = field(default_factory=list)
    planned: list[Exercise] = field(default_factory=list)
    schedule: ScheduledTest | None = None
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def last_tested_on(self) -> datetime.date | None:
        return self.last.run_on if self.last else None

    @property
    def schedule_done(self) -> bool:
        """The scheduled date has been honoured: an exercise was run on the plan on or after it."""
        return bool(self.schedule and self.last_tested_on and self.last_tested_on >= self.schedule.next_test_on)

    @property
    def next_exercise(self) -> Exercise | None:
        upcoming = [e for e in self.planned if timezone.localdate(e.planned_start) >= self.today]
        return min(upcoming, key=lambda e: e.planned_start) if upcoming else None

    @property
    def next_test_on(self) -> datetime.date | None:
        dates = []
        if self.next_exercise:
            dates.append(timezone.localdate(self.next_exercise.planned_start))
        if self.schedule and not self.schedule_done:
            dates.append(self.schedule.next_test_on)
        return min(dates) if dates else None

    @property
    def next_format(self) -> str:
        exercise = self.next_exercise
        if exercise and (self.next_test_on == timezone.localdate(exercise.planned_start)):
            return exercise.format_short
        return self.schedule.format_short if self.schedule else ""

    @property
    def overdue(self) -> bool:
        return bool(self.schedule and not self.schedule_done and self.schedule.next_test_on < self.today)

    @property
    def scheduled(self) -> bool:
        """A next test on or after today: what D2.O1.D calls « un planning de test »."""
        next_on = self.next_test_on
        return next_on is not None and next_on >= self.today

    @property
    def due_soon(self) -> bool:
        next_on = self.next_test_on
        return next_on is not None and self.today <= next_on <= self.today + datetime.timedelta(days=DUE_SOON_DAYS)

    @property
    def state(self) -> str:
        if self.overdue:
            return "overdue"
        if not self.scheduled:
            return "unscheduled"
        return "due_soon" if self.due_soon else "scheduled"


def _run_and_planned(organization: Organization, plan_ids: list[int]) -> tuple[
        dict[int, list[Exercise]], dict[int, list[Exercise]]]:
    """Plan id → its exercises run (newest first) and planned (two queries)."""
    rows = (ExercisePlanVersion.objects.filter(organization=organization, version__plan_id__in=plan_ids)
            .exclude(exercise__status=Exercise.Status.CANCELLED)
            .select_related("exercise", "version").order_by("-exercise__debex_at", "exercise__planned_start"))
    runs: dict[int, list[Exercise]] = defaultdict(list)
    planned: dict[int, list[Exercise]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for row in rows:
        exercise, plan_id = row.exercise, row.version.plan_id
        if (plan_id, exercise.pk) in seen:
            continue
        seen.add((plan_id, exercise.pk))
        if exercise.status == Exercise.Status.FINISHED:
            runs[plan_id].append(exercise)
        elif exercise.status == Exercise.Status.PLANNED:
            planned[plan_id].append(exercise)
    return runs, planned


def plan_tests(*, organization: Organization, plans: list[Plan] | None = None,
               today: datetime.date | None = None) -> list[PlanTest]:
    """Every non-archived plan with its approved version, last test, next test and schedule (five queries)."""
    today = today or timezone.localdate()
    if plans is None:
        plans = list(Plan.objects.filter(organization=organization, is_archived=False).order_by("title"))
    ids = [p.pk for p in plans]
    approved = {v.plan_id: v for v in PlanVersion.objects.filter(
        organization=organization, plan_id__in=ids, status=PlanVersion.Status.APPROVED)}
    schedules = {s.plan_id: s for s in ScheduledTest.objects.filter(organization=organization, plan_id__in=ids)
                 .select_related("owner__user")}
    runs, planned = _run_and_planned(organization, ids)
    return [PlanTest(plan=p, approved=approved.get(p.pk), last=next(iter(runs.get(p.pk, [])), None),
                     runs=runs.get(p.pk, []), planned=planned.get(p.pk, []), schedule=schedules.get(p.pk),
                     today=today) for p in plans]


def schedule_rows(*, organization: Organization, today: datetime.date | None = None) -> list[PlanTest]:
    """The planning des tests: every non-archived plan, the approved ones first (only they are PCAs for
    D2.O1.D; a draft's test can be planned ahead of its approval)."""
    return sorted(plan_tests(organization=organization, today=today), key=lambda t: t.approved is None)


@dataclass
class YearCell:
    runs: list[Exercise] = field(default_factory=list)
    planned: list[Exercise] = field(default_factory=list)
    scheduled: bool = False
    overdue: bool = False


def year_view(*, rows: list[PlanTest], year: int, today: datetime.date | None = None) -> list[tuple[PlanTest, list[YearCell]]]:
    """Per plan, the twelve months of ``year``: exercises run, planned, and the scheduled date (late or not)."""
    today = today or timezone.localdate()
    result = []
    for row in rows:
        cells = [YearCell() for _month in range(12)]
        for e in row.runs:
            if e.run_on and e.run_on.year == year:
                cells[e.run_on.month - 1].runs.append(e)
        for e in row.planned:
            day = timezone.localdate(e.planned_start)
            if day.year == year:
                cells[day.month - 1].planned.append(e)
        if row.schedule and not row.schedule_done and row.schedule.next_test_on.year == year:
            cell = cells[row.schedule.next_test_on.month - 1]
            cell.scheduled = True
            cell.overdue = row.schedule.next_test_on < today
        result.append((row, cells))
    return result


def annual_cyber_exercise(*, organization: Organization, today: datetime.date | None = None) -> Exercise | None:
    """The cyber crisis exercise planned in the next 12 months (instruction of 30/01/2023), or None (flagged)."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    end = start + datetime.timedelta(days=ANNUAL_WINDOW_DAYS)
    return (Exercise.objects.filter(organization=organization, cyber_triggered=True, scope=ExerciseScope.PCA,
                                    status__in=[Exercise.Status.PLANNED, Exercise.Status.RUNNING],
                                    planned_start__gte=start, planned_start__lt=end)
            .order_by("planned_start").first())


# --- Exercise evidence on the plan, the activity and the system ----------------------------------------------

@dataclass(frozen=True)
class MeasuredInExercise:
    """A value measured during a run exercise: exercise evidence, never a restoration test's measure."""

    objective: Objective
    exercise: Exercise

    @property
    def minutes(self) -> Any:
        return self.objective.measured_minutes


def _measured(qs: QuerySet[Objective]) -> list[MeasuredInExercise]:
    rows = (qs.filter(measured_minutes__isnull=False, exercise__status=Exercise.Status.FINISHED)
            .select_related("exercise", "activity", "resource").order_by("-exercise__debex_at", "order", "id"))
    return [MeasuredInExercise(objective=o, exercise=o.exercise) for o in rows]


def activity_measures(*, organization: Organization, activity_id: int) -> list[MeasuredInExercise]:
    """Degraded-mode activation times of an activity measured in run exercises, newest first (one query)."""
    return _measured(Objective.objects.filter(organization=organization, activity_id=activity_id,
                                              kind=Objective.Kind.DEGRADED_MODE))


def resource_measures(*, organization: Organization, resource_id: int) -> list[MeasuredInExercise]:
    """RTA / RPA of a system measured in run exercises, newest first (one query)."""
    return _measured(Objective.objects.filter(organization=organization, resource_id=resource_id,
                                              kind__in=[Objective.Kind.RTA, Objective.Kind.RPA]))


def plan_measures(*, organization: Organization, plan_id: int) -> list[MeasuredInExercise]:
    """Everything measured in the run exercises that tested a version of the plan (one query)."""
    exercise_ids = ExercisePlanVersion.objects.filter(organization=organization, version__plan_id=plan_id).values(
        "exercise_id")
    return _measured(Objective.objects.filter(organization=organization, exercise_id__in=exercise_ids))

