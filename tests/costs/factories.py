"""factory_boy factories for the expense lines."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.costs.models import Category, CostLine
from tests.establishments import target_establishment


def _establishment(line):
    target = target_establishment()
    if target is not None:
        return target
    from apps.tenants.models import Establishment
    from tests.factories import EstablishmentFactory

    return (Establishment.objects.filter(organization=line.organization).order_by("pk").first()
            or EstablishmentFactory(organization=line.organization))


class CostLineFactory(DjangoModelFactory):
    class Meta:
        model = CostLine

    organization = factory.SubFactory("tests.factories.OrganizationFactory")
    engaged_on = datetime.date(2025, 9, 15)
    category = Category.EXTERNAL_SERVICE
    label = factory.Sequence(lambda n: f"Prestation {n}")
    supplier = "Cabinet Continuité"
    invoice_reference = factory.Sequence(lambda n: f"F-2025-{n:04d}")
    amount_ht = Decimal("1000.00")
    amount_ttc = Decimal("1200.00")
    requirement_ids = factory.LazyFunction(lambda: ["D2.O1.C"])
    establishment = factory.LazyAttribute(_establishment)
