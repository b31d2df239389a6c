"""The action plan in Debian's Chromium: an RPCRA creates an action from a BIA gap and assigns it, the owner marks it
done with a proof, the gap stays until the capability changes, the direction sees the overdue counter move."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from apps.actions.models import Action, Status
from apps.compliance.pdf import minimal_pdf
from apps.tenants.models import Establishment
from apps.tenants.roles import Role
from tests.bia.factories import ActivityDependencyFactory, ActivityFactory, ResourceFactory
from tests.browser.helpers import login
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _organization():
    org = OrganizationFactory(name="CH de Valmont")
    EstablishmentFactory(organization=org, name="CH de Valmont")
    activity = ActivityFactory(establishment=Establishment.objects.filter(organization=org).first(), name="Urgences",
                               dmia_override_hours=4, dmia_override_justification="Urgences vitales", pdma_hours=1,
                               criticality="critical")
    dpi = ResourceFactory(organization=org, name="DPI Valmont", rto_capability_hours=24, rpo_capability_hours=1)
    ActivityDependencyFactory(activity=activity, resource=dpi)
    return org, dpi


@pytest.fixture
def open_as(browser: Browser, live_server):
    """Another member's browser (their own context, closed at the end of the test)."""
    contexts = []

    def open_page(email: str) -> Page:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        login(page, live_server, email)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _counter(page: Page, name: str):
    return page.locator(f'[data-counter="{name}"] strong')


def test_an_action_from_a_gap_to_its_proof_while_the_gap_stands(page: Page, open_as, live_server, tmp_path) -> None:
    org, dpi = _organization()
    rpcra = MembershipFactory(organization=org, role=Role.RPCRA).user
    owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER,
                              user=UserFactory(first_name="Karim", last_name="Benali"))
    direction = MembershipFactory(organization=org, role=Role.DIRECTION).user
    base = f"{live_server.url}/o/{org.slug}"

    boss = open_as(direction.email)
    boss.goto(f"{base}/actions/direction/")
    expect(_counter(boss, "overdue")).to_have_text("0")

    # The RPCRA finds the gap and creates the action from it: pre-filled with the gap's words and priority.
    login(page, live_server, rpcra.email)
    page.goto(f"{base}/bia/ecarts/")
    gap = page.locator("article.gap-row", has_text="DPI Valmont")
    gap.get_by_role("link", name="Créer une action").click()
    expect(page.get_by_test_id("source")).to_contain_text("DPI Valmont")
    expect(page.locator("[name=title]")).to_have_value("Ramener le délai de reprise de DPI Valmont dans le besoin")
    expect(page.locator("[name=priority]")).to_have_value("critical")
    # Recorded late (a decision of last month's COPIL): a past due date, entered after the fact.
    past = timezone.localdate() - datetime.timedelta(days=7)
    page.locator("[name=due_date]").fill(past.isoformat())
    page.locator("[name=retro_entered]").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("PA-001")
    expect(page.get_by_test_id("source-state")).to_contain_text("l'écart persiste")
    action = Action.objects.get(organization=org)
    assert (action.source_kind, action.source_id, action.source_key) == ("bia_gap", dpi.pk, "rto")

    # Then assigns it.
    page.get_by_role("link", name="Modifier").click()
    page.locator("[name=owner_member]").select_option(str(owner.pk))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_test_id("owner")).to_have_text("Karim Benali")
    # A second « Créer une action » on the same gap warns that one exists.
    page.goto(f"{base}/bia/ecarts/")
    expect(page.locator("article.gap-row", has_text="DPI Valmont")).to_contain_text("PA-001")
    page.locator("article.gap-row", has_text="DPI Valmont").get_by_role("link", name="Créer une autre action").click()
    expect(page.get_by_test_id("duplicate-warning")).to_contain_text("PA-001")

    boss.reload()
    expect(_counter(boss, "overdue")).to_have_text("1")
    expect(boss.locator("table.late-owners")).to_contain_text("Karim Benali")

    # The owner, a business owner, finds it in « Mes actions » and marks it done with a proof.
    mine = open_as(owner.user.email)
    mine.goto(f"{base}/actions/mes-actions/")
    row = mine.locator(f'tr[data-action="{action.pk}"]')
    expect(row).to_contain_text("en retard")
    row.get_by_role("link", name="Mettre à jour").click()
    mine.locator("[name=status]").select_option("done")
    proof = tmp_path / "pv-engagement-reprise.pdf"
    proof.write_bytes(minimal_pdf("Engagement de reprise"))
    mine.locator("[name=proof_upload]").set_input_files(str(proof))
    mine.locator("[name=note]").fill("Avenant signé avec l'éditeur : reprise sous 4 h.")
    mine.get_by_role("button", name="Enregistrer").click()
    expect(mine.get_by_test_id("proof")).to_contain_text("Preuve de clôture — PA-001")
    action.refresh_from_db()
    assert action.status == Status.DONE and action.proof_evidence_id is not None

    boss.reload()
    expect(_counter(boss, "overdue")).to_have_text("0")
    expect(_counter(boss, "done_this_month")).to_have_text("1")

    # Done is not resolved: the gap still shows, with its done action, until the capability changes.
    page.goto(f"{base}/bia/ecarts/")
    expect(page.locator("article.gap-row", has_text="DPI Valmont")).to_contain_text("Fait")
    page.goto(f"{base}/actions/{action.pk}/")
    expect(page.get_by_test_id("source-state")).to_contain_text("l'écart persiste")
    page.goto(f"{base}/bia/ressources/{dpi.pk}/modifier/")
    page.locator("[name=rto_capability_hours]").fill("4")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/bia/ecarts/")
    expect(page.locator("main")).not_to_contain_text("DPI Valmont")
    page.goto(f"{base}/actions/{action.pk}/")
    expect(page.get_by_test_id("source-state")).to_contain_text("l'écart est résolu")
