"""The governance as an RPCRA, a reader and an outsider use it, in Debian's Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.tenants.roles import Role
from tests.browser.helpers import login, switch_user
from tests.compliance.factories import EvidenceFactory
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def governance_percent(page: Page) -> int:
    text = page.locator('[data-stage="governance"] [data-testid="stage-percent"]').inner_text()
    return int(re.sub(r"\D", "", text))


def test_rpcra_sets_up_the_crisis_cell_and_a_copil_meeting(page: Page, live_server) -> None:
    org = OrganizationFactory(name="CH de Valmont")
    EstablishmentFactory(organization=org)
    rpcra = MembershipFactory(organization=org, role=Role.RPCRA).user
    login(page, live_server, rpcra.email)
    base = f"{live_server.url}/o/{org.slug}"

    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Votre parcours CaRE Domaine 2")).to_be_visible()
    before = governance_percent(page)
    assert before == 0
    # Stages no app provides yet are announced, not hidden (which ones depends on the apps installed).
    upcoming = page.locator(".journey > li.upcoming")
    if upcoming.count():
        expect(upcoming.first).to_contain_text("à venir")

    # Cellule de crise: a role with its holder and a deputy.
    page.goto(f"{base}/gouvernance/cellule-de-crise/")
    page.get_by_role("button", name="Ajouter un rôle").click()
    page.get_by_label(re.compile(r"^Rôle\W*$")).select_option(label="Directeur de crise")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Enregistré.")).to_be_visible()
    card = page.locator('[data-role="director"]')
    expect(card).to_contain_text("sans titulaire")
    card.get_by_role("link", name="Désigner le titulaire").click()
    page.get_by_label("Nom (si ce n'est pas un membre)").fill("Isabelle Lefèvre")
    page.get_by_label("Téléphone").fill("06 70 12 34 56")
    page.get_by_role("button", name="Enregistrer").click()
    expect(card).to_contain_text("sans suppléant")
    card.get_by_role("link", name="Ajouter un suppléant").click()
    page.get_by_label("Nom (si ce n'est pas un membre)").fill("Pierre Vasseur")
    page.get_by_role("button", name="Enregistrer").click()
    # A deputy nobody can call does not complete the role: give him a number.
    expect(card).to_contain_text("aucun suppléant avec un numéro valide")
    card.get_by_role("link", name="Modifier", exact=True).nth(1).click()
    page.get_by_label("Téléphone").fill("abc")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("chiffres uniquement")).to_be_visible()
    page.get_by_label("Téléphone").fill("+33 6 71 22 33 44")
    page.get_by_role("button", name="Enregistrer").click()
    expect(card).to_contain_text("complet")
    expect(card).to_contain_text("Pierre Vasseur")
    expect(card.get_by_role("link", name="06 71 22 33 44")).to_have_attribute("href", "tel:+33671223344")

    # A COPIL meeting and its decision.
    page.goto(f"{base}/gouvernance/copil/")
    page.get_by_role("button", name="Enregistrer une réunion du COPIL").click()
    page.get_by_label("Date").fill("2026-03-12")
    page.get_by_label("Titre").fill("COPIL de lancement")
    page.get_by_label(re.compile(r"^Compte rendu\W*$")).fill("Présentation de la méthode BIA.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name=re.compile("Réunion du COPIL du 12 mars 2026"))).to_be_visible()
    page.get_by_role("button", name="Enregistrer une décision").click()
    page.get_by_label("Décision").fill("Lancer la campagne BIA sur les urgences")
    page.get_by_label("Responsable").fill("RPCRA")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("cell", name="Lancer la campagne BIA sur les urgences")).to_be_visible()

    # The journey shows the progress.
    page.goto(f"{base}/")
    after = governance_percent(page)
    assert after > before
    page.locator('[data-stage="governance"] details summary').click()
    expect(page.locator('[data-stage="governance"]')).not_to_contain_text("Enregistrer au moins une réunion du COPIL")


def test_reader_cannot_edit(page: Page, live_server) -> None:
    org = OrganizationFactory(name="CH de Valmont")
    reader = MembershipFactory(organization=org, role=Role.READER).user
    login(page, live_server, reader.email)
    base = f"{live_server.url}/o/{org.slug}"
    page.goto(f"{base}/gouvernance/cellule-de-crise/")
    expect(page.get_by_role("heading", name="Cellule de crise", level=1)).to_be_visible()
    expect(page.get_by_text("Ajouter un rôle")).to_have_count(0)
    response = page.goto(f"{base}/gouvernance/cellule-de-crise/roles/nouveau/")
    assert response is not None and response.status == 403
    response = page.goto(f"{base}/gouvernance/organisation/")
    assert response is not None and response.status == 403


def test_evidence_download_refused_to_outsiders_and_members_without_the_capability(
        page: Page, live_server) -> None:
    org = OrganizationFactory(name="CH de Valmont")
    other = OrganizationFactory(name="Clinique voisine")
    evidence = EvidenceFactory(organization=org, title="PSSI v3")
    outsider = MembershipFactory(organization=other, role=Role.ADMINISTRATOR).user
    owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER).user
    url = f"{live_server.url}/o/{org.slug}/conformite/pieces/{evidence.pk}/telecharger/"
    login(page, live_server, outsider.email)
    assert page.goto(url).status == 404
    switch_user(page, live_server, owner.email)
    assert page.goto(url).status == 403
