"""A form sent twice — a double click, two tabs, two identical requests at once — saves once.

Creation forms carry a one-time token (``apps.core.forms``, claimed in Redis by ``OrgFormView``); a race
that still reaches the database's unique constraints gets a French message, never a 500.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from apps.bia.models import Activity
from apps.governance.models import CopilMeeting, Decision
from apps.tenants.roles import Role
from tests.governance.factories import CopilMeetingFactory


def token_of(page: bytes) -> str:
    found = re.search(rb'name="form_token" value="([0-9a-f]{32})"', page)
    assert found, "the form carries no one-time token"
    return found.group(1).decode()


@pytest.mark.django_db
def test_a_meeting_form_sent_twice_creates_one_meeting(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.RPCRA))
    url = reverse("governance:meeting-create", kwargs={"org_slug": org.slug})
    data = {"held_on": "2026-11-30", "title": "COPIL de lancement", "form_token": token_of(client.get(url).content)}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert CopilMeeting.objects.filter(organization=org, title="COPIL de lancement").count() == 1
    page = client.get(second["Location"]).content.decode()
    assert "Ce formulaire avait déjà été envoyé" in page


@pytest.mark.django_db
def test_a_decision_form_sent_twice_creates_one_decision(org, member_factory, client_for) -> None:
    meeting = CopilMeetingFactory(organization=org)
    client = client_for(member_factory(org, Role.RPCRA))
    url = reverse("governance:decision-create", kwargs={"org_slug": org.slug, "pk": meeting.pk})
    data = {"text": "Lancer le BIA", "status": Decision.Status.OPEN, "form_token": token_of(client.get(url).content)}
    assert [client.post(url, data).status_code for _ in range(3)] == [302, 302, 302]
    assert Decision.objects.filter(organization=org, text="Lancer le BIA").count() == 1


@pytest.mark.django_db
def test_a_form_refused_by_validation_can_be_sent_again_with_its_token(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.RPCRA))
    url = reverse("bia:activity-create", kwargs={"org_slug": org.slug})
    token = token_of(client.get(url).content)
    from apps.tenants.models import Establishment

    establishment = Establishment.objects.filter(organization=org).first()
    bad = client.post(url, {"name": "", "establishment": establishment.pk, "form_token": token})
    assert bad.status_code == 400 and token_of(bad.content) == token  # the same token comes back
    good = client.post(url, {"name": "Pharmacie", "establishment": establishment.pk, "care_perimeter": "none",
                             "recovery_priority": "", "form_token": token})
    assert good.status_code == 302
    assert Activity.objects.filter(organization=org, name="Pharmacie").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_token", [True, False], ids=["same token", "no token"])
def test_two_identical_posts_at_once_save_one_row_and_never_fail(with_token, org, member_factory) -> None:
    """Two threads, two connections, one barrier: whatever wins, one row and no server error."""
    from apps.tenants.models import Establishment

    user = member_factory(org, Role.RPCRA)
    establishment = Establishment.objects.filter(organization=org).first()
    url = reverse("bia:activity-create", kwargs={"org_slug": org.slug})
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    data = {"name": "Urgences", "establishment": establishment.pk, "care_perimeter": "none", "recovery_priority": ""}
    if with_token:
        data["form_token"] = token_of(clients[0].get(url).content)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send(client: Client) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 2 and 500 not in statuses, statuses
    assert Activity.objects.filter(organization=org, name="Urgences").count() == 1
