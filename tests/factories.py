"""factory_boy factories for the foundation models. Apps add theirs in tests/<app>/factories.py."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import User
from apps.tenants.models import Establishment, Membership, Organization, Site
from apps.tenants.roles import Role
from apps.tenants.validators import luhn_complete

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@hopital.example")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(DjangoModelFactory):
    """Through ``organization_create``, like every real organization: it starts with its defaults."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Centre hospitalier n°{n}")
    slug = factory.Sequence(lambda n: f"ch-{n}")
    kind = Organization.Kind.LEGAL_ENTITY
    region = "CVL"

    @classmethod
    def _create(cls, model_class: type[Organization], *args: Any, **kwargs: Any) -> Organization:
        from apps.tenants.services import organization_create

        return organization_create(actor=None, **kwargs)


class EstablishmentFactory(DjangoModelFactory):
    class Meta:
        model = Establishment

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Établissement {n}")
    finess_ej = factory.Sequence(lambda n: luhn_complete(f"45{n:06d}"))
    activity_share = Decimal("50")
    activity_share_basis = "Séjours 2025"
    activity_share_date = datetime.date(2026, 1, 31)


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    establishment = factory.SubFactory(EstablishmentFactory)
    organization = factory.SelfAttribute("establishment.organization")
    name = factory.Sequence(lambda n: f"Site {n}")
    finess_eg = factory.Sequence(lambda n: luhn_complete(f"41{n:06d}"))


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ADMINISTRATOR
