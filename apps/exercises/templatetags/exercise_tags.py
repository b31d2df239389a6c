"""Exercise evidence shown by other apps' pages (one line to include each):

- ``{% plan_tests_panel plan %}`` on the plan: « testé le … (exercice terrain) », the next test, and what the
  exercises on it measured;
- ``{% activity_exercise_measures activity %}``: times to activate its degraded mode, measured in exercises;
- ``{% resource_exercise_measures resource %}``: RTA / RPA measured in exercises.

Exercise evidence is shown apart from the restoration tests and never sets the measured capability of the BIA
engine (``apps.exercises.selectors``). Nothing shows to a member who cannot read the exercises.
"""

from __future__ import annotations

from typing import Any

from django import template

from apps.exercises import selectors

register = template.Library()


def _member(context: Any) -> tuple[Any, Any]:
    request = context["request"]
    return getattr(request, "organization", None), getattr(request, "membership", None)


@register.inclusion_tag("exercises/_plan_panel.html", takes_context=True)
def plan_tests_panel(context: Any, plan: Any) -> dict[str, Any]:
    organization, membership = _member(context)
    if membership is None or not membership.has_capability("exercises.view"):
        return {"show": False}
    tests = selectors.plan_tests(organization=organization, plans=[plan])[0]
    return {"show": True, "organization": organization, "t": tests,
            "measures": selectors.plan_measures(organization=organization, plan_id=plan.pk),
            "can_change": membership.has_capability("exercises.change")}


@register.inclusion_tag("exercises/_measures_panel.html", takes_context=True)
def activity_exercise_measures(context: Any, activity: Any) -> dict[str, Any]:
    organization, membership = _member(context)
    if membership is None or not membership.has_capability("exercises.view"):
        return {"show": False}
    return {"show": True, "organization": organization, "kind": "activity",
            "measures": selectors.activity_measures(organization=organization, activity_id=activity.pk)}


@register.inclusion_tag("exercises/_measures_panel.html", takes_context=True)
def resource_exercise_measures(context: Any, resource: Any) -> dict[str, Any]:
    organization, membership = _member(context)
    if membership is None or not membership.has_capability("exercises.view"):
        return {"show": False}
    return {"show": True, "organization": organization, "kind": "resource",
            "measures": selectors.resource_measures(organization=organization, resource_id=resource.pk)}
