"""« Mon portefeuille » shows no figures of an organization that requires MFA to a user without it."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from apps.compliance import portfolio
from apps.tenants.roles import Role
from tests.compliance.test_portfolio import _row
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

LOCKED = "Double authentification requise"


@pytest.fixture
def consultant_of_two(user_factory):
    consultant = user_factory()
    strict = OrganizationFactory(name="GHT Strict", mfa_required=True)
    relaxed = OrganizationFactory(name="Clinique Souple")
    for organization in (strict, relaxed):
        MembershipFactory(organization=organization, user=consultant, role=Role.CONSULTANT)
        EstablishmentFactory(organization=organization)
    return consultant, strict, relaxed


def _figures_in(row: str) -> list[str]:
    return re.findall(r"\d+ %|badge (?:ok|warn|bad)|\d+ établissement", row)


def test_without_mfa_the_strict_organization_shows_the_message_not_its_figures(consultant_of_two, client_for) -> None:
    consultant, strict, relaxed = consultant_of_two
    portfolio.compute_summary(relaxed)  # as the worker does (a page sends the missing ones to it)
    client = client_for(consultant)
    page = client.get(reverse("portfolio")).content.decode()
    strict_row = _row(page, "GHT Strict")
    assert LOCKED in strict_row and reverse("mfa_activate_totp") in strict_row
    assert _figures_in(strict_row) == [] and "Calcul en cours" not in page
    assert portfolio.cached_summaries([strict.pk]) == {}  # not even computed for this user's page
    relaxed_row = _row(page, "Clinique Souple")
    assert LOCKED not in relaxed_row and "1 établissement" in relaxed_row and " %" in relaxed_row
    # The organization's link leads to the MFA set-up, not to its figures.
    response = client.get(reverse("tenants:home", kwargs={"org_slug": strict.slug}))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_with_mfa_the_figures_are_shown(consultant_of_two, client_for) -> None:
    consultant, strict, _relaxed = consultant_of_two
    TOTP.activate(consultant, generate_totp_secret())  # allauth's own enrolment record
    assert consultant.has_mfa
    for organization in consultant_of_two[1:]:
        portfolio.compute_summary(organization)  # as the worker does
    page = client_for(consultant).get(reverse("portfolio")).content.decode()
    strict_row = _row(page, "GHT Strict")
    assert LOCKED not in page
    summary = portfolio.cached_summaries([strict.pk])[strict.pk]
    assert f'{summary["percent"]} %' in strict_row and "1 établissement" in strict_row
    assert f'<span class="badge bad" title="Non atteinte">{summary["not_met"]}</span>' in strict_row


def test_a_single_strict_organization_redirects_to_mfa_setup(user_factory, client_for) -> None:
    consultant = user_factory()
    only = OrganizationFactory(mfa_required=True)
    MembershipFactory(organization=only, user=consultant, role=Role.CONSULTANT)
    client = client_for(consultant)
    response = client.get(reverse("portfolio"), follow=True)  # → its home → the MFA set-up (after a re-login)
    assert [url for url, _status in response.redirect_chain][1] == reverse("mfa_activate_totp")
    assert portfolio.cached_summaries([only.pk]) == {}
    page = client.get(reverse("portfolio") + "?all=1").content.decode()
    assert LOCKED in page and not _figures_in(_row(page, only.name))
