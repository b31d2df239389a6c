"""E-mails of the action plan: the assignment, and the weekly digest (one e-mail per person, in the
organization's language), sent by a real Celery worker."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.actions import notifications, tasks
from apps.actions.models import Status
from apps.tenants.models import Organization
from apps.tenants.roles import Role
from tests.actions.factories import ActionFactory
from tests.exports.conftest import wait_for
from tests.factories import MembershipFactory
from tests.mailhelpers import body, mail_worker, worker_mails

TODAY = timezone.localdate


def days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_tells_the_owner_and_sends_one_digest_per_person(org, admin_user, client_for, settings,
                                                                    tmp_path: Path) -> None:
    owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER, user__email="chef.urgences@valmont.example")
    with mail_worker("MAIL_QUEUE", settings, tmp_path) as worker:
        response = client_for(admin_user).post(reverse("actions:create", kwargs={"org_slug": org.slug}), {
            "title": "Former les IDE au mode dégradé", "priority": "high", "due_date": days(10).isoformat(),
            "owner_member": owner.pk})
        assert response.status_code == 302 and mail.outbox == []  # nothing is sent inside the request
        wait_for(lambda: len(worker_mails(worker)) >= 1, timeout=90, message=worker.output)
        assigned = worker_mails(worker)[0]
        assert assigned["To"] == "chef.urgences@valmont.example"
        assert "vous est attribuée" in assigned["Subject"]
        assert f"/o/{org.slug}/actions/" in body(assigned) and "/suivi/" in body(assigned)
        # The weekly digest: Celery beat's task fans out to one task per organization, in its language.
        ActionFactory(organization=org, title="Kits papier", owner_member=owner, due_date=days(-3),
                      retro_entered=True)
        ActionFactory(organization=org, title="Loin", owner_member=owner, due_date=days(60))
        ActionFactory(organization=org, title="Externe", owner_name="Sylvie Roux",
                      owner_email="s.roux@prestataire.example", due_date=days(5))
        assert tasks.weekly_digest.apply().get() == Organization.objects.count()
        wait_for(lambda: len(worker_mails(worker)) >= 3, timeout=90, message=worker.output)
        digests = {m["To"]: m for m in worker_mails(worker)[1:]}
    assert set(digests) == {"chef.urgences@valmont.example", "s.roux@prestataire.example"}
    mine = body(digests["chef.urgences@valmont.example"])
    assert "Kits papier" in mine and "EN RETARD" in mine and "Former les IDE" in mine and "Loin" not in mine
    assert "1 en retard, 1 à échéance proche" in digests["chef.urgences@valmont.example"]["Subject"]
    assert "/suivi/" not in body(digests["s.roux@prestataire.example"])  # cannot log in: no link


@pytest.mark.django_db
def test_the_digest_is_in_the_organization_s_language_and_sent_once_a_week(org) -> None:
    org.language = "en"
    org.save(update_fields=["language"])
    owner = MembershipFactory(organization=org, role=Role.CONTRIBUTOR, user__email="rssi@valmont.example")
    ActionFactory(organization=org, title="Copie immuable", owner_member=owner, due_date=days(-1), retro_entered=True)
    ActionFactory(organization=org, title="Faite", owner_member=owner, due_date=days(-1), retro_entered=True,
                  status=Status.DONE, proof_note="ok")
    assert tasks.send_digest.apply(args=[org.pk], kwargs={"language": org.language}).get() == 1
    assert [m.to for m in mail.outbox] == [["rssi@valmont.example"]]
    assert "1 overdue" in mail.outbox[0].subject and "LATE" in mail.outbox[0].body
    assert "Faite" not in mail.outbox[0].body
    # The same week again (a redelivered message, a second beat): nothing more.
    assert notifications.send_digest(organization=org) == 0
    assert len(mail.outbox) == 1
    # The next week, again.
    assert notifications.send_digest(organization=org, today=days(7)) == 1


@pytest.mark.django_db
def test_assigning_oneself_or_nobody_sends_nothing(org, admin_user, django_capture_on_commit_callbacks) -> None:
    from apps.actions import services

    me = admin_user.memberships.get(organization=org)
    with django_capture_on_commit_callbacks() as callbacks:
        services.action_create(organization=org, actor=admin_user, data={
            "title": "Moi", "due_date": days(5), "owner_member": me})
        services.action_create(organization=org, actor=admin_user, data={"title": "Personne", "due_date": days(5)})
    assert callbacks == []
