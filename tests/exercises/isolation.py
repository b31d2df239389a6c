"""Kwargs factories for the exercises' URLs (see tests/isolation.py)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from apps.exercises import services
from apps.exercises.models import Finding, Objective, Participant, StimulusTemplate
from tests.bia.factories import activity_in
from tests.continuity.factories import approved_plan
from tests.establishments import target_establishment
from tests.exercises.factories import exercise_in, run


def _exercise(org: Any) -> Any:
    plan = approved_plan(org, activities=[activity_in(org, name="Urgences")])
    establishment = target_establishment()
    return exercise_in(org, plan=plan, establishments=[establishment] if establishment else [])


def _pk(org: Any) -> dict[str, Any]:
    return {"pk": _exercise(org).pk}


def _run(org: Any) -> Any:
    return run(_exercise(org), timezone.localdate() - datetime.timedelta(days=1))


def _objective(org: Any) -> dict[str, Any]:
    exercise = _exercise(org)
    objective = services.objective_save(exercise=exercise, actor=None, data={
        "kind": Objective.Kind.CRISIS_CELL, "statement": "Joindre la cellule de crise en 15 min", "target_minutes": 15})
    return {"pk": exercise.pk, "item": objective.pk}


def _participant(org: Any) -> dict[str, Any]:
    exercise = _exercise(org)
    participant = services.participant_save(exercise=exercise, actor=None, data={
        "role": Participant.Role.PLAYER, "function": "medical", "external_name": "Dr Garnier"})
    return {"pk": exercise.pk, "item": participant.pk}


def _stimulus(org: Any) -> dict[str, Any]:
    exercise = _exercise(org)
    stimulus = services.stimulus_save(exercise=exercise, actor=None, data={
        "offset_minutes": 0, "sender": "IDE", "recipient": "Cadre", "channel": "phone", "content": "Rançon"})
    return {"pk": exercise.pk, "item": stimulus.pk}


def _finding(org: Any) -> dict[str, Any]:
    exercise = _run(org)
    finding = services.finding_save(exercise=exercise, actor=None, data={
        "title": "Annuaire de crise périmé", "severity": Finding.Severity.MAJOR})
    return {"pk": exercise.pk, "item": finding.pk}


def _kit(org: Any) -> dict[str, Any]:
    return {**_pk(org), "kit": "animateur"}


def _decision(org: Any) -> dict[str, Any]:
    return {"pk": _run(org).pk, "decision": "approuver"}


def _template(org: Any) -> dict[str, Any]:
    return {"pk": StimulusTemplate.objects.filter(organization=org).first().pk}


def _plan(org: Any) -> dict[str, Any]:
    return {"plan": approved_plan(org, activities=[activity_in(org, name="Pharmacie")]).pk}


URL_KWARGS = {
    "exercises:detail": _pk,
    "exercises:objective-activity-search": _pk,
    "exercises:objective-system-search": _pk,
    "exercises:update": _pk,
    "exercises:cancel": _pk,
    "exercises:record-run": _pk,
    "exercises:objective-create": _pk,
    "exercises:objective-update": _objective,
    "exercises:objective-delete": _objective,
    "exercises:objective-measure": _objective,
    "exercises:participant-create": _pk,
    "exercises:participant-update": _participant,
    "exercises:participant-delete": _participant,
    "exercises:kits": _pk,
    "exercises:kit-request": _kit,
    "exercises:chronogramme": _pk,
    "exercises:stimulus-create": _pk,
    "exercises:stimuli-import": _pk,
    "exercises:stimulus-update": _stimulus,
    "exercises:stimulus-delete": _stimulus,
    "exercises:stimulus-sent": _stimulus,
    "exercises:live": _pk,
    "exercises:live-panel": _pk,
    "exercises:start": _pk,
    "exercises:finish": _pk,
    "exercises:log-add": _pk,
    "exercises:log-entries": _pk,
    "exercises:retex": lambda org: {"pk": _run(org).pk},
    "exercises:retex-submit": lambda org: {"pk": _run(org).pk},
    "exercises:retex-decision": _decision,
    "exercises:finding-create": lambda org: {"pk": _run(org).pk},
    "exercises:finding-update": _finding,
    "exercises:finding-delete": _finding,
    "exercises:finding-action": _finding,
    "exercises:template-update": _template,
    "exercises:template-delete": _template,
    "exercises:schedule-update": _plan,
}

# Objects that belong to no establishment (the organization's stimulus library).
ORG_WIDE = {
    "exercises:template-update",
    "exercises:template-delete",
}
