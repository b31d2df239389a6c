"""BIA campaign e-mails: assignment, send back, and the RPCRA's reminder sent by a real Celery worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.bia import services, tasks
from apps.bia.models import Activity
from apps.core.models import AuditEvent
from apps.tenants.roles import Role
from tests.bia.factories import activity_in
from tests.exports.conftest import Worker, wait_for
from tests.factories import EstablishmentFactory, MembershipFactory
from tests.mailhelpers import body, mail_worker, worker_mails


def _owner(org, email: str):
    return MembershipFactory(organization=org, role=Role.BUSINESS_OWNER, user__email=email).user


@pytest.mark.django_db(transaction=True)
def test_the_worker_tells_the_owner_of_an_assignment_and_of_a_sent_back_bia(org, admin_user, client_for,
                                                                             settings, tmp_path: Path) -> None:
    owner = _owner(org, "chef.urgences@valmont.example")
    activity = activity_in(org, name="Urgences adultes")
    url = reverse("bia:activity-update", kwargs={"org_slug": org.slug, "pk": activity.pk})
    owner_membership = owner.memberships.get(organization=org)
    client = client_for(admin_user)
    with mail_worker("CAMPAIGN_QUEUE", settings, tmp_path) as worker:
        response = client.post(url, {"name": "Urgences adultes", "establishment": activity.establishment_id,
                                     "owner": owner_membership.pk, "care_perimeter": "none"})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert mail.outbox == []  # nothing is sent inside the request
        # Saving again without changing the owner sends nothing more.
        client.post(url, {"name": "Urgences adultes (SAU)", "establishment": activity.establishment_id,
                          "owner": owner_membership.pk, "care_perimeter": "none"})
        with scopes_disabled():
            Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.SUBMITTED)
        response = client.post(reverse("bia:activity-review", kwargs={"org_slug": org.slug, "pk": activity.pk}),
                               {"decision": "send_back", "comment": "Préciser le groupe électrogène."})
        assert response.status_code == 302 and mail.outbox == []
        # One worker process takes the tasks in order: the send-back e-mail comes after any re-save's.
        wait_for(lambda: len(worker_mails(worker)) >= 2, timeout=90, message=worker.output)
        assigned, sent_back = worker_mails(worker)
    assert assigned["To"] == sent_back["To"] == "chef.urgences@valmont.example"
    assert assigned["Subject"].strip() == "BIA de « Urgences adultes » : vous en êtes le responsable métier"
    assert f"/o/{org.slug}/bia/activites/{activity.pk}/questionnaire/1/" in body(assigned)
    assert "modifications demandées" in sent_back["Subject"]
    assert "Préciser le groupe électrogène." in body(sent_back)


@pytest.mark.django_db
def test_imports_and_the_demo_assign_without_e_mail(org, django_capture_on_commit_callbacks) -> None:
    owner = _owner(org, "biologiste@valmont.example")
    with django_capture_on_commit_callbacks() as callbacks:
        services.activity_assign_owner(activity=activity_in(org), actor=None, owner=owner)
    assert callbacks == []  # no task is sent


@pytest.mark.django_db
def test_reminders_go_to_owners_of_unfinished_bias_only(org) -> None:
    late = _owner(org, "pharmacien@valmont.example")
    done = _owner(org, "biologiste@valmont.example")
    for name, status in (("Dispensation", Activity.Status.NOT_STARTED), ("Chimiothérapies", Activity.Status.SENT_BACK)):
        services.activity_assign_owner(activity=activity_in(org, name=name, status=status), actor=None, owner=late)
    services.activity_assign_owner(activity=activity_in(org, name="Laboratoire", status=Activity.Status.SUBMITTED),
                                   actor=None, owner=done)
    activity_in(org, name="Sans responsable")  # no owner: nobody to e-mail
    # The task's body, run in this process through TenantTask (scope and language from the message).
    assert tasks.campaign_remind.apply(args=[org.pk], kwargs={"language": "fr"}).get() == 1
    assert [m.to for m in mail.outbox] == [["pharmacien@valmont.example"]]
    text = mail.outbox[0].body
    assert "Dispensation" in text and "Chimiothérapies" in text and "Laboratoire" not in text
    assert "Renvoyé" in text  # the status, in French


@pytest.mark.django_db(transaction=True)
def test_the_rpcra_reminds_owners_and_the_worker_sends_the_e_mails(org, admin_user, client_for, settings,
                                                                   tmp_path: Path) -> None:
    from resilis.celery import app

    queue = f"campaign-test-{tmp_path.name}"
    settings.CAMPAIGN_QUEUE = queue
    late = _owner(org, "cadre.bloc@valmont.example")
    services.activity_assign_owner(activity=activity_in(org, name="Bloc opératoire"), actor=None, owner=late)
    other = EstablishmentFactory(organization=org, name="Hôpital de Saint-Aubin")
    ssr_owner = _owner(org, "chef.ssr@saint-aubin.example")
    with scopes_disabled():
        services.activity_assign_owner(activity=Activity.objects.create(
            organization=org, establishment=other, name="SSR"), actor=None, owner=ssr_owner)
    client = client_for(admin_user)
    page = client.get(reverse("bia:activities", kwargs={"org_slug": org.slug})).content.decode()
    assert "Relancer 2 responsables métier" in page and "Dernière relance" not in page
    # A real worker; outside production it writes e-mails to its output (console backend), which we read.
    worker = Worker(queue, Path(settings.MEDIA_ROOT), tmp_path / "worker.log")
    try:
        worker.wait_ready()
        response = client.post(reverse("bia:campaign-remind", kwargs={"org_slug": org.slug}), follow=True)
        assert "Relance envoyée à 2 responsables métier." in response.content.decode()
        wait_for(lambda: worker.output().count("Subject: ") >= 2 and "succeeded" in worker.output(), timeout=90,
                 message=worker.output)
        output = worker.output()
        assert "To: cadre.bloc@valmont.example" in output and "To: chef.ssr@saint-aubin.example" in output
    finally:
        worker.stop()
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
    event = AuditEvent.objects.get(organization=org, action=AuditEvent.Action.CAMPAIGN_REMINDED)
    assert event.actor == admin_user and event.details == {"owners": 2}
    page = client.get(reverse("bia:activities", kwargs={"org_slug": org.slug})).content.decode()
    assert "Dernière relance" in page


@pytest.mark.django_db
def test_nobody_to_remind_sends_nothing(org, admin_user, client_for) -> None:
    response = client_for(admin_user).post(reverse("bia:campaign-remind", kwargs={"org_slug": org.slug}), follow=True)
    assert "Tous les BIA attribués sont soumis : personne à relancer." in response.content.decode()
    assert not AuditEvent.objects.filter(organization=org, action=AuditEvent.Action.CAMPAIGN_REMINDED).exists()


@pytest.mark.django_db
def test_a_business_owner_cannot_send_reminders(org, owner, client_for) -> None:
    assert client_for(owner).post(reverse("bia:campaign-remind", kwargs={"org_slug": org.slug})).status_code == 403
