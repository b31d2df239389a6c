"""BIA services: scales, DMIA derivation and override, campaign, owner permission, catalogue."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db.models.deletion import RestrictedError
from guardian.shortcuts import get_objects_for_user

from apps.bia import services
from apps.bia.models import Activity, ImpactAnswer, ImpactCriterion, Resource, TimeHorizon
from tests.bia.factories import ResourceFactory, activity_in

pytestmark = pytest.mark.django_db


def cell(scales, criterion_index, horizon_index):
    return (scales["criteria"][criterion_index].pk, scales["horizons"][horizon_index].pk)


def test_default_scales_are_created_once(org) -> None:
    services.scales_ensure_defaults(organization=org)
    services.scales_ensure_defaults(organization=org)
    assert ImpactCriterion.objects.filter(organization=org).count() == 6
    assert list(TimeHorizon.objects.filter(organization=org).values_list("hours", flat=True)) == [4, 24, 72, 168, 720]
    assert ImpactCriterion.objects.get(organization=org, code="securite_patient").levels.count() == 4


def test_dmia_is_derived_from_the_grid_and_sets_criticality(org, scales, owned_activity, owner) -> None:
    activity = services.impacts_save(activity=owned_activity, actor=owner, step=2,
                                     levels={cell(scales, 0, 0): 2, cell(scales, 0, 1): 3, cell(scales, 1, 2): 4})
    assert activity.dmia_hours == 24
    assert activity.criticality == "high"
    assert activity.status == Activity.Status.IN_PROGRESS
    # Level 3 reached earlier on another criterion: the DMIA shortens.
    activity = services.impacts_save(activity=activity, actor=owner, levels={cell(scales, 2, 0): 3})
    assert (activity.dmia_hours, activity.criticality) == (4, "critical")


def test_override_needs_a_justification(org, scales, owned_activity, owner) -> None:
    with pytest.raises(ValidationError):
        services.activity_save_step(activity=owned_activity, actor=owner, step=2, data={"dmia_override_hours": 8})
    activity = services.activity_save_step(
        activity=Activity.objects.get(pk=owned_activity.pk), actor=owner, step=2,
        data={"dmia_override_hours": 8, "dmia_override_justification": "Plan blanc rodé, repli papier de 8 h."},
    )
    assert (activity.dmia_hours, activity.is_dmia_overridden, activity.criticality) == (8, True, "high")


def test_changing_the_intolerable_level_recomputes_every_dmia(org, scales, owned_activity, owner) -> None:
    services.impacts_save(activity=owned_activity, actor=owner, levels={cell(scales, 0, 1): 3, cell(scales, 0, 3): 4})
    services.bia_settings_update(organization=org, actor=None, data={"intolerable_level": 4})
    assert Activity.objects.get(pk=owned_activity.pk).dmia_hours == 168


def test_answered_horizon_and_criterion_cannot_vanish(org, scales, owned_activity, owner) -> None:
    services.impacts_save(activity=owned_activity, actor=owner, levels={cell(scales, 0, 0): 4})
    with pytest.raises(ValidationError):
        services.horizon_delete(horizon=scales["horizons"][0], actor=None)
    with pytest.raises(RestrictedError):
        scales["criteria"][0].delete()
    # Deactivating the criterion keeps the answer but no longer drives the DMIA.
    services.criterion_update(criterion=scales["criteria"][0], actor=None, data={"is_active": False})
    assert ImpactAnswer.objects.filter(activity=owned_activity).count() == 1
    assert Activity.objects.get(pk=owned_activity.pk).dmia_hours is None


def test_the_whole_organization_can_still_be_deleted(org, scales, owned_activity, owner) -> None:
    services.impacts_save(activity=owned_activity, actor=owner, levels={cell(scales, 0, 0): 4})
    org.delete()
    assert not ImpactAnswer.objects.filter(activity_id=owned_activity.pk).exists()


def test_owner_permission_follows_the_assignment(org, owner, member_factory) -> None:
    activity = activity_in(org)
    services.activity_assign_owner(activity=activity, actor=None, owner=owner)
    other = member_factory(org, "business_owner")
    perms = lambda user: set(get_objects_for_user(user, "bia.answer_activity", klass=Activity.objects.filter(organization=org),  # noqa: E731
                                                  accept_global_perms=False))
    assert perms(owner) == {activity}
    services.activity_assign_owner(activity=activity, actor=None, owner=other)
    assert perms(owner) == set() and perms(other) == {activity}


def test_owner_must_be_a_member(org, other_org, member_factory) -> None:
    stranger = member_factory(other_org, "business_owner")
    with pytest.raises(ValidationError):
        services.activity_assign_owner(activity=activity_in(org), actor=None, owner=stranger)


def test_campaign_submit_validate_send_back(org, scales, owned_activity, owner, rpcra) -> None:
    with pytest.raises(ValidationError):
        services.activity_submit(activity=owned_activity, actor=owner)  # grid and PDMA missing
    activity = services.impacts_save(activity=owned_activity, actor=owner, levels={cell(scales, 0, 0): 4})
    activity = services.activity_save_step(activity=activity, actor=owner, step=3, data={"pdma_hours": 1})
    activity = services.activity_submit(activity=activity, actor=owner)
    assert activity.status == Activity.Status.SUBMITTED and activity.submitted_by == owner
    with pytest.raises(ValidationError):
        services.activity_send_back(activity=activity, actor=rpcra, comment="  ")
    activity = services.activity_send_back(activity=activity, actor=rpcra, comment="Préciser le mode dégradé.")
    assert activity.status == Activity.Status.SENT_BACK
    with pytest.raises(ValidationError):
        services.activity_validate(activity=activity, actor=rpcra)
    activity = services.activity_submit(activity=activity, actor=owner)
    activity = services.activity_validate(activity=activity, actor=rpcra)
    assert activity.status == Activity.Status.VALIDATED and activity.validated_by == rpcra


def test_dependencies_stay_inside_the_organization(org, other_org) -> None:
    foreign = ResourceFactory(organization=other_org)
    with pytest.raises(ValidationError):
        services.activity_dependency_set(activity=activity_in(org), actor=None, resource=foreign)
    with pytest.raises(ValidationError):
        services.resource_dependency_set(resource=ResourceFactory(organization=org), actor=None, depends_on=foreign)


def test_catalogue_import_is_idempotent(org) -> None:
    from apps.tenants.models import Establishment

    establishment = Establishment.objects.get(organization=org)
    first = services.catalogue_import(organization=org, actor=None, establishment=establishment,
                                      activity_codes=["urgences-accueil", "paie"])
    assert first["activities"] == 2 and first["resources"] > 5
    again = services.catalogue_import(organization=org, actor=None, establishment=establishment,
                                      activity_codes=["urgences-accueil", "paie"])
    assert again == {"activities": 0, "resources": 0, "dependencies": 0}
    urgences = Activity.objects.get(organization=org, name="Accueil et prise en charge des urgences")
    assert urgences.care_perimeter == "care_service" and urgences.unit.parent.name.startswith("Pôle urgences")
    # The chain reaches the infrastructure: DPI → Active Directory.
    ad = Resource.objects.get(organization=org, name="Active Directory")
    assert ad.dependents.filter(resource__name__startswith="Dossier patient").exists()
