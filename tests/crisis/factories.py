"""Factories of the crisis day: crises activated, kit copies and simulations built through the services."""

from __future__ import annotations

from typing import Any

from apps.continuity import services as continuity
from apps.continuity.models import PlanVersion
from apps.crisis import services
from apps.crisis.models import Crisis, KitCopy, Simulation
from tests.bia.factories import activity_in
from tests.continuity.factories import approved_plan, scenario
from tests.establishments import target_establishment


def urgences(org: Any) -> Any:
    """An activity with a DMIA of 4 h."""
    return activity_in(org, name="Urgences", dmia_override_hours=4, dmia_override_justification="Urgences vitales")


def crisis_in(org: Any, *, actor: Any = None, is_exercise: bool = False, establishment: Any = None,
              plan: Any = None, **kwargs: Any) -> Crisis:
    establishment = establishment if establishment is not None else target_establishment()
    if plan is None:
        plan = approved_plan(org, activities=[urgences(org)])
    version = PlanVersion.objects.get(organization=org, plan=plan, status=PlanVersion.Status.APPROVED)
    return services.crisis_activate(organization=org, actor=actor, title=kwargs.pop("title", "Rançongiciel"),
                                    scenario=scenario(org), versions=[version], establishment=establishment,
                                    is_exercise=is_exercise, **kwargs)


def plan_with_sheet(org: Any, *, title: str = "PCA Urgences", activities: list | None = None,
                    recovery: bool = False) -> Any:
    """An approved plan with a fiche réflexe of three actions (and its PRA recovery sequence with ``recovery``)."""
    from tests.continuity.factories import plan_in

    plan = plan_in(org, title=title, with_mode=True, activities=activities)
    continuity.reflex_sheet_save(plan=plan, actor=None, data={
        "role": "Directeur de crise", "first_actions": "Réunir la cellule\nAppeler l'ARS\nOuvrir la main courante",
        "who_to_call": "", "do_not": "", "order": 0})
    if recovery:
        continuity.recovery_propose(plan=plan, actor=None)
    continuity.plan_submit(plan=plan, actor=None)
    continuity.plan_approve(plan=plan, actor=None, acknowledge_incomplete=True)
    plan.refresh_from_db()
    return plan


def copy_in(org: Any, *, establishment: Any = None, fmt: str = KitCopy.Format.PDF, holder_name: str = "Dr Garnier",
            **kwargs: Any) -> KitCopy:
    establishment = establishment if establishment is not None else target_establishment()
    return services.kit_copy_issue(organization=org, actor=None, establishment=establishment, fmt=fmt,
                                   holder_name=holder_name, **kwargs)


def simulation_in(org: Any, *, establishment: Any = None) -> Simulation:
    from tests.bia.factories import ResourceFactory

    establishment = establishment if establishment is not None else target_establishment()
    resource = ResourceFactory(organization=org, name="Active Directory", kind="infrastructure",
                               establishment=establishment)
    return services.simulation_save(organization=org, actor=None, title="AD 72 h", resource_ids=[resource.pk],
                                    duration_hours=72, establishment=establishment)
