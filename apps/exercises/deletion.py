"""Deletion guards (``apps.core.deletion``): an activity or a system measured in an exercise keeps its evidence."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from apps.exercises.models import Objective


def _reasons(objectives: Any, name: str) -> list[str]:
    titles = sorted({o.exercise.title for o in objectives})
    return [_("« %(name)s » is an objective of the exercise « %(exercise)s ».") % {"name": name, "exercise": t}
            for t in titles]


def activity_guard(activity: Any) -> list[str]:
    return _reasons(Objective.objects.filter(activity=activity).select_related("exercise"), activity.name)


def resource_guard(resource: Any) -> list[str]:
    return _reasons(Objective.objects.filter(resource=resource).select_related("exercise"), resource.name)
