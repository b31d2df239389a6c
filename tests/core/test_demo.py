"""The first-run demo loads completely (every app's demo.py), once, and gives every role a user."""

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from apps.tenants.demo import CLINIC_SLUG, GHT_SLUG
from apps.tenants.models import Establishment, Membership, Organization, Site
from apps.tenants.roles import Role


@pytest.mark.django_db(transaction=True)
def test_seed_demo_loads_everything_once(capsys) -> None:
    call_command("seed_demo")
    call_command("seed_demo")  # second start of run.py: nothing duplicated
    with scopes_disabled():
        ght = Organization.objects.get(slug=GHT_SLUG)
        assert ght.kind == Organization.Kind.GHT
        assert Organization.objects.filter(slug=CLINIC_SLUG).exists()
        assert Establishment.objects.filter(organization=ght).count() == 3
        assert Site.objects.filter(organization=ght).count() >= 4
        roles = set(Membership.objects.filter(organization=ght).values_list("role", flat=True))
        assert roles == set(Role.values)
        consultant_orgs = Membership.objects.filter(user__email="consultant@cabinet-continuite.example").count()
        assert consultant_orgs == 2
    output = capsys.readouterr().out
    assert "déjà présentes" in output
