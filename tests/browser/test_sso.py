"""Single sign-on as people use it, in Debian's Chromium: the administrator adds a SAML 2.0 provider from its
metadata and reads what to declare at the IdP; on the login page, typing an address of its domain offers
« Se connecter avec … » under the form while the password login stays. axe-core on each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.tenants.roles import Role
from tests.browser.axe import axe_run, describe
from tests.browser.helpers import login
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory
from tests.sso.saml_idp import LocalSamlIdp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_serious_violation(page: Page) -> None:
    violations = axe_run(page)
    assert not violations, describe(page.url, violations)


def test_saml_provider_from_metadata_then_domain_routing_on_the_login_page(page: Page, live_server, browser) -> None:
    org = OrganizationFactory(name="GHT des Rives")
    admin = MembershipFactory(organization=org, role=Role.ADMINISTRATOR).user
    member = MembershipFactory(organization=org, role=Role.RPCRA, user__email="cellule@chu-valmont.fr").user
    idp = LocalSamlIdp()
    login(page, live_server, admin.email)
    page.goto(f"{live_server.url}/o/{org.slug}/sso/")
    page.get_by_role("link", name="Ajouter un fournisseur SAML 2.0").click()
    _no_serious_violation(page)
    page.get_by_label("nom affiché sur la page de connexion").fill("ADFS du GHT")
    page.get_by_label("métadonnées de l'IdP (XML)").fill(idp.metadata())
    page.get_by_label("domaines de messagerie").fill("chu-valmont.fr")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="ADFS du GHT", level=1)).to_be_visible()
    expect(page.get_by_test_id("sp-metadata")).to_contain_text("/compte/saml/")
    expect(page.get_by_text(idp.entity_id)).to_be_visible()
    _no_serious_violation(page)

    context = browser.new_context(locale="fr-FR")
    visitor = context.new_page()
    visitor.goto(f"{live_server.url}/compte/login/")
    visitor.get_by_label("Adresse e-mail").fill(member.email)
    offer = visitor.get_by_role("button", name="Se connecter avec ADFS du GHT")
    expect(offer).to_be_visible()
    _no_serious_violation(visitor)
    # The crisis cell's way in when the directory is down: the password, on the same page.
    visitor.get_by_label("Mot de passe").fill(PASSWORD)
    visitor.get_by_role("button", name="Se connecter", exact=True).click()
    expect(visitor).to_have_url(re.compile(rf"/o/{org.slug}/$"))
    context.close()
