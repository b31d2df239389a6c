"""In Chromium: a consultant creates a client from the portfolio (adding a row, correcting a refused FINESS),
then copies scales and a plan skeleton from another client after the preview; every page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from apps.continuity.models import Plan
from apps.tenants.models import Organization
from tests.browser.axe import axe_run, describe
from tests.browser.helpers import login
from tests.factories import OrganizationFactory
from tests.onboarding.helpers import consultant_of, filled_source, grant_onboarding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_serious_violations(page: Page) -> None:
    violations = axe_run(page)
    assert not violations, describe(page.url, violations)


def test_a_consultant_creates_a_client_and_copies_templates_into_it(page: Page, live_server) -> None:
    source = filled_source()
    consultant = grant_onboarding(consultant_of(source["org"]))
    login(page, live_server, consultant.email)
    page.goto(f"{live_server.url}/portefeuille/?all=1")
    page.get_by_role("button", name="Nouvelle organisation").click()
    expect(page.get_by_role("heading", name="Nouvelle organisation", level=1)).to_be_visible()
    _no_serious_violations(page)

    page.get_by_label("Nom de l'organisation").fill("GHT Val de Loire")
    page.get_by_label("Type de candidat").select_option("ght")
    page.get_by_label("Région (ARS)").select_option("CVL")
    page.get_by_label("Adresse e-mail de son premier administrateur").fill("direction@ch-amboise.example")
    page.locator('[name="establishments-0-name"]').fill("CH d'Amboise")
    page.locator('[name="establishments-0-finess_ej"]').fill("370000051")
    page.locator('[name="establishments-0-activity_share"]').fill("60")
    page.get_by_role("button", name="Ajouter un établissement").click()
    expect(page.locator('[name="establishments-1-name"]')).to_be_focused()
    page.locator('[name="establishments-1-name"]').fill("CH de Loches")
    page.locator('[name="establishments-1-finess_ej"]').fill("370000052")  # wrong check key
    page.locator('[name="establishments-1-activity_share"]').fill("40")
    page.locator('[name="sites-0-establishment_finess"]').fill("370000051")
    page.locator('[name="sites-0-name"]').fill("Site principal")
    page.locator('[name="sites-0-finess_eg"]').fill("370000077")
    page.get_by_role("button", name="Créer l'organisation").click()

    expect(page.get_by_text("La clé de contrôle de ce numéro FINESS est fausse")).to_be_visible()
    expect(page.locator('[name="establishments-1-name"]')).to_have_value("CH de Loches")  # nothing typed is lost
    expect(page.locator('[name="sites-0-name"]')).to_have_value("Site principal")
    _no_serious_violations(page)
    page.locator('[name="establishments-1-finess_ej"]').fill("370000069")
    page.get_by_role("button", name="Créer l'organisation").click()
    expect(page.get_by_text("GHT Val de Loire créée")).to_be_visible()
    new = Organization.objects.get(name="GHT Val de Loire")

    page.get_by_role("link", name="Copier depuis un autre client").click()
    expect(page.get_by_role("heading", name="Copier depuis un autre client")).to_be_visible()
    _no_serious_violations(page)
    page.get_by_label("Copier depuis").select_option(label=source["org"].name)
    page.get_by_label("Échelles d'impact (critères avec leurs niveaux, horizons de temps)").check()
    page.get_by_label("Catalogue d'activités du BIA, tel qu'adapté").check()
    page.get_by_label("Squelettes de plans (périmètre, scénarios, modes dégradés, fiches réflexes)").check()
    page.get_by_label("Établissement qui reçoit les activités et les périmètres des plans").select_option(
        label="CH d'Amboise")
    page.get_by_role("button", name="Prévisualiser la copie").click()
    expect(page.get_by_role("cell", name="Critère « Impact environnemental »")).to_be_visible()
    expect(page.get_by_role("cell", name="PCA Urgences")).to_be_visible()
    _no_serious_violations(page)
    assert not Plan.objects.filter(organization=new).exists()  # the preview wrote nothing
    page.get_by_role("button", name="Confirmer la copie").click()
    expect(page.get_by_text("éléments copiés")).to_be_visible()
    assert Plan.objects.filter(organization=new, title="PCA Urgences").exists()


def test_on_a_phone_the_onboarding_pages_fit_the_screen(browser, live_server, tmp_path) -> None:
    """390 × 844: the heading above the fold and no sideways scrolling of the page (the establishments' and
    sites' rows scroll inside their box), on the creation form and on the copy page."""
    source = filled_source()
    consultant = grant_onboarding(consultant_of(source["org"]))
    target = OrganizationFactory(name="Clinique du Parc", slug="clinique-parc")
    consultant_of(target, user=consultant)
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, live_server, consultant.email)
    for path, title in (("/portefeuille/nouvelle-organisation/", "Nouvelle organisation"),
                        (f"/o/{target.slug}/modeles/copier/", "Copier depuis un autre client")):
        page.goto(f"{live_server.url}{path}")
        heading = page.get_by_role("heading", name=title, level=1)
        expect(heading).to_be_visible()
        box = heading.bounding_box()
        assert box is not None and box["y"] < 844, (path, box)
        page.screenshot(path=str(tmp_path / f"{title[:8]}-390.png"), full_page=True)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, path
    context.close()
