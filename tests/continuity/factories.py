"""Factories for continuity plans: a plan built through the services, as a user would."""

from __future__ import annotations

from typing import Any

from apps.bia.models import CarePerimeter
from apps.continuity import services
from apps.continuity.models import Plan, Scenario
from tests.bia.factories import activity_in


def scenario(org: Any, kind: str = Scenario.Kind.IS_UNAVAILABLE) -> Scenario:
    return next(s for s in services.scenarios_ensure_defaults(organization=org) if s.kind == kind)


def plan_in(org: Any, *, title: str = "PCA Urgences", activities: list | None = None,
            kinds: tuple[str, ...] = (Scenario.Kind.IS_UNAVAILABLE,), with_mode: bool = False,
            perimeter: str = CarePerimeter.CARE_SERVICE) -> Plan:
    activities = activities or [activity_in(org, name=f"Activité de {title}")]
    plan = services.plan_create(organization=org, actor=None, title=title, care_perimeter=perimeter,
                                activities=activities, scenarios=[scenario(org, k) for k in kinds])
    if with_mode:
        degraded_mode(plan, activities[0], scenario(org, kinds[0]))
    return plan


def degraded_mode(plan: Plan, activity: Any, scen: Scenario, **data: Any) -> Any:
    return services.degraded_mode_save(plan=plan, actor=None, activity=activity, scenario=scen, data={
        "trigger": "DPI indisponible plus de 30 minutes", "decided_by": "Médecin senior",
        "procedure": "Dossiers papier", **data})


def complete(plan: Plan) -> Plan:
    """Everything but the degraded modes the completeness checklist asks for: a fiche réflexe, a recovery sequence,
    the return to nominal and the communication plan."""
    services.reflex_sheet_save(plan=plan, actor=None, data={"role": "Médecin senior", "first_actions": "Décider"})
    services.recovery_propose(plan=plan, actor=None)
    from apps.continuity.models import RecoveryStep
    if not RecoveryStep.objects.filter(version__plan=plan).exists():
        from tests.bia.factories import ActivityDependencyFactory

        activity = plan.plan_activities.first().activity
        ActivityDependencyFactory(organization=plan.organization, activity=activity,
                                  resource__organization=plan.organization)
        services.recovery_propose(plan=plan, actor=None)
    services.return_and_communication_save(plan=plan, actor=None, data={
        "return_checks": "Contrôle DSI", "communication_internal": "Cellule de crise"})
    return plan


def approved_plan(org: Any, approver: Any = None, *, acknowledge_incomplete: bool = True, **kwargs: Any) -> Plan:
    """An approved plan; an incomplete one is approved with the acknowledgement unless told otherwise."""
    plan = plan_in(org, with_mode=True, **kwargs)
    services.plan_submit(plan=plan, actor=None)
    services.plan_approve(plan=plan, actor=approver, acknowledge_incomplete=acknowledge_incomplete)
    plan.refresh_from_db()
    return plan
