"""The demo GHT: a closed exercise-crisis with its main courante, the kit's copy register with one copy « périmée »
shown by the journey as the next action, a saved « what if »; the kit's size is printed (PDF pages, HTML bytes)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation
from django_scopes import scopes_disabled

from apps.compliance.journey import journey_stages
from apps.crisis import documents, selectors
from apps.crisis.models import Crisis, CrisisLogEntry, KitCopy, Simulation
from apps.tenants.demo import GHT_SLUG
from apps.tenants.models import Membership, Organization
from apps.tenants.roles import Role


@pytest.mark.django_db(transaction=True)
def test_the_demo_crisis_day(capsys) -> None:
    call_command("seed_demo", quiet_accounts=True)
    with scopes_disabled(), translation.override("fr"):
        ght = Organization.objects.get(slug=GHT_SLUG)
        crisis = Crisis.objects.get(organization=ght)
        assert crisis.is_exercise and crisis.status == Crisis.Status.CLOSED and crisis.closing_note
        assert CrisisLogEntry.objects.filter(crisis=crisis).count() >= 8
        state = selectors.live_state(crisis=crisis)
        assert any(a.degraded_at for a in state.activities)
        assert [r.status for r in state.recovery][:2] == ["verified", "verified"]
        assert {s.recipient for s in state.signalements if s.done_at} == {"cert_sante", "ars"}
        copies = list(KitCopy.objects.filter(organization=ght).order_by("number"))
        assert [c.number for c in copies] == [1, 2, 3, 4]
        assert [c.state for c in copies] == ["stale", "current", "current", "current"]
        assert "PCA Urgences" in copies[0].stale_reason
        membership = Membership.objects.filter(organization=ght, role=Role.RPCRA).first()
        stage = next(s for s in journey_stages(organization=ght, membership=membership) if s.key == "crisis")
        assert stage.next_label == "1 copie périmée" and stage.next_url.endswith("/crise/kit/")
        assert Simulation.objects.filter(organization=ght).exists()
        pdf, html = copies[1], copies[3]
        assert documents.build_copy(organization=ght, copy_id=pdf.pk)
        assert documents.build_copy(organization=ght, copy_id=html.pk)
        pdf.refresh_from_db()
        html.refresh_from_db()
        assert pdf.pages and html.size_bytes
        with capsys.disabled():
            print(f"\ndemo GHT kit: PDF {pdf.pages} pages ({pdf.size_bytes} bytes), single HTML file "
                  f"{html.size_bytes} bytes")
