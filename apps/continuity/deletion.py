"""Deletion guards (``apps.core.deletion``): a plan version that was submitted or approved is frozen,
so the activities and systems it names cannot be deleted from the BIA."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from apps.continuity.models import DegradedMode, PlanActivity, PlanVersion, RecoveryStep

FROZEN = (PlanVersion.Status.SUBMITTED, PlanVersion.Status.APPROVED, PlanVersion.Status.SUPERSEDED)


def _reasons(versions: Any, name: str) -> list[str]:
    return [_("« %(name)s » is in « %(plan)s » version %(number)s (%(status)s), which is kept as it was "
              "submitted or approved.") % {"name": name, "plan": v.plan.title, "number": v.number,
                                           "status": v.get_status_display()}
            for v in versions]


def activity_guard(activity: Any) -> list[str]:
    version_ids = set(DegradedMode.objects.filter(activity=activity, version__status__in=FROZEN)
                      .values_list("version_id", flat=True))
    plan_ids = PlanActivity.objects.filter(activity=activity).values_list("plan_id", flat=True)
    version_ids |= set(PlanVersion.objects.filter(plan_id__in=plan_ids, status__in=FROZEN).values_list("pk", flat=True))
    versions = PlanVersion.objects.filter(pk__in=version_ids).select_related("plan").order_by("plan__title", "number")
    return _reasons(versions, activity.name)


def resource_guard(resource: Any) -> list[str]:
    versions = (PlanVersion.objects.filter(pk__in=RecoveryStep.objects.filter(resource=resource)
                                           .values_list("version_id", flat=True), status__in=FROZEN)
                .select_related("plan").order_by("plan__title", "number"))
    return _reasons(versions, resource.name)
