"""The demo GHT has a realistic plan: ~25 actions, from every source, some late, some done with their proof."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from apps.actions import selectors
from apps.actions.models import Action, SourceKind, Status
from apps.tenants.demo import CLINIC_SLUG, GHT_SLUG
from apps.tenants.models import Organization


@pytest.mark.django_db(transaction=True)
def test_demo_plan(settings) -> None:
    call_command("seed_demo", "--quiet-accounts")
    ght = Organization.objects.get(slug=GHT_SLUG)
    clinic = Organization.objects.get(slug=CLINIC_SLUG)
    with scope(organization=ght):
        actions = list(Action.objects.filter(organization=ght))
        assert 22 <= len(actions) <= 36  # with the six actions of the exercise's RETEX findings (apps/exercises/demo.py)
        kinds = {a.source_kind for a in actions}
        assert kinds >= set(SourceKind.values)
        counts = selectors.counts(qs=Action.objects.filter(organization=ght))
        assert counts["overdue"] >= 3 and counts["open"] >= 10 and counts["done_this_month"] >= 1
        done = [a for a in actions if a.status == Status.DONE]
        assert any(a.proof_evidence_id for a in done) and all(a.has_proof for a in done)
        assert any(a.status == Status.ABANDONED and a.abandon_reason for a in actions)
        burndown = selectors.burndown(organization=ght)["values"]
        assert burndown[0] < burndown[-1] or len(set(burndown)) > 2  # the plan has a past
    with scope(organization=clinic):
        assert 3 <= Action.objects.filter(organization=clinic).count() < len(actions)
    # What the direction sees for the demo GHT.
    client = Client()
    from apps.accounts.models import User

    client.force_login(User.objects.get(email="direction@ght-rives-de-loire.example"),
                       backend="allauth.account.auth_backends.AuthenticationBackend")
    page = client.get(reverse("actions:direction", kwargs={"org_slug": GHT_SLUG}))
    assert page.status_code == 200 and "Karim Benali" in page.content.decode()
