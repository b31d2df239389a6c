"""A consultant with two clients: « source » filled with adapted templates, and a fresh target."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission

from apps.bia.models import ImpactCriterion, ImpactLevel, TimeHorizon
from apps.continuity import services as plans
from apps.exercises.models import StimulusTemplate
from apps.tenants.models import Organization
from apps.tenants.roles import Role
from tests.bia.factories import ActivityFactory
from tests.continuity.factories import scenario
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory, UserFactory

SOURCE_MARKER = "ZZSOURCEQX"  # in every name of the source that must never be shown by the target


def grant_onboarding(user: Any) -> Any:
    user.user_permissions.add(Permission.objects.get(codename="add_organization", content_type__app_label="tenants"))
    return type(user).objects.get(pk=user.pk)  # permissions are cached on the instance


def consultant_of(*organizations: Organization, user: Any = None) -> Any:
    user = user or UserFactory()
    for organization in organizations:
        MembershipFactory(organization=organization, user=user, role=Role.CONSULTANT)
    return user


def filled_source() -> dict[str, Any]:
    """A client whose consultant adapted the scales, the activities, a plan and the stimulus library."""
    org = OrganizationFactory(name=f"{SOURCE_MARKER} GHT des Collines", slug="ght-collines", kind="ght")
    establishment = EstablishmentFactory(organization=org, name=f"{SOURCE_MARKER} CHU des Collines")
    criterion = ImpactCriterion.objects.create(organization=org, code="environnement", name="Impact environnemental", order=9)
    for level in range(1, 5):
        ImpactLevel.objects.create(organization=org, criterion=criterion, level=level, label=f"Niveau {level}",
                                   description=f"Atteinte environnementale de niveau {level}")
    TimeHorizon.objects.create(organization=org, label="2 semaines", hours=336, order=9)
    urgences = ActivityFactory(organization=org, establishment=establishment, name="Accueil des urgences",
                               process="Urgences", catalogue_code="URG-01", care_perimeter="care_service")
    ActivityFactory(organization=org, establishment=establishment, name="Facturation", process="Finances")
    plan = plans.plan_create(organization=org, actor=None, title="PCA Urgences", care_perimeter="care_service",
                             activities=[urgences], scenarios=[scenario(org)], establishment=establishment)
    plans.degraded_mode_save(plan=plan, actor=None, activity=urgences, scenario=scenario(org), data={
        "trigger": "DPI indisponible plus de 30 minutes", "decided_by": "Médecin senior",
        "procedure": "Dossiers papier pré-imprimés"})
    plans.reflex_sheet_save(plan=plan, actor=None, data={"role": "Cadre de santé", "first_actions": "Alerter"})
    plans.return_and_communication_save(plan=plan, actor=None, data={"communication_internal": "Cellule de crise"})
    plans.plan_submit(plan=plan, actor=None)
    plans.plan_approve(plan=plan, actor=None, acknowledge_incomplete=True)
    StimulusTemplate.objects.create(organization=org, scenario_kind="is_unavailable", title="Appel du SAMU",
                                    offset_minutes=15, sender="SAMU", recipient="Urgences", content="Afflux de patients")
    return {"org": org, "establishment": establishment, "plan": plan, "activity": urgences}
