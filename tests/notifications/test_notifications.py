"""Notifications: a plan submitted → the direction gets the in-app notification and the e-mail (read from a real
worker's output) → returns it with a reason → the RPCRA sees it, with the reason; preferences; the daily scan."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AuditEvent
from apps.notifications import mail as notification_mail
from apps.notifications import scan, tasks
from apps.notifications.models import Kind, Notification, NotificationPreference
from apps.tenants.roles import Role
from tests.actions.factories import ActionFactory
from tests.continuity.factories import plan_in
from tests.exports.conftest import wait_for
from tests.factories import MembershipFactory
from tests.mailhelpers import body, mail_worker, worker_mails


def url(org, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_submitted_plan_reaches_the_director_who_returns_it_with_a_reason(org, client_for, settings,
                                                                          tmp_path: Path) -> None:
    rpcra = MembershipFactory(organization=org, role=Role.RPCRA, user__email="rpcra@valmont.example").user
    director = MembershipFactory(organization=org, role=Role.DIRECTION, user__email="directrice@valmont.example",
                                 user__first_name="Claire", user__last_name="Dumas").user
    plan = plan_in(org, title="PCA Urgences", with_mode=True)
    rpcra_client, director_client = client_for(rpcra), client_for(director)
    with mail_worker("MAIL_QUEUE", settings, tmp_path) as worker:
        response = rpcra_client.post(url(org, "continuity:plan-step", pk=plan.pk, step=7))
        assert response.status_code == 302 and mail.outbox == []  # nothing sent inside the request
        # In-app: the bell counts it, the page lists it.
        bell = director_client.get(url(org, "notifications:bell")).content.decode()
        assert 'data-unread="1"' in bell
        page = director_client.get(url(org, "notifications:list")).content.decode()
        assert "Le plan « PCA Urgences » a été soumis à votre approbation." in page
        # E-mail, by the worker, in the organization's language (French).
        wait_for(lambda: any(m["To"] == "directrice@valmont.example" for m in worker_mails(worker)), timeout=90,
                 message=worker.output)
        sent = next(m for m in worker_mails(worker) if m["To"] == "directrice@valmont.example")
        assert "soumis à votre approbation" in sent["Subject"]
        assert f"/o/{org.slug}/plans/{plan.pk}/" in body(sent)
        # « Renvoyer » needs a reason.
        decision = url(org, "continuity:plan-decision", pk=plan.pk, decision="renvoyer")
        director_client.post(decision, {"reason": "  "})
        plan.current_version.refresh_from_db()
        assert plan.current_version.status == "submitted"
        detail = director_client.get(url(org, "continuity:plan-detail", pk=plan.pk)).content.decode()
        assert 'name="reason"' in detail and "required" in detail and "data-confirm" in detail
        director_client.post(decision, {"reason": "Le mode dégradé des urgences ne dit pas qui décide."})
        plan.current_version.refresh_from_db()
        assert plan.current_version.status == "draft"
        wait_for(lambda: any(m["To"] == "rpcra@valmont.example" for m in worker_mails(worker)), timeout=90,
                 message=worker.output)
        returned = next(m for m in worker_mails(worker) if m["To"] == "rpcra@valmont.example")
        assert "ne dit pas qui décide" in body(returned)
    page = rpcra_client.get(url(org, "notifications:list")).content.decode()
    assert "Le plan « PCA Urgences » a été renvoyé à ses auteurs." in page
    assert "Le mode dégradé des urgences ne dit pas qui décide." in page
    assert "Claire Dumas" in page
    # Opening it marks it read and goes to the plan.
    notification = Notification.objects.get(recipient=rpcra, kind=Kind.PLAN_RETURNED)
    response = rpcra_client.post(url(org, "notifications:mark-read"), {"id": notification.pk})
    assert response["Location"] == url(org, "continuity:plan-detail", pk=plan.pk)
    notification.refresh_from_db()
    assert notification.is_read
    # The business events are in the activity log.
    actions = set(AuditEvent.objects.filter(organization=org).values_list("action", flat=True))
    assert {"plan_submitted", "plan_returned"} <= actions


@pytest.mark.django_db
def test_preferences_digest_and_none_and_language(org, client_for) -> None:
    rpcra = MembershipFactory(organization=org, role=Role.RPCRA, user__email="rpcra@valmont.example").user
    director = MembershipFactory(organization=org, role=Role.DIRECTION, user__email="dir@valmont.example").user
    reader = MembershipFactory(organization=org, role=Role.READER, user__email="lecteur@valmont.example").user
    response = client_for(director).post(url(org, "notifications:preferences"), {"email": "digest", "language": "en"})
    assert response.status_code == 302
    NotificationPreference.objects.create(user=reader, email="none")
    plan = plan_in(org, with_mode=True)
    from apps.continuity import services

    services.plan_submit(plan=plan, actor=rpcra)
    # The director chose the digest: no e-mail of its own; the reader has no plans.approve: nothing at all.
    assert Notification.objects.filter(recipient=director, kind=Kind.PLAN_SUBMITTED).count() == 1
    assert not Notification.objects.filter(recipient=reader).exists()
    assert not Notification.objects.filter(recipient=rpcra).exists()  # never the actor
    assert notification_mail.send_digest(organization=org, user_id=director.pk) == 1
    assert tasks.send_digest.apply(args=[org.pk, director.pk], kwargs={"language": "en"}).get() == 0  # claimed once
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dir@valmont.example"]


@pytest.mark.django_db
def test_digest_is_written_in_the_recipient_s_language(org) -> None:
    director = MembershipFactory(organization=org, role=Role.DIRECTION, user__email="dir@valmont.example").user
    NotificationPreference.objects.create(user=director, email="digest", language="en")
    plan = plan_in(org, title="PCA Bloc", with_mode=True)
    from apps.continuity import services

    services.plan_submit(plan=plan, actor=None)
    assert tasks.daily_digest.apply().get() == 1  # one (organization, person) pair; the worker sends it
    from apps.notifications.services import language_for

    assert language_for(director, org) == "en"
    from django.utils import translation

    with translation.override("en"):
        notification_mail.send_digest(organization=org, user_id=director.pk)
    assert "PCA Bloc" in mail.outbox[-1].body and "was submitted for your approval" in mail.outbox[-1].body


@pytest.mark.django_db
def test_the_daily_scan_tells_overdue_actions_once(org) -> None:
    owner = MembershipFactory(organization=org, role=Role.CONTRIBUTOR)
    ActionFactory(organization=org, title="Kits papier", owner_member=owner,
                  due_date=timezone.localdate() - datetime.timedelta(days=2), retro_entered=True)
    assert scan.scan_organization(organization=org) >= 1
    assert scan.scan_organization(organization=org) == 0  # told once
    notification = Notification.objects.get(recipient=owner.user, kind=Kind.ACTION_OVERDUE)
    assert notification.subject_label == "Kits papier"
