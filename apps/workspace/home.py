"""The organization's home, one page for every role, built from what the member's capabilities allow.

Each section declares the capability it needs (``SECTIONS``) and every link in it goes through
``apps.core.navigation.link_allowed`` (the capability declared next to the link and the one its target view
declares), so a home never offers a 403:

- « Mes activités » (``bia.answer``): the BIAs assigned to the member, their campaign state and deadline — the
  business owner's home;
- « À approuver » (any approval capability, ``apps.workspace.queue``), late actions (``actions.view``), the
  requirement statuses and the charts (``compliance.view``): the direction's home;
- the CaRE journey: to act on for whoever changes something (RPCRA, consultant, contributor, administrator),
  read-only for a reader.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.navigation import link_allowed
from apps.workspace.queue import approval_queue, visible_sources

if TYPE_CHECKING:
    from apps.tenants.models import Membership, Organization

APPROVE = ("plans.approve", "governance.approve", "exercises.approve")
CHART_DAYS = 90


def _any_change(membership: Membership) -> bool:
    return any(c.endswith(".change") for c in membership.capabilities)


def profile(membership: Membership) -> dict[str, bool]:
    """Which sections this member's home shows (capabilities only, never the role's name)."""
    approver = any(membership.has_capability(c) for c in APPROVE)
    editor = _any_change(membership)
    return {
        "my_activities": membership.has_capability("bia.answer"),
        "queue": bool(visible_sources(membership)) and approver,
        "late_actions": approver and membership.has_capability("actions.view"),
        "requirements": approver and membership.has_capability("compliance.view"),
        "charts": approver and membership.has_capability("compliance.view"),
        "journey": editor or (membership.has_capability("bia.view") and not approver),
        "journey_read_only": not editor,
    }


def my_activities(*, organization: Organization, membership: Membership) -> list[dict[str, Any]]:
    from apps.bia import campaign, selectors

    rows = []
    activities = list(selectors.my_activities(organization=organization, membership=membership))
    deadlines = campaign.deadlines(organization=organization,
                                   establishment_ids={a.establishment_id for a in activities})
    for activity in activities:
        rows.append({"activity": activity, "deadline": deadlines.get(activity.establishment_id),
                     "resume_step": campaign.resume_step(activity),
                     "can_open": link_allowed(membership, "bia:questionnaire")})
    return rows


def late_actions(*, organization: Organization) -> dict[str, Any]:
    from apps.actions import selectors
    from apps.actions.models import Action

    qs = Action.objects.filter(organization=organization)
    return {"counts": selectors.counts(qs=qs), "late": selectors.late_by_owner(organization=organization, keep=3)}


def requirement_chart(*, organization: Organization, statuses_summary: dict[str, int]) -> dict[str, Any]:
    from apps.workspace.models import RequirementSnapshot

    today = timezone.localdate()
    since = today - datetime.timedelta(days=CHART_DAYS)
    points = [(s.day, s.met, s.partial, s.not_met) for s in RequirementSnapshot.objects.filter(
        organization=organization, day__gte=since, day__lt=today)]
    # Today's point is the live one (the snapshot of today may not be taken yet).
    points.append((today, statuses_summary.get("met", 0), statuses_summary.get("partial", 0),
                   statuses_summary.get("not_met", 0)))
    return {"labels": [p[0].isoformat() for p in points], "met": [p[1] for p in points],
            "partial": [p[2] for p in points], "notMet": [p[3] for p in points],
            "rows": [{"day": p[0], "met": p[1], "partial": p[2], "not_met": p[3]} for p in points]}


def gap_chart(*, organization: Organization) -> dict[str, Any]:
    """BIA gaps per establishment of the activity whose need is not met, by that activity's criticality."""
    from apps.bia import selectors
    from apps.bia.models import Criticality

    graph, analysis = selectors.bia_analysis(organization=organization)
    counts: Counter[tuple[str, str]] = Counter()
    for gap in analysis.gaps:
        source = graph.activities[gap.source[1]]
        counts[(source.establishment or str(_("Whole organization")), source.criticality)] += 1
    establishments = sorted({e for e, _c in counts})
    criticalities = [(value, str(label)) for value, label in Criticality.choices]
    rows = [{"establishment": e, "cells": [counts[(e, c)] for c, _l in criticalities],
             "total": sum(counts[(e, c)] for c, _l in criticalities)} for e in establishments]
    return {"labels": establishments, "criticalities": criticalities,
            "series": {c: [counts[(e, c)] for e in establishments] for c, _l in criticalities},
            "rows": rows, "total": sum(counts.values())}


def home_context(*, organization: Organization, membership: Membership) -> dict[str, Any]:
    """The home's sections; the requirement checks run once for the whole page (the queue's declaration
    source and the statuses read the same snapshot, ``apps.exports.snapshot``)."""
    from apps.exports.snapshot import export_snapshot

    with export_snapshot():
        return _home_context(organization=organization, membership=membership)


def _home_context(*, organization: Organization, membership: Membership) -> dict[str, Any]:
    from apps.compliance.journey import journey_context
    from apps.compliance.selectors import requirement_statuses, status_summary

    show = profile(membership)
    ctx: dict[str, Any] = {"show": show, "today": timezone.localdate()}
    if show["my_activities"]:
        ctx["my_activities"] = my_activities(organization=organization, membership=membership)
        # A member who answers nothing has no section (the RPCRA is rarely a business owner).
        show["my_activities"] = bool(ctx["my_activities"]) or not membership.has_capability("bia.view")
    if show["queue"]:
        ctx["queue"] = approval_queue(organization=organization, membership=membership)
        ctx["queue_total"] = sum(s["count"] for s in ctx["queue"])
    if show["late_actions"]:
        ctx["actions"] = late_actions(organization=organization)
    if show["journey"]:
        ctx.update(journey_context(organization=organization, membership=membership))
    elif show["requirements"]:
        statuses = requirement_statuses(organization=organization)
        ctx.update(requirement_statuses=statuses, requirement_summary=status_summary(statuses))
    if show["charts"]:
        summary = ctx["requirement_summary"]
        chart = {"requirements": requirement_chart(organization=organization, statuses_summary=summary),
                 "text": {"met": _("Met"), "partial": _("Partly met"), "notMet": _("Not met"),
                          "open": _("Open, on time"), "late": _("Overdue")}}
        if membership.has_capability("bia.view"):
            chart["gaps"] = gap_chart(organization=organization)
        if show["late_actions"]:
            counts = ctx["actions"]["counts"]
            chart["actions"] = {"open": counts["open"] - counts["overdue"], "late": counts["overdue"]}
        ctx["chart_data"] = chart
    return ctx
