"""The business events other apps report (one call where the event happens): each is recorded in the activity log
(and so in the object's « Historique ») and told to the people it concerns (``notify``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from apps.core.models import AuditEvent
from apps.core.services import business_event
from apps.notifications.models import Kind
from apps.notifications.services import members_with, notify
from apps.tenants.roles import Role

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.actions.models import Action
    from apps.bia.models import Activity
    from apps.continuity.models import Plan, PlanVersion


def _url(organization_slug: str, name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"org_slug": organization_slug, **kwargs})


def _plan_leads(plan: Plan, version: PlanVersion) -> list[User | None]:
    """Who wrote the plan: the person who submitted it and the RPCRA (and consultants) who may see it."""
    leads = members_with(organization=plan.organization, capability="plans.change", establishment_id=plan.establishment_id,
                         roles=[Role.RPCRA, Role.CONSULTANT])
    return [version.submitted_by, *leads]


def plan_submitted(*, plan: Plan, version: PlanVersion, actor: User | None) -> None:
    from apps.continuity.services import named_approver

    business_event(action=AuditEvent.Action.PLAN_SUBMITTED, actor=actor, obj=plan)
    approvers = members_with(organization=plan.organization, capability="plans.approve",
                             establishment_id=plan.establishment_id)
    notify(organization=plan.organization, recipients=[*approvers, named_approver(plan=plan)],
           kind=Kind.PLAN_SUBMITTED, subject=plan, actor=actor,
           url=_url(plan.organization.slug, "continuity:plan-detail", pk=plan.pk))


def plan_approved(*, plan: Plan, version: PlanVersion, actor: User | None) -> None:
    business_event(action=AuditEvent.Action.PLAN_APPROVED, actor=actor, obj=plan)
    notify(organization=plan.organization, recipients=_plan_leads(plan, version), kind=Kind.PLAN_APPROVED,
           subject=plan, actor=actor, url=_url(plan.organization.slug, "continuity:plan-detail", pk=plan.pk))


def plan_returned(*, plan: Plan, version: PlanVersion, actor: User | None, reason: str) -> None:
    business_event(action=AuditEvent.Action.PLAN_RETURNED, actor=actor, obj=plan, reason=reason)
    notify(organization=plan.organization, recipients=_plan_leads(plan, version), kind=Kind.PLAN_RETURNED,
           subject=plan, actor=actor, reason=reason,
           url=_url(plan.organization.slug, "continuity:plan-detail", pk=plan.pk))


def _bia_url(activity: Activity) -> str:
    return _url(activity.organization.slug, "bia:activity-detail", pk=activity.pk)


def bia_submitted(*, activity: Activity, actor: User | None) -> None:
    business_event(action=AuditEvent.Action.BIA_SUBMITTED, actor=actor, obj=activity)
    reviewers = members_with(organization=activity.organization, capability="bia.validate",
                             establishment_id=activity.establishment_id, roles=[Role.RPCRA, Role.CONSULTANT])
    notify(organization=activity.organization, recipients=reviewers, kind=Kind.BIA_SUBMITTED, subject=activity.name,
           actor=actor, url=_bia_url(activity))


def bia_validated(*, activity: Activity, actor: User | None) -> None:
    business_event(action=AuditEvent.Action.BIA_VALIDATED, actor=actor, obj=activity)
    notify(organization=activity.organization, recipients=[activity.owner], kind=Kind.BIA_VALIDATED,
           subject=activity.name, actor=actor, reason=activity.review_comment,
           url=_url(activity.organization.slug, "bia:my-activities"))


def bia_sent_back(*, activity: Activity, actor: User | None, reason: str) -> None:
    business_event(action=AuditEvent.Action.BIA_SENT_BACK, actor=actor, obj=activity, reason=reason)
    # The BIA app e-mails the owner itself (``apps.bia.notifications.send_sent_back``): in-app only here.
    notify(organization=activity.organization, recipients=[activity.owner], kind=Kind.BIA_SENT_BACK,
           subject=activity.name, actor=actor, reason=reason, email=False,
           url=_url(activity.organization.slug, "bia:questionnaire", pk=activity.pk, step=1))


def action_assigned(*, action: Action, actor: User | None) -> None:
    if action.owner_member is None:
        return
    # The action plan e-mails the owner itself (``apps.actions.notifications.send_assigned``): in-app only here.
    notify(organization=action.organization, recipients=[action.owner_member.user], kind=Kind.ACTION_ASSIGNED,
           subject=action.title, actor=actor, email=False,
           url=_url(action.organization.slug, "actions:follow", pk=action.pk))
