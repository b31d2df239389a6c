"""The dependencies step's search field in Debian's Chromium: a business owner finds a resource among 206 with
the keyboard only (type, ↓, Enter, Enter), and the step has no serious axe-core violation, list open or closed."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from apps.bia import services
from apps.bia.models import ActivityDependency, Resource
from apps.tenants.roles import Role
from tests.bia.factories import activity_in
from tests.browser.axe import axe_run, describe
from tests.browser.helpers import login
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_business_owner_chooses_a_dependency_with_the_keyboard(page: Page, live_server) -> None:
    with scopes_disabled():
        org = OrganizationFactory(name="CH de Valmont")
        EstablishmentFactory(organization=org, name="CH de Valmont")
        services.scales_ensure_defaults(organization=org)
        owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER).user
        activity = activity_in(org, name="Néphrologie")
        services.activity_assign_owner(activity=activity, actor=None, owner=owner)
        Resource.objects.bulk_create([Resource(organization=org, kind=Resource.Kind.APPLICATION, name=f"Poste {i:03d}")
                                      for i in range(205)])
        Resource.objects.create(organization=org, kind=Resource.Kind.BIOMEDICAL, name="Générateur d'hémodialyse")
    login(page, live_server, owner.email)
    url = f"{live_server.url}/o/{org.slug}/bia/activites/{activity.pk}/questionnaire/4/"
    page.goto(url)
    box = page.get_by_role("combobox", name="Ressource")
    expect(box).to_have_attribute("aria-expanded", "false")
    violations = axe_run(page)
    assert not violations, describe(url, violations)

    box.focus()
    page.keyboard.type("hemodialyse")  # no accent typed
    option = page.get_by_role("listbox").get_by_role("option", name="Générateur d'hémodialyse (Équipement biomédical)")
    expect(option).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    violations = axe_run(page)
    assert not violations, describe(url + " (list open)", violations)
    page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id") or "")
    page.keyboard.press("Enter")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("Générateur d'hémodialyse (Équipement biomédical)")
    page.keyboard.press("Enter")  # submits « Ajouter cette ressource »
    expect(page.get_by_text("Dépendance enregistrée.")).to_be_visible()
    expect(page.get_by_role("cell", name="Générateur d'hémodialyse")).to_be_visible()
    with scopes_disabled():
        assert list(ActivityDependency.objects.filter(activity=activity).values_list("resource__name", flat=True)) == [
            "Générateur d'hémodialyse"]
