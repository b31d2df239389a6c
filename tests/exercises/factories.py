"""Exercises built through the services, as an RPCRA would."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from apps.continuity.models import PlanVersion
from apps.exercises import services
from apps.exercises.models import Exercise, ExerciseScope, Format
from tests.continuity.factories import approved_plan, scenario


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def approved_version(plan: Any) -> PlanVersion:
    return PlanVersion.objects.get(plan=plan, status=PlanVersion.Status.APPROVED)


def exercise_in(org: Any, *, plan: Any = None, title: str = "Rançongiciel aux urgences", fmt: str = Format.FIELD,
                scope: str = ExerciseScope.PCA, day: datetime.date | None = None, establishments: list | None = None,
                **data: Any) -> Exercise:
    """A planned exercise on an approved plan (one is made when not given)."""
    plan = plan if plan is not None else approved_plan(org, title=f"PCA de {title}")
    versions = [approved_version(plan)] if plan is not False else []
    start = at(day or timezone.localdate() + datetime.timedelta(days=30))
    for version in versions:
        if version.approved_at and version.approved_at > start:
            # The plan was approved before the day it was tested (the factory approves it « now »).
            PlanVersion.objects.filter(pk=version.pk).update(approved_at=start - datetime.timedelta(days=1))
            version.refresh_from_db()
    return services.exercise_create(organization=org, actor=None, data={
        "title": title, "format": fmt, "scope": scope, "scenario": scenario(org), "cyber_triggered": True,
        "planned_start": start, "duration_minutes": 180,
        "plan_versions": versions, "establishments": establishments or [], **data})


def run(exercise: Exercise, day: datetime.date, *, retex: bool = True) -> Exercise:
    """Record the exercise as run on ``day`` (DEBEX 9:00, FINEX 12:00), with a written RETEX."""
    exercise = services.exercise_record_run(exercise=exercise, actor=None, debex_at=at(day), finex_at=at(day, 12))
    if retex:
        services.retex_save(exercise=exercise, actor=None, data={
            "hot_debrief_on": day, "hot_debrief": "Bascule papier rapide, appel ARS tardif."})
    return exercise


def field_exercise_run(org: Any, day: datetime.date, **kwargs: Any) -> Exercise:
    return run(exercise_in(org, day=day, **kwargs), day)
