"""The demo GHT has one cost line per category, each with its proof, and totals beside the actions' estimates."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from apps.costs.models import Category, CostLine
from apps.tenants.demo import GHT_SLUG
from apps.tenants.models import Organization


@pytest.mark.django_db
def test_demo_ght_has_a_cost_line_per_category() -> None:
    call_command("seed_demo", "--quiet-accounts")
    with scopes_disabled():
        ght = Organization.objects.get(slug=GHT_SLUG)
        lines = list(CostLine.objects.filter(organization=ght))
        assert {line.category for line in lines} == set(Category.values)
        staff = next(line for line in lines if line.category == Category.INTERNAL_STAFF)
        assert staff.mission_letter is not None
        assert all(line.proof_id for line in lines if line.category != Category.INTERNAL_STAFF)
