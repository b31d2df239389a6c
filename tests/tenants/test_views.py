"""Organization administration as a user does it: establishments, invitations, roles, history."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.tenants.models import Establishment, Invitation, Membership, Site
from apps.tenants.roles import Role
from apps.tenants.validators import luhn_complete
from tests.exports.conftest import wait_for
from tests.factories import EstablishmentFactory, MembershipFactory
from tests.mailhelpers import body, mail_worker, worker_mails


def url(name: str, org, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


@pytest.mark.django_db
def test_establishment_with_a_bad_finess_is_refused_next_to_the_field(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    before = Establishment.objects.count()
    response = client.post(url("tenants:establishment-create", org), {
        "name": "CH de Test", "short_name": "", "finess_ej": "750712185", "legal_status": "public",
        "activity_share": "30",
    })
    assert response.status_code == 400
    assert "finess_ej" in response.context["form"].errors
    assert "CH de Test" in response.content.decode()  # what the user typed is kept
    assert Establishment.objects.count() == before


@pytest.mark.django_db
def test_establishment_and_site_creation(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    response = client.post(url("tenants:establishment-create", org), {
        "name": "CH de Test", "short_name": "CHT", "finess_ej": "75 071 2184", "legal_status": "public",
        "activity_share": "30",
    })
    assert response.status_code == 302, response.context["form"].errors
    establishment = Establishment.objects.get(organization=org, name="CH de Test")
    assert establishment.finess_ej == "750712184"
    response = client.post(url("tenants:site-create", org), {
        "establishment": establishment.pk, "name": "Site Nord", "finess_eg": luhn_complete("75000001"), "city": "Paris",
    })
    assert response.status_code == 302
    assert Site.objects.filter(establishment=establishment, name="Site Nord").exists()
    page = client.get(url("tenants:establishments", org)).content.decode()
    assert "Site Nord" in page and "750712184" in page


@pytest.mark.django_db
def test_site_cannot_point_at_another_organizations_establishment(org, other_org, admin_user, client_for) -> None:
    foreign = Establishment.objects.get(organization=other_org)
    response = client_for(admin_user).post(url("tenants:site-create", org), {
        "establishment": foreign.pk, "name": "Intrus", "finess_eg": luhn_complete("75000002"),
    })
    assert response.status_code == 400
    assert not Site.objects.filter(name="Intrus").exists()


@pytest.mark.django_db(transaction=True)
def test_invitation_to_a_new_person_creates_the_account_and_membership(
    org, admin_user, client_for, settings, tmp_path,
) -> None:
    restricted_to = EstablishmentFactory(organization=org, name="CH restreint")
    with mail_worker("MAIL_QUEUE", settings, tmp_path) as worker:
        response = client_for(admin_user).post(url("tenants:invite", org), {
            "email": "Nouvelle.Cadre@Hopital.example", "role": Role.BUSINESS_OWNER, "establishments": [restricted_to.pk],
        })
        assert response.status_code == 302
        assert mail.outbox == []  # the worker sends it, not the request
        wait_for(lambda: worker_mails(worker), timeout=90, message=worker.output)
        (invitation_mail,) = worker_mails(worker)
    assert invitation_mail["To"] == "nouvelle.cadre@hopital.example"
    assert org.name in invitation_mail["Subject"] and "Invitation" in invitation_mail["Subject"]
    link = re.search(r"/invitation/[\w-]+/", body(invitation_mail)).group(0)
    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200 and "Créer" in page.content.decode() or "Create" in page.content.decode()
    response = visitor.post(link, {"first_name": "Nadia", "last_name": "Cadre", "password1": "Une-phrase-de-passe-2026",
                                   "password2": "Une-phrase-de-passe-2026"})
    assert response.status_code == 302
    membership = Membership.objects.get(organization=org, user__email="nouvelle.cadre@hopital.example")
    assert membership.role == Role.BUSINESS_OWNER
    assert membership.restricted_to_establishments
    # The invitation is spent.
    assert visitor.post(link, {}).status_code == 400
    assert Invitation.objects.get(email="nouvelle.cadre@hopital.example").accepted_at is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_ACCEPTED, organization=org).exists()


@pytest.mark.django_db
def test_invitation_for_an_existing_account_requires_login_with_that_address(org, admin_user, client_for, user_factory) -> None:
    existing = user_factory(email="consultant@cabinet.example")
    invitation = Invitation.objects.create(organization=org, email=existing.email, role=Role.CONSULTANT)
    link = reverse("invitation-accept", kwargs={"token": invitation.token})
    response = Client().post(link, {})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    stranger = user_factory(email="other@hopital.example")
    response = client_for(stranger).post(link, {})
    assert response.status_code == 400
    assert not Membership.objects.filter(user=stranger).exists()
    response = client_for(existing).post(link, {})
    assert response.status_code == 302
    assert Membership.objects.get(user=existing, organization=org).role == Role.CONSULTANT


@pytest.mark.django_db
def test_role_change_is_audited_and_the_last_administrator_is_kept(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    mine = Membership.objects.get(user=admin_user, organization=org)
    response = client.post(url("tenants:member-update", org, pk=mine.pk), {"role": Role.READER})
    assert response.status_code == 400
    assert "administrat" in response.content.decode().lower()
    mine.refresh_from_db()
    assert mine.role == Role.ADMINISTRATOR
    other = MembershipFactory(organization=org, role=Role.READER)
    response = client.post(url("tenants:member-update", org, pk=other.pk), {"role": Role.RPCRA})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.role == Role.RPCRA
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED, organization=org)
    assert event.details == {"from": Role.READER, "to": Role.RPCRA} and event.actor == admin_user


@pytest.mark.django_db
def test_member_removal_asks_confirmation_then_removes(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    other = MembershipFactory(organization=org, role=Role.READER)
    page = client.get(url("tenants:member-remove", org, pk=other.pk))
    assert page.status_code == 200 and str(other.user) in page.content.decode()
    assert Membership.objects.filter(pk=other.pk).exists()
    assert client.post(url("tenants:member-remove", org, pk=other.pk)).status_code == 302
    assert not Membership.objects.filter(pk=other.pk).exists()
    assert client_for(other.user).get(url("tenants:home", org)).status_code == 404


@pytest.mark.django_db
def test_restricted_member_sees_only_granted_establishments(org, admin_user, client_for) -> None:
    granted = EstablishmentFactory(organization=org, name="CH de Saint-Aubin")
    hidden = EstablishmentFactory(organization=org, name="CHU caché")
    member = MembershipFactory(organization=org, role=Role.CONTRIBUTOR)
    response = client_for(admin_user).post(url("tenants:member-update", org, pk=member.pk), {
        "role": Role.CONTRIBUTOR, "restricted": "on", "establishments": [granted.pk],
    })
    assert response.status_code == 302
    page = client_for(member.user).get(url("tenants:establishments", org)).content.decode()
    assert "CH de Saint-Aubin" in page and "CHU caché" not in page
    assert hidden.pk


@pytest.mark.django_db
def test_history_page_shows_who_changed_what(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    establishment = Establishment.objects.get(organization=org)
    client.post(url("tenants:establishment-update", org, pk=establishment.pk), {
        "name": "Nouveau nom du CH", "short_name": "", "finess_ej": establishment.finess_ej,
        "legal_status": "public", "activity_share": "40",
    })
    page = client.get(url("tenants:history", org, model="tenants.establishment", pk=establishment.pk))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nouveau nom du CH" in text
    assert str(admin_user) in text


@pytest.mark.django_db
def test_bulk_updates_are_in_the_history_too(org) -> None:
    from apps.core.history import history_for

    establishment = Establishment.objects.get(organization=org)
    Establishment.objects.filter(pk=establishment.pk).update(name="Renommé en masse")
    assert any(e.pgh_diff and "name" in e.pgh_diff for e in history_for(establishment))


@pytest.mark.django_db
def test_history_of_unknown_or_foreign_models_is_404(org, other_org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    assert client.get(url("tenants:history", org, model="accounts.user", pk=admin_user.pk)).status_code == 404
    assert client.get(url("tenants:history", org, model="tenants.organization", pk=other_org.pk)).status_code == 404
    assert client.get(url("tenants:history", org, model="tenants.organization", pk=org.pk)).status_code == 200


