"""The foundation as a person uses it, in Debian's Chromium: login, MFA, switching, invitations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.tenants.models import Invitation, Membership
from apps.tenants.roles import Role
from tests.browser.helpers import login, totp_now
from tests.exports.conftest import wait_for
from tests.factories import PASSWORD, EstablishmentFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.mailhelpers import body, mail_worker, worker_mails

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_in_french_and_land_on_the_organization(page: Page, live_server) -> None:
    org = OrganizationFactory(name="CH de Valmont")
    user = MembershipFactory(organization=org, role=Role.RPCRA).user
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Connexion à Resilis")).to_be_visible()
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill("mauvais-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("mot de passe sont incorrects")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(rf"/o/{org.slug}/$"))
    expect(page.get_by_role("heading", name="CH de Valmont", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Parcours CaRE")).to_be_visible()


def test_mfa_enrolment_forced_by_the_organization(page: Page, live_server) -> None:
    org = OrganizationFactory(name="Clinique sécurisée", mfa_required=True)
    user = MembershipFactory(organization=org, role=Role.READER).user
    login(page, live_server, user.email)
    page.goto(f"{live_server.url}/o/{org.slug}/")
    # Password confirmation first (allauth's reauthentication), then the authenticator set-up page.
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Confirmer").click()
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Code de l'authentificateur").fill(totp_now(secret))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_text("Codes de récupération", exact=False).first).to_be_visible()
    page.goto(f"{live_server.url}/o/{org.slug}/")
    expect(page.get_by_role("heading", name="Clinique sécurisée", level=1)).to_be_visible()
    assert user.has_mfa


def test_consultant_switches_between_organizations(page: Page, live_server) -> None:
    consultant = UserFactory(first_name="Thomas", last_name="Girard")
    ght = OrganizationFactory(name="GHT Rives de Loire", kind="ght")
    clinic = OrganizationFactory(name="Clinique du Parc")
    EstablishmentFactory(organization=ght, name="CHU de Valmont")
    EstablishmentFactory(organization=clinic, name="Clinique du Parc SAS")
    for organization in (ght, clinic):
        MembershipFactory(organization=organization, user=consultant, role=Role.CONSULTANT)
    login(page, live_server, consultant.email)
    expect(page.get_by_role("heading", name="Mon portefeuille")).to_be_visible()
    page.get_by_role("link", name="GHT Rives de Loire").click()
    page.get_by_role("link", name="Établissements et sites").click()
    expect(page.get_by_text("CHU de Valmont")).to_be_visible()
    expect(page.get_by_text("Clinique du Parc SAS")).to_have_count(0)
    page.locator("details.org-switcher summary").click()
    page.locator("details.org-switcher").get_by_role("link", name=re.compile("^Clinique du Parc")).click()
    expect(page.get_by_role("heading", name="Clinique du Parc", level=1)).to_be_visible()
    page.get_by_role("link", name="Établissements et sites").click()
    expect(page.get_by_text("Clinique du Parc SAS")).to_be_visible()
    expect(page.get_by_text("CHU de Valmont")).to_have_count(0)


def test_administrator_invites_and_the_guest_accepts(page: Page, live_server, browser, settings,
                                                     tmp_path) -> None:
    org = OrganizationFactory(name="CH de Valmont")
    admin = MembershipFactory(organization=org, role=Role.ADMINISTRATOR).user
    login(page, live_server, admin.email)
    with mail_worker("MAIL_QUEUE", settings, tmp_path) as worker:
        page.goto(f"{live_server.url}/o/{org.slug}/membres/")
        page.get_by_role("button", name="Inviter quelqu'un").click()
        page.get_by_label("Adresse e-mail").fill("pharmacien@ch-valmont.example")
        page.get_by_label("Rôle").select_option(label="Responsable métier")
        page.get_by_role("button", name="Envoyer l'invitation").click()
        expect(page.get_by_text("Invitation envoyée à pharmacien@ch-valmont.example.")).to_be_visible()
        expect(page.get_by_role("cell", name="pharmacien@ch-valmont.example")).to_be_visible()
        wait_for(lambda: worker_mails(worker), timeout=90, message=worker.output)
        (invitation_mail,) = worker_mails(worker)

    # The guest follows the link of the e-mail the worker sent.
    invitation = Invitation.objects.get(email="pharmacien@ch-valmont.example")
    assert invitation_mail["To"] == "pharmacien@ch-valmont.example"
    link = re.search(r"https?://\S+/invitation/[\w-]+/", body(invitation_mail)).group(0)
    assert invitation.token in link
    guest = browser.new_context(locale="fr-FR").new_page()
    guest.goto(f"{live_server.url}/invitation/{invitation.token}/")
    expect(guest.get_by_text("Responsable métier")).to_be_visible()
    guest.get_by_label("Prénom").fill("Marc")
    guest.get_by_label("Nom :", exact=True).fill("Rousseau")
    guest.get_by_label("Mot de passe :", exact=True).fill("Pharmacie-Continuite-2026")
    guest.get_by_label("Mot de passe (confirmation) :").fill("Pharmacie-Continuite-2026")
    guest.get_by_role("button", name="Créer mon compte et rejoindre").click()
    expect(guest.get_by_text("Bienvenue dans CH de Valmont.")).to_be_visible()
    assert Membership.objects.get(organization=org, user__email="pharmacien@ch-valmont.example").role == Role.BUSINESS_OWNER
