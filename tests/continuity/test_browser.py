"""A continuity plan as the RPCRA, the director and a reader use it, in Debian's Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.bia.models import Resource
from apps.tenants.roles import Role
from tests.bia.factories import ActivityDependencyFactory, ResourceDependencyFactory, activity_in
from tests.browser.helpers import login, switch_user
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_rpcra_builds_a_plan_the_director_approves_and_an_edit_makes_version_2(page: Page, live_server) -> None:
    org = OrganizationFactory(name="CH de Valmont")
    EstablishmentFactory(organization=org, name="CH de Valmont")
    rpcra = MembershipFactory(organization=org, role=Role.RPCRA).user
    director = MembershipFactory(organization=org, role=Role.DIRECTION).user
    reader = MembershipFactory(organization=org, role=Role.READER).user
    urgences = activity_in(org, name="Accueil des urgences", care_perimeter="care_service", criticality="critical",
                           dmia_override_hours=4, dmia_override_justification="Urgences vitales")
    dpi = ActivityDependencyFactory(organization=org, activity=urgences, resource__organization=org,
                                    resource__name="DPI", resource__rto_capability_hours=4).resource
    ResourceDependencyFactory(organization=org, resource=dpi, depends_on__name="Active Directory",
                              depends_on__kind=Resource.Kind.INFRASTRUCTURE, depends_on__rto_capability_hours=24)
    page.on("dialog", lambda dialog: dialog.accept())
    base = f"{live_server.url}/o/{org.slug}/plans"

    # The RPCRA starts from the BIA: the care service perimeter is proposed with its activity.
    login(page, live_server, rpcra.email)
    page.goto(f"{base}/")
    page.get_by_role("button", name="Créer un plan à partir du BIA").first.click()
    expect(page.get_by_role("heading", name="Périmètres minimaux CaRE")).to_be_visible()
    page.get_by_label("Titre").fill("PCA Urgences — SI indisponible")
    page.get_by_label("Périmètre CaRE").select_option(label="Service de soins à impact patient majeur")
    activities_filter = page.get_by_role("searchbox", name="Filtrer les activités…")
    activities_filter.fill("maternité")
    expect(page.get_by_text("Aucune correspondance")).to_be_visible()
    expect(page.get_by_label("Accueil des urgences")).to_be_hidden()
    activities_filter.fill("urgences")
    page.get_by_label("Accueil des urgences").check()
    expect(page.get_by_label("Système d'information indisponible")).to_be_checked()
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # Pre-filled from the BIA: the activity, its dependency and the gap to address.
    expect(page.get_by_role("heading", name="Ce que dit le BIA")).to_be_visible()
    expect(page.locator("table")).to_contain_text("DPI")
    expect(page.locator(".gap").first).to_contain_text("Active Directory")
    page.get_by_role("button", name="Passer aux modes dégradés").click()

    # Degraded mode.
    page.get_by_label(re.compile(r"^Activité\W*$")).select_option(label="Accueil des urgences")
    page.get_by_label(re.compile(r"^Scénario\W*$")).select_option(label="Système d'information indisponible")
    page.get_by_label("Déclencheur et seuil d'activation").fill("DPI inaccessible plus de 30 minutes")
    page.get_by_label("Qui décide").fill("Médecin senior des urgences")
    page.get_by_label("Procédure pas à pas").fill("1. Ouvrir le kit dégradé\n2. Dossiers papier")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # Fiche réflexe.
    expect(page.get_by_role("heading", name="Fiches réflexes")).to_be_visible()
    page.get_by_label("Rôle").fill("IOA")
    page.get_by_label("Premières actions, dans l'ordre").fill("Ouvrir le registre des entrées\nTrier sur papier")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # Recovery sequence proposed from the BIA: infrastructure before the application.
    page.get_by_role("button", name="Proposer la séquence à partir du BIA").click()
    rows = page.locator("table tbody tr")
    expect(rows.nth(0)).to_contain_text("Active Directory")
    expect(rows.nth(1)).to_contain_text("DPI")
    page.get_by_role("button", name="Continuer", exact=True).click()
    page.get_by_label("Communication à l'ARS").fill("Signalement à l'ARS dans l'heure")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.get_by_role("button", name="Soumettre à approbation").click()
    expect(page.locator("h1")).to_contain_text("Soumis à approbation")
    # The RPCRA cannot approve.
    expect(page.get_by_role("button", name="Approuver")).to_have_count(0)
    plan_url = page.url

    # The director approves: version 1 is frozen with approver and date.
    switch_user(page, live_server, director.email)
    page.goto(plan_url)
    # The return to nominal was left empty: the checklist says so and approving needs the acknowledgement.
    expect(page.locator(".checklist")).to_contain_text("Retour au nominal non décrit.")
    page.get_by_label(re.compile("J'approuve ce plan en connaissance")).check()
    page.get_by_role("button", name="Approuver").click()
    expect(page.get_by_text("La version 1 est approuvée et figée.")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("v1 — Approuvé")

    # The RPCRA edits the approved plan: version 2 is created as a draft.
    switch_user(page, live_server, rpcra.email)
    page.goto(plan_url)
    page.get_by_role("button", name="Modifier (crée une nouvelle version)").click()
    page.wait_for_url(f"{plan_url}etapes/3/")
    page.get_by_role("link", name="Rédigé").click()
    expect(page.get_by_text("Cette version est approuvée et figée")).to_be_visible()
    page.get_by_label("Qui décide").fill("Administrateur de garde")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Mode dégradé enregistré.")).to_be_visible()  # saved before we leave the page
    page.goto(plan_url)
    expect(page.locator("h1")).to_contain_text("v2 — Brouillon")
    page.get_by_role("link", name="Comparer les versions").click()
    expect(page.locator("table.diff del")).to_contain_text("Médecin senior des urgences")
    expect(page.locator("table.diff ins")).to_contain_text("Administrateur de garde")

    # The printable crisis kit is still the approved version 1.
    page.goto(f"{plan_url}imprimer/")
    expect(page.get_by_text("Médecin senior des urgences")).to_be_visible()
    expect(page.get_by_role("heading", name="Fiche réflexe — IOA")).to_be_visible()

    # A reader sees the plan but cannot edit or approve it.
    switch_user(page, live_server, reader.email)
    page.goto(plan_url)
    expect(page.locator("h1")).to_contain_text("PCA Urgences")
    expect(page.get_by_role("button", name="Continuer la rédaction")).to_have_count(0)
    response = page.goto(f"{plan_url}etapes/3/")
    assert response is not None and response.status == 403

    # The coverage matrix shows the approved degraded mode and the gaps.
    page.goto(f"{base}/couverture/")
    expect(page.locator("table.coverage td.covered")).to_have_count(1)
    expect(page.locator("table.coverage td.gap")).to_have_count(3)
