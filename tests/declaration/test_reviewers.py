"""The reviewer's access (« relecteur »): invited by the direction, bound to the account that accepted the link,
limited in time, revocable, reading only the signed declaration versions and their files, every access audited;
never a member (404 on every member page: tests/test_isolation.py, ``test_reviewer_gets_404``)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import reset_queries
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AuditEvent
from apps.declaration import selectors, services
from apps.declaration.models import DeclarationVersion, ReviewerGrant
from apps.tenants.models import Membership
from apps.tenants.roles import Role
from tests.declaration.isolation import version_with_file

pytestmark = pytest.mark.django_db

REVIEWER = "relecteur@ars-pdl.example"


def url(org, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


@pytest.fixture
def director(org, member_factory):
    return member_factory(org, Role.DIRECTION, user__first_name="Isabelle", user__last_name="Lefèvre")


def grant_for(org, user, *, days: int = 30, inviter=None) -> ReviewerGrant:
    grant = services.reviewer_invite(organization=org, actor=inviter or user, email=user.email, days=days)
    return services.reviewer_accept(grant=grant, user=user)


@pytest.fixture
def reviewer(user_factory):
    return user_factory(email=REVIEWER, first_name="Paul", last_name="Relecteur")


# --- Services ------------------------------------------------------------------------------------------------

def test_invite_records_a_pending_access_the_worker_mails_once(org, director) -> None:
    grant = services.reviewer_invite(organization=org, actor=director, email=" Relecteur@ARS-pdl.example ", days=45)
    assert grant.email == REVIEWER and grant.is_pending and grant.user is None
    assert timedelta(days=44, hours=23) < grant.expires_at - timezone.now() <= timedelta(days=45)
    event = AuditEvent.objects.get(organization=org, action=AuditEvent.Action.REVIEWER_INVITED)
    assert event.actor == director and event.target == REVIEWER and event.details == {"grant": grant.pk, "days": 45}
    assert mail.outbox == []  # the worker sends it
    assert services.reviewer_invitation_send(organization=org, grant_id=grant.pk)
    (message,) = mail.outbox
    assert message.to == [REVIEWER] and org.name in message.subject
    assert re.search(rf"/relecture/invitation/{grant.token}/", message.body)
    services.reviewer_revoke(grant=grant, actor=director)
    assert not services.reviewer_invitation_send(organization=org, grant_id=grant.pk)  # revoked meanwhile
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("days", [0, 91, -3])
def test_the_length_is_bounded(org, director, days) -> None:
    with pytest.raises(ValidationError) as error:
        services.reviewer_invite(organization=org, actor=director, email=REVIEWER, days=days)
    assert "days" in error.value.message_dict
    assert not ReviewerGrant.objects.exists()


def test_a_member_or_a_running_access_is_refused(org, director, reader_user) -> None:
    with pytest.raises(ValidationError) as error:
        services.reviewer_invite(organization=org, actor=director, email=reader_user.email.upper(), days=30)
    assert "email" in error.value.message_dict
    first = services.reviewer_invite(organization=org, actor=director, email=REVIEWER, days=30)
    with pytest.raises(ValidationError):
        services.reviewer_invite(organization=org, actor=director, email=REVIEWER, days=10)
    services.reviewer_revoke(grant=first, actor=director)
    second = services.reviewer_invite(organization=org, actor=director, email=REVIEWER, days=10)
    assert second.is_pending and ReviewerGrant.objects.filter(organization=org).count() == 2


def test_accept_binds_the_account_once_and_only_for_the_invited_address(org, director, reviewer,
                                                                          user_factory) -> None:
    grant = services.reviewer_invite(organization=org, actor=director, email=REVIEWER, days=30)
    with pytest.raises(ValidationError):
        services.reviewer_accept(grant=grant, user=user_factory(email="autre@ars-pdl.example"))
    grant = services.reviewer_accept(grant=grant, user=reviewer)
    assert grant.user == reviewer and grant.is_active and not grant.is_pending
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVIEWER_ACCEPTED, actor=reviewer,
                                     details__grant=grant.pk).exists()
    with pytest.raises(ValidationError):  # single use
        services.reviewer_accept(grant=grant, user=reviewer)
    assert not Membership.objects.filter(user=reviewer).exists()  # a reviewer is never a member


def test_expiry_and_revoke_end_the_access(org, director, reviewer) -> None:
    grant = grant_for(org, reviewer, inviter=director)
    assert selectors.reviewer_has_access(user=reviewer)
    ReviewerGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    grant.refresh_from_db()
    assert grant.state == ReviewerGrant.State.EXPIRED and not selectors.reviewer_has_access(user=reviewer)
    with pytest.raises(ValidationError):
        services.reviewer_revoke(grant=grant, actor=director)  # already ended
    other = services.reviewer_invite(organization=org, actor=director, email="audit@cabinet.example", days=5)
    services.reviewer_revoke(grant=other, actor=director)
    other.refresh_from_db()
    assert other.state == ReviewerGrant.State.REVOKED and other.revoked_by == director
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVIEWER_REVOKED, actor=director,
                                     details__grant=other.pk).exists()


# --- The direction's pages -------------------------------------------------------------------------------------

def test_director_invites_from_the_page_and_a_bad_length_keeps_what_was_typed(org, director, client_for) -> None:
    client = client_for(director)
    page = client.get(url(org, "declaration:page"))
    assert url(org, "declaration:reviewers").encode() in page.content
    response = client.post(url(org, "declaration:reviewers"), {"email": REVIEWER, "days": "120"})
    assert response.status_code == 400
    body = response.content.decode()
    assert REVIEWER in body and "90" in body  # the address typed is kept, the error says the bound
    assert not ReviewerGrant.objects.exists()
    response = client.post(url(org, "declaration:reviewers"), {"email": REVIEWER, "days": "20"})
    assert response.status_code == 302
    grant = ReviewerGrant.objects.get(organization=org)
    assert grant.days == 20 and grant.invited_by == director


def test_the_list_shows_state_last_access_and_count(org, director, reviewer, client_for) -> None:
    version_with_file(org)
    grant = grant_for(org, reviewer, inviter=director)
    reviewer_client = client_for(reviewer)
    assert reviewer_client.get(reverse("review:declaration", kwargs={"grant": grant.pk})).status_code == 200
    version = DeclarationVersion.objects.get(organization=org)
    download = reviewer_client.get(reverse("review:file", kwargs={"grant": grant.pk, "pk": version.pk, "key": "pdf"}))
    assert download.status_code == 200
    ended = services.reviewer_invite(organization=org, actor=director, email="audit@cabinet.example", days=5)
    services.reviewer_revoke(grant=ended, actor=director)
    listed = {g.pk: g for g in selectors.reviewer_grant_list(organization=org)}
    assert listed[grant.pk].access_count == 2 and listed[grant.pk].last_access_at is not None
    assert listed[ended.pk].access_count == 0 and listed[ended.pk].last_access_at is None
    page = client_for(director).get(url(org, "declaration:reviewers"))
    body = page.content.decode()
    assert page.status_code == 200
    row = re.search(rf'data-testid="grant-{grant.pk}">(.*?)</tr>', body, re.S).group(1)
    assert "Actif" in row or "Active" in row
    assert ">2<" in row and "revoquer" in row
    ended_row = re.search(rf'data-testid="grant-{ended.pk}">(.*?)</tr>', body, re.S).group(1)
    assert ("Révoqué" in ended_row or "Revoked" in ended_row) and "revoquer" not in ended_row


def test_the_list_reads_in_a_bounded_number_of_queries(org, director, client_for, user_factory,
                                                       django_assert_max_num_queries) -> None:
    client = client_for(director)
    version_with_file(org)

    def add(count: int) -> None:
        for _ in range(count):
            user = user_factory()
            grant = grant_for(org, user, inviter=director)
            client_for(user).get(reverse("review:declaration", kwargs={"grant": grant.pk}))

    add(2)
    reset_queries()  # the connection keeps the last 9,000 queries only: counting needs room
    with django_assert_max_num_queries(30) as small:
        assert client.get(url(org, "declaration:reviewers")).status_code == 200
    budget = len(small.captured_queries)  # read now: the log is a window, not a record
    add(8)
    reset_queries()
    with django_assert_max_num_queries(budget):
        assert client.get(url(org, "declaration:reviewers")).status_code == 200


def test_revoke_asks_for_confirmation_then_ends_the_access(org, director, reviewer, client_for) -> None:
    grant = grant_for(org, reviewer, inviter=director)
    client = client_for(director)
    confirm = client.get(url(org, "declaration:reviewer-revoke", pk=grant.pk))
    assert confirm.status_code == 200 and REVIEWER in confirm.content.decode()
    grant.refresh_from_db()
    assert grant.is_active  # GET changes nothing
    assert client.post(url(org, "declaration:reviewer-revoke", pk=grant.pk)).status_code == 302
    grant.refresh_from_db()
    assert grant.state == ReviewerGrant.State.REVOKED
    assert client_for(reviewer).get(reverse("review:declaration", kwargs={"grant": grant.pk})).status_code == 404


# --- The reviewer's pages --------------------------------------------------------------------------------------

def test_a_new_reviewer_accepts_the_link_once_and_lands_on_the_declaration(org, director) -> None:
    version_with_file(org)
    grant = services.reviewer_invite(organization=org, actor=director, email=REVIEWER, days=30)
    link = reverse("review:accept", kwargs={"token": grant.token})
    visitor = Client()
    assert visitor.get(link).status_code == 200
    response = visitor.post(link, {"first_name": "Paul", "last_name": "Relecteur",
                                   "password1": "Une-phrase-de-passe-2026", "password2": "Une-phrase-de-passe-2026"})
    assert response.status_code == 302
    assert response["Location"] == reverse("review:declaration", kwargs={"grant": grant.pk})
    grant.refresh_from_db()
    assert grant.user.email == REVIEWER and grant.is_active
    assert visitor.get(response["Location"]).status_code == 200
    assert visitor.get(link).status_code == 302  # its own reviewer is sent to the declaration
    stranger = Client()
    assert stranger.post(link, {}).status_code == 400  # spent
    assert b"no longer valid" in stranger.get(link).content or b"n'est plus valable" in \
        stranger.get(link).content


def test_an_existing_account_logs_in_with_the_invited_address(org, director, reviewer, client_for,
                                                               user_factory) -> None:
    grant = services.reviewer_invite(organization=org, actor=director, email=REVIEWER, days=30)
    link = reverse("review:accept", kwargs={"token": grant.token})
    response = Client().post(link, {})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert client_for(user_factory(email="autre@ars-pdl.example")).post(link, {}).status_code == 400
    assert client_for(reviewer).post(link, {}).status_code == 302
    grant.refresh_from_db()
    assert grant.user == reviewer


def test_the_reviewer_sees_only_signed_versions_and_each_access_is_audited(org, director, reviewer,
                                                                            client_for) -> None:
    signed = version_with_file(org)
    freezing = version_with_file(org, status=DeclarationVersion.Status.FREEZING)
    failed = version_with_file(org, status=DeclarationVersion.Status.FAILED)
    grant = grant_for(org, reviewer, inviter=director)
    client = client_for(reviewer)
    page = client.get(reverse("review:declaration", kwargs={"grant": grant.pk}))
    body = page.content.decode()
    assert page.status_code == 200
    assert f'data-testid="version-{signed.number}"' in body and "1" * 64 in body
    for hidden in (freezing, failed):
        assert f'data-testid="version-{hidden.number}"' not in body
        target = reverse("review:file", kwargs={"grant": grant.pk, "pk": hidden.pk, "key": "pdf"})
        assert client.get(target).status_code == 404
    # No member navigation on the reviewer's pages: nothing of the organization but the declaration.
    assert f"/o/{org.slug}/" not in body
    download = client.get(reverse("review:file", kwargs={"grant": grant.pk, "pk": signed.pk, "key": "pdf"}))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.7 signed"
    assert client.get(reverse("review:file", kwargs={"grant": grant.pk, "pk": signed.pk, "key": "xlsx"})
                      ).status_code == 404
    viewed = AuditEvent.objects.get(organization=org, action=AuditEvent.Action.REVIEWER_VIEWED)
    assert viewed.actor == reviewer and viewed.details["grant"] == grant.pk
    downloaded = AuditEvent.objects.get(organization=org, action=AuditEvent.Action.DOWNLOAD)
    assert downloaded.actor == reviewer and downloaded.target == "dossier-care-d2.pdf"
    assert downloaded.details == {"grant": grant.pk, "reviewer": REVIEWER, "declaration": signed.pk,
                                  "sha256": "1" * 64}


def test_an_ended_access_answers_404_everywhere_with_a_clear_page(org, director, reviewer, client_for) -> None:
    signed = version_with_file(org)
    grant = grant_for(org, reviewer, inviter=director)
    ReviewerGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client = client_for(reviewer)
    page = client.get(reverse("review:declaration", kwargs={"grant": grant.pk}))
    assert page.status_code == 404
    assert "expir" in page.content.decode()
    assert client.get(reverse("review:file", kwargs={"grant": grant.pk, "pk": signed.pk, "key": "pdf"})
                      ).status_code == 404
    home = client.get(reverse("review:home")).content.decode()
    assert 'data-testid="review-ended"' in home
    assert reverse("review:declaration", kwargs={"grant": grant.pk}) not in home
    assert not AuditEvent.objects.filter(action__in=selectors.ACCESS_ACTIONS).exists()


def test_a_reviewer_of_one_organization_reads_nothing_of_another(org, other_org, director, reviewer,
                                                                  client_for, member_factory, user_factory) -> None:
    grant = grant_for(org, reviewer, inviter=director)
    foreign_version = version_with_file(other_org)
    foreign_grant = grant_for(other_org, user_factory(email="relecteur@ars-idf.example"),
                              inviter=member_factory(other_org, Role.DIRECTION))
    client = client_for(reviewer)
    assert client.get(reverse("review:file", kwargs={"grant": grant.pk, "pk": foreign_version.pk, "key": "pdf"})
                      ).status_code == 404
    assert client.get(reverse("review:declaration", kwargs={"grant": foreign_grant.pk})).status_code == 404
    assert client.get(reverse("review:file", kwargs={"grant": foreign_grant.pk, "pk": foreign_version.pk,
                                                     "key": "pdf"})).status_code == 404
    assert other_org.name not in client.get(reverse("review:home")).content.decode()


def test_the_organizations_mfa_policy_applies_to_its_reviewers(org, director, reviewer, client_for) -> None:
    grant = grant_for(org, reviewer, inviter=director)
    org.mfa_required = True
    org.save(update_fields=["mfa_required"])
    response = client_for(reviewer).get(reverse("review:declaration", kwargs={"grant": grant.pk}))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVIEWER_VIEWED).exists()


def test_an_anonymous_visitor_is_sent_to_login(org, director, reviewer) -> None:
    grant = grant_for(org, reviewer, inviter=director)
    for target in (reverse("review:home"), reverse("review:declaration", kwargs={"grant": grant.pk})):
        response = Client().get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_portfolio_sends_a_reviewer_home(org, director, reviewer, client_for) -> None:
    grant = grant_for(org, reviewer, inviter=director)
    client = client_for(reviewer)
    response = client.get(reverse("portfolio"))
    assert response.status_code == 302 and response["Location"] == reverse("review:home")
    home = client.get(reverse("review:home")).content.decode()
    assert org.name in home and reverse("review:declaration", kwargs={"grant": grant.pk}) in home


def test_every_reviewer_page_runs_under_the_production_scope_rules(org, director, reviewer, client_for) -> None:
    """The autouse fixture disables scopes for setup; with them on, as in production, no page queries a
    tenant-owned table outside the organization's scope (django-scopes would raise)."""
    from django_scopes import scope

    version = version_with_file(org)
    grant = services.reviewer_invite(organization=org, actor=director, email=REVIEWER, days=30)
    reviewer_client, director_client = client_for(reviewer), client_for(director)
    with scope():
        assert reviewer_client.get(reverse("review:accept", kwargs={"token": grant.token})).status_code == 200
        assert reviewer_client.post(reverse("review:accept", kwargs={"token": grant.token})).status_code == 302
        assert reviewer_client.get(reverse("portfolio")).status_code == 302
        assert reviewer_client.get(reverse("review:home")).status_code == 200
        assert reviewer_client.get(reverse("review:declaration", kwargs={"grant": grant.pk})).status_code == 200
        download = reviewer_client.get(reverse("review:file", kwargs={"grant": grant.pk, "pk": version.pk,
                                                                      "key": "pdf"}))
        assert download.status_code == 200
        assert director_client.get(url(org, "declaration:reviewers")).status_code == 200
        assert director_client.get(url(org, "declaration:reviewer-revoke", pk=grant.pk)).status_code == 200
        assert director_client.post(url(org, "declaration:reviewer-revoke", pk=grant.pk)).status_code == 302
        assert reviewer_client.get(reverse("review:declaration", kwargs={"grant": grant.pk})).status_code == 404
        assert reviewer_client.get(reverse("review:home")).status_code == 200


def test_the_reviewers_pages_read_in_a_bounded_number_of_queries(org, director, reviewer, client_for,
                                                                 member_factory, django_assert_max_num_queries) -> None:
    from tests.factories import OrganizationFactory

    client = client_for(reviewer)
    grant = grant_for(org, reviewer, inviter=director)
    version_with_file(org)
    page = reverse("review:declaration", kwargs={"grant": grant.pk})
    reset_queries()
    with django_assert_max_num_queries(20) as small:
        assert client.get(page).status_code == 200
        assert client.get(reverse("review:home")).status_code == 200
    budget = len(small.captured_queries)
    for _ in range(4):
        version_with_file(org)
        other = OrganizationFactory()
        grant_for(other, reviewer, inviter=member_factory(other, Role.DIRECTION))
    reset_queries()
    with django_assert_max_num_queries(budget):
        assert client.get(page).content.decode().count('data-testid="version-') == 5
        assert client.get(reverse("review:home")).content.decode().count("/relecture/") >= 5


def test_before_any_signature_the_reviewer_reads_nothing_of_the_draft(org, director, reviewer, client_for) -> None:
    """The « Déclaration » page of the members is the draft (today's statuses); a reviewer never sees it, nor a
    version whose files are still being produced."""
    freezing = version_with_file(org, status=DeclarationVersion.Status.FREEZING)
    grant = grant_for(org, reviewer, inviter=director)
    client = client_for(reviewer)
    body = client.get(reverse("review:declaration", kwargs={"grant": grant.pk})).content.decode()
    assert 'data-testid="no-signed"' in body and 'data-testid="version-' not in body
    assert 'data-testid="requirement-' not in body and "D2.O1" not in body
    assert client.get(reverse("review:file", kwargs={"grant": grant.pk, "pk": freezing.pk, "key": "pdf"})
                      ).status_code == 404
    assert client.get(url(org, "declaration:page")).status_code == 404
    home = client.get(reverse("review:home")).content.decode()
    assert re.search(r"CH de Valmont</a></th><td>0</td>", home)
