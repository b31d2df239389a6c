"""Kwargs factories for the continuity URLs (see tests/isolation.py)."""

from apps.continuity import services
from apps.continuity.models import DegradedMode, RecoveryStep
from tests.bia.factories import ActivityDependencyFactory
from tests.continuity.factories import plan_in, scenario


def _plan(org):
    return {"pk": plan_in(org).pk}


def _step(org):
    return {"pk": plan_in(org).pk, "step": 1}


def _mode(org):
    plan = plan_in(org, with_mode=True)
    return {"pk": plan.pk, "item": DegradedMode.objects.filter(version__plan=plan).first().pk}


def _mode_delete(org):
    return {**_mode(org), "kind": "mode"}


def _sheet(org):
    plan = plan_in(org)
    sheet = services.reflex_sheet_save(plan=plan, actor=None, data={"role": "IOA", "first_actions": "Registre"})
    return {"pk": plan.pk, "item": sheet.pk}


def _recovery(org):
    plan = plan_in(org)
    activity = plan.plan_activities.first().activity
    ActivityDependencyFactory(organization=org, activity=activity, resource__organization=org)
    services.recovery_propose(plan=plan, actor=None)
    return {"pk": plan.pk, "item": RecoveryStep.objects.filter(version__plan=plan).first().pk}


def _decision(org):
    return {"pk": plan_in(org).pk, "decision": "approuver"}


def _scenario(org):
    return {"pk": scenario(org).pk}


def _history(org):
    return {"model": "continuity.plan", "pk": plan_in(org).pk}


URL_KWARGS = {
    "continuity:plan-detail": _plan,
    "continuity:plan-step": _step,
    "continuity:degraded-mode-update": _mode,
    "continuity:reflex-sheet-update": _sheet,
    "continuity:item-delete": _mode_delete,
    "continuity:recovery-move": _recovery,
    "continuity:plan-decision": _decision,
    "continuity:approver": _plan,
    "continuity:compare": _plan,
    "continuity:print": _plan,
    "continuity:scenario-update": _scenario,
}

# Objects that belong to no establishment (the organization's scales, scenarios, trajectories, evidence).
ORG_WIDE = {
    "continuity:scenario-update",
}
