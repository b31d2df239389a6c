"""Kwargs factories for the BIA URLs (see tests/isolation.py)."""

from apps.bia import services
from tests.bia.factories import ResourceDependencyFactory, ResourceFactory, activity_in


def _activity(org):
    return {"pk": activity_in(org).pk}


def _questionnaire(org):
    return {"pk": activity_in(org).pk, "step": 1}


def _resource(org):
    return {"pk": ResourceFactory(organization=org).pk}


def _resource_dependency(org):
    return {"pk": ResourceDependencyFactory(organization=org).pk}


def _criterion(org):
    services.scales_ensure_defaults(organization=org)
    from apps.bia.models import ImpactCriterion

    return {"pk": ImpactCriterion.objects.filter(organization=org).first().pk}


def _horizon(org):
    from apps.bia.models import TimeHorizon

    return {"pk": TimeHorizon.objects.create(organization=org, label="> 1 mois", hours=2000).pk}


def _history(org):
    return {"model": "bia.activity", "pk": activity_in(org).pk}


URL_KWARGS = {
    "bia:activity-detail": _activity,
    "bia:activity-update": _activity,
    "bia:activity-delete": _activity,
    "bia:activity-review": _activity,
    "bia:questionnaire": _questionnaire,
    "bia:resource-detail": _resource,
    "bia:resource-update": _resource,
    "bia:resource-delete": _resource,
    "bia:resource-dependency-add": _resource,
    "bia:resource-dependency-remove": _resource_dependency,
    "bia:criterion-update": _criterion,
    "bia:horizon-delete": _horizon,
}

# Objects that belong to no establishment (the organization's scales, scenarios, trajectories, evidence).
ORG_WIDE = {
    "bia:criterion-update",
    "bia:horizon-delete",
}
