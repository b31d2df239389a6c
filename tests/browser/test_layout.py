"""Issue 17, layout: axe-core on the main pages of every role (demo data), the phone layout (390 × 844), the
disclosure menu, drop-downs wide enough for their labels, focus ring, error pages in production."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from apps.tenants.roles import Role
from tests.browser.axe import axe_run, describe
from tests.browser.helpers import login
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GHT = "ght-rives-de-loire"


def _first(model: str, **filters):
    from django.apps import apps

    with scopes_disabled():
        return apps.get_model(model).objects.filter(**filters).order_by("pk").first()


def _pages() -> dict[str, list[str]]:
    """Around twenty main pages, each as the role that works on it (demo users of apps/tenants/demo.py)."""
    from apps.tenants.models import Organization

    with scopes_disabled():
        ght = Organization.objects.get(slug=GHT)
    o = {"org_slug": GHT}
    activity = _first("bia.Activity", organization=ght)
    resource = _first("bia.Resource", organization=ght)
    plan = _first("continuity.Plan", organization=ght)
    owned = _first("bia.Activity", organization=ght, owner__email="chef.urgences@ght-rives-de-loire.example")
    rpcra = [reverse(name, kwargs=o) for name in (
        "tenants:home", "bia:activities", "bia:resources", "bia:gaps", "bia:matrix", "continuity:plans",
        "continuity:coverage", "backups:overview", "exercises:list", "actions:list", "compliance:requirements",
        "compliance:evidence-list", "exports:list", "governance:overview", "governance:crisis-cell")]
    rpcra += [reverse("bia:activity-detail", kwargs={**o, "pk": activity.pk}),
              reverse("bia:resource-detail", kwargs={**o, "pk": resource.pk}),
              reverse("continuity:plan-detail", kwargs={**o, "pk": plan.pk}),
              reverse("search:results", kwargs=o) + "?q=urgences"]
    # The pages of the second phase: declaration, costs, crisis, imports, notifications.
    rpcra += [reverse(name, kwargs=o) for name in (
        "declaration:page", "costs:list", "crisis:list", "imports:start", "notifications:list",
        "notifications:preferences")]
    pages = {
        "rpcra@ght-rives-de-loire.example": rpcra,
        "direction@ght-rives-de-loire.example": [reverse("tenants:home", kwargs=o),
                                                 reverse("actions:direction", kwargs=o)],
        "admin@ght-rives-de-loire.example": [reverse(name, kwargs=o) for name in (
            "tenants:members", "apitokens:tokens", "sso:providers")],
        "consultant@cabinet-continuite.example": [reverse("portfolio")],
        "chef.urgences@ght-rives-de-loire.example": [reverse("bia:my-activities", kwargs=o)],
    }
    if owned is not None:
        pages["chef.urgences@ght-rives-de-loire.example"].append(
            reverse("bia:questionnaire", kwargs={**o, "pk": owned.pk, "step": 1}))
        # The dependencies step: two forms (resource, upstream activity) with fields of the same names.
        pages["chef.urgences@ght-rives-de-loire.example"].append(
            reverse("bia:questionnaire", kwargs={**o, "pk": owned.pk, "step": 4}))
    return pages


def test_main_pages_of_every_role_have_no_serious_axe_violation(page: Page, live_server, settings, browser) -> None:
    call_command("seed_demo", verbosity=0)
    password = settings.RESILIS_DEMO_PASSWORD
    problems, visited = [], 0
    for email, urls in _pages().items():
        context = browser.new_context(locale="fr-FR", viewport={"width": 1440, "height": 900})
        tab = context.new_page()
        login(tab, live_server, email, password)
        for url in urls:
            response = tab.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == 200, f"{email} {url}: {response and response.status}"
            tab.wait_for_load_state("networkidle")
            violations = axe_run(tab)
            visited += 1
            if violations:
                problems.append(describe(url, violations))
        context.close()
    print(f"axe-core: {visited} pages, {sum(p.count(chr(10)) + 1 for p in problems)} serious/critical nodes")
    assert visited >= 20
    assert not problems, "\n".join(problems)


def test_phone_first_heading_above_the_fold_and_menu_disclosure(browser, live_server, tmp_path) -> None:
    org = OrganizationFactory(name="Groupement hospitalier de territoire des Rives de Loire et du Val d'Authion",
                              kind="ght")
    EstablishmentFactory(organization=org, name="CHU de Valmont")
    user = MembershipFactory(organization=org, role=Role.RPCRA).user
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, live_server, user.email)
    page.goto(f"{live_server.url}/o/{org.slug}/")
    heading = page.get_by_role("heading", level=1).first
    expect(heading).to_be_visible()
    box = heading.bounding_box()
    page.screenshot(path=str(tmp_path / "home-390.png"))  # kept by pytest's tmp_path for a look
    assert box is not None and box["y"] < 844, box
    # The organization selector stays on one line.
    summary = page.locator("details.org-switcher summary")
    line = float(summary.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert summary.bounding_box()["height"] < 2.5 * line
    # The journey is behind « Menu », a disclosure that the keyboard opens and Escape closes.
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("navigation", name="Parcours CaRE")).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    nav = page.get_by_role("navigation", name="Parcours CaRE")
    expect(nav).to_be_visible()
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    # The focus ring: a solid outline of at least 3:1 against white.
    outline = toggle.evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineColor,"
                              " parseFloat(getComputedStyle(e).outlineWidth)]")
    assert outline[0] == "solid" and outline[2] >= 2, outline
    assert _contrast_with_white(outline[1]) >= 3, outline
    # Wide tables scroll inside their box: the page itself never scrolls sideways.
    page.goto(f"{live_server.url}/o/{org.slug}/exports/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    context.close()


def test_drop_downs_show_their_whole_label(page: Page, live_server) -> None:
    org = OrganizationFactory(name="GHT Rives de Loire", kind="ght")
    EstablishmentFactory(organization=org, name="Centre hospitalier universitaire de Valmont")
    EstablishmentFactory(organization=org, name="CH de Saint-Aubin")
    user = MembershipFactory(organization=org, role=Role.RPCRA).user
    login(page, live_server, user.email)
    page.goto(f"{live_server.url}/o/{org.slug}/bia/")
    for select in page.locator("form.bia-filters select").all():
        # The control is at least as wide as the text of its longest option plus the arrow's room.
        fits = select.evaluate("""s => {
            const c = document.createElement("canvas").getContext("2d");
            c.font = getComputedStyle(s).font;
            const longest = Math.max(...[...s.options].map(o => c.measureText(o.text).width));
            const st = getComputedStyle(s);
            return s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) >= longest - 1;
        }""")
        assert fits, select.evaluate("s => s.name")
    # « Filtrer » sits on the bottom line of the fields of its row (or starts a row of its own when they fill one).
    button = page.locator("form.bia-filters button").bounding_box()
    bottoms = [box["y"] + box["height"] for box in
               (field.bounding_box() for field in page.locator("form.bia-filters select, form.bia-filters input").all())]
    button_bottom = button["y"] + button["height"]
    assert any(abs(button_bottom - bottom) <= 2 for bottom in bottoms) or button["y"] >= max(bottoms), (button, bottoms)


def _contrast_with_white(css_colour: str) -> float:
    r, g, b = (int(x) for x in re.findall(r"\d+", css_colour)[:3])

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (lum + 0.05)
