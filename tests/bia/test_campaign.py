"""The BIA campaign with a deadline: due dates per establishment, progress per owner, reminders throttled to one per
owner per 24 h (manual and automatic alike), « Reprendre » opening the first unsaved step."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.bia import campaign, services, tasks
from apps.bia.models import Activity, Campaign
from apps.tenants.models import Establishment
from apps.tenants.roles import Role
from tests.bia.factories import activity_in
from tests.factories import MembershipFactory


def url(org, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


@pytest.mark.django_db
def test_manual_reminder_sent_again_4_s_later_is_throttled(org, client_for, django_capture_on_commit_callbacks) -> None:
    rpcra = MembershipFactory(organization=org, role=Role.RPCRA).user
    owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER, user__email="pharma@valmont.example").user
    services.activity_assign_owner(activity=activity_in(org, name="Dispensation"), actor=None, owner=owner)
    client = client_for(rpcra)
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.post(url(org, "bia:campaign-remind"), follow=True)
    assert "Relance envoyée à 1 responsable métier" in first.content.decode()
    assert len(callbacks) == 1  # the reminder task, sent on commit
    # The worker's body, for the owners the request claimed: one e-mail.
    assert tasks.campaign_remind.apply(args=[org.pk], kwargs={"language": "fr", "owner_ids": [owner.pk]}).get() == 1
    with django_capture_on_commit_callbacks() as callbacks:
        second = client.post(url(org, "bia:campaign-remind"), follow=True)  # 4 s later
    assert callbacks == []  # nothing queued: no second e-mail
    assert "moins de 24 heures" in second.content.decode()
    assert [m.to for m in mail.outbox] == [["pharma@valmont.example"]]


@pytest.mark.django_db
def test_automatic_reminders_before_and_after_the_due_date(org, django_capture_on_commit_callbacks) -> None:
    owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER, user__email="urg@valmont.example").user
    activity = activity_in(org, name="Urgences")
    services.activity_assign_owner(activity=activity, actor=None, owner=owner)
    today = timezone.localdate()
    with scopes_disabled():
        establishment = Establishment.objects.get(pk=activity.establishment_id)
    services.campaign_set(organization=org, actor=None, establishment=establishment,
                          due_date=today + datetime.timedelta(days=7), remind_days_before=7, remind_days_after=3)
    with django_capture_on_commit_callbacks() as callbacks:
        assert tasks.campaign_reminders_dispatch.apply().get() == 1
    assert len(callbacks) == 1
    assert tasks.campaign_remind.apply(args=[org.pk], kwargs={"language": "fr", "owner_ids": [owner.pk]}).get() == 1
    assert [m.to for m in mail.outbox] == [["urg@valmont.example"]]
    with django_capture_on_commit_callbacks() as callbacks:
        assert tasks.campaign_reminders_dispatch.apply().get() == 0  # the same day again: throttled
    assert callbacks == []
    # Not a reminder day: nothing.
    with scopes_disabled():
        Campaign.objects.filter(organization=org).update(due_date=today + datetime.timedelta(days=20))
        assert campaign.campaigns_due_for_reminder(organization=org) == []
        Campaign.objects.filter(organization=org).update(due_date=today - datetime.timedelta(days=3))
        assert len(campaign.campaigns_due_for_reminder(organization=org)) == 1  # 3 days after


@pytest.mark.django_db
def test_campaign_page_progress_and_resume_step(org, client_for) -> None:
    rpcra = MembershipFactory(organization=org, role=Role.RPCRA).user
    owner_membership = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER,
                                         user__first_name="Sophie", user__last_name="Garnier")
    owner = owner_membership.user
    started = activity_in(org, name="Accueil")
    done = activity_in(org, name="Tri", status=Activity.Status.SUBMITTED)
    for a in (started, done):
        services.activity_assign_owner(activity=a, actor=None, owner=owner)
    with scopes_disabled():
        Activity.objects.filter(pk=started.pk).update(questionnaire_step=3)
        Activity.objects.filter(pk=done.pk).update(questionnaire_step=6, submitted_at=timezone.now())
        establishment = Establishment.objects.get(pk=started.establishment_id)
    response = client_for(rpcra).post(url(org, "bia:campaign-deadline"), {
        "establishment": establishment.pk, "due_date": "2027-03-31", "remind_days_before": 7, "remind_days_after": 3})
    assert response.status_code == 302
    page = client_for(rpcra).get(url(org, "bia:campaign")).content.decode()
    assert "Sophie Garnier" in page and "1 sur 2" in page and "31 mars 2027" in page
    mine = client_for(owner).get(url(org, "bia:my-activities")).content.decode()
    assert url(org, "bia:questionnaire", pk=started.pk, step=4) in mine  # the first step not saved
    assert "Reprendre le questionnaire" in mine
    tri = mine.split("Tri", 1)[1]
    assert "6 étape(s) sur 7" not in tri and "Soumis le" in tri
    home = client_for(owner).get(url(org, "tenants:home")).content.decode()
    assert "31 mars 2027" in home and url(org, "bia:questionnaire", pk=started.pk, step=4) in home
