"""factory_boy factories for the BIA models."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from apps.bia.models import Activity, ActivityDependency, ActivityLink, Resource, ResourceDependency
from tests.establishments import target_establishment
from tests.factories import EstablishmentFactory


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    establishment = factory.SubFactory(EstablishmentFactory)
    organization = factory.SelfAttribute("establishment.organization")
    name = factory.Sequence(lambda n: f"Activité {n}")


class ResourceFactory(DjangoModelFactory):
    class Meta:
        model = Resource

    organization = factory.SubFactory("tests.factories.OrganizationFactory")
    kind = Resource.Kind.APPLICATION
    name = factory.Sequence(lambda n: f"Application {n}")
    rto_capability_hours = 24
    rpo_capability_hours = 24
    # Shared by the whole organization, unless a test asked for objects in one establishment (objects_in).
    establishment = factory.LazyFunction(target_establishment)


class ActivityDependencyFactory(DjangoModelFactory):
    class Meta:
        model = ActivityDependency

    activity = factory.SubFactory(ActivityFactory)
    organization = factory.SelfAttribute("activity.organization")
    resource = factory.SubFactory(ResourceFactory, organization=factory.SelfAttribute("..organization"))


class ResourceDependencyFactory(DjangoModelFactory):
    class Meta:
        model = ResourceDependency

    organization = factory.SubFactory("tests.factories.OrganizationFactory")
    resource = factory.SubFactory(ResourceFactory, organization=factory.SelfAttribute("..organization"))
    depends_on = factory.SubFactory(ResourceFactory, organization=factory.SelfAttribute("..organization"),
                                    kind=Resource.Kind.INFRASTRUCTURE)


class ActivityLinkFactory(DjangoModelFactory):
    class Meta:
        model = ActivityLink

    activity = factory.SubFactory(ActivityFactory)
    organization = factory.SelfAttribute("activity.organization")
    depends_on = factory.SubFactory(ActivityFactory, establishment=factory.SelfAttribute("..activity.establishment"))


def activity_in(org, **kwargs):
    """An activity in one of ``org``'s establishments (creating one if needed)."""
    from apps.tenants.models import Establishment

    establishment = (target_establishment() or Establishment.objects.filter(organization=org).first()
                     or EstablishmentFactory(organization=org))
    return ActivityFactory(organization=org, establishment=establishment, **kwargs)
