"""The crisis day in Debian's Chromium: the director activates a crisis, the live page counts the DMIA down, the
RPCRA ticks a fiche réflexe action and moves a system along the recovery board, an entry typed while the browser
is offline reaches the main courante when it is back, the director closes the crisis and its report is produced;
the single-file HTML kit opens from the disk (file://) without one network request."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from apps.bia.models import ActivityDependency
from apps.crisis import documents
from apps.crisis.models import Crisis, CrisisLogEntry, KitCopy, RecoveryProgress, ReflexTick
from apps.tenants.roles import Role
from tests.bia.factories import ResourceFactory
from tests.browser.helpers import login
from tests.crisis.factories import copy_in, plan_with_sheet, urgences
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_crisis_day_from_activation_to_report(page: Page, browser, live_server, tmp_path: Path) -> None:
    org = OrganizationFactory(name="CH de Valmont", slug="ch-valmont-crise")
    EstablishmentFactory(organization=org, name="CH de Valmont")
    director = MembershipFactory(organization=org, role=Role.DIRECTION).user
    rpcra_membership = MembershipFactory(organization=org, role=Role.RPCRA)
    activity = urgences(org)
    ActivityDependency.objects.create(organization=org, activity=activity, resource=ResourceFactory(
        organization=org, name="DPI", kind="application"))
    plan_with_sheet(org, title="PCA Urgences — SI indisponible", activities=[activity], recovery=True)
    page.on("dialog", lambda dialog: dialog.accept())
    base = f"{live_server.url}/o/{org.slug}/crise"

    # The director activates, with the confirmation.
    login(page, live_server, director.email)
    page.goto(f"{base}/")
    page.get_by_role("button", name="Déclencher une crise").click()
    expect(page.get_by_text("Prévenus par e-mail uniquement")).to_be_visible()
    page.get_by_label("Titre").fill("Rançongiciel — DPI indisponible")
    page.locator("#id_scenario").select_option(index=1)
    page.get_by_label(re.compile(r"PCA Urgences — SI indisponible — v1")).check()
    page.get_by_role("button", name="Déclencher la crise").click()
    assert Crisis.objects.count() == 0  # no confirmation ticked: nothing activated
    page.get_by_label(re.compile("Je confirme")).check()
    page.get_by_role("button", name="Déclencher la crise").click()
    expect(page.get_by_role("heading", name="Rançongiciel — DPI indisponible")).to_be_visible()
    crisis = Crisis.objects.get()
    assert crisis.activated_by == director and crisis.is_active
    clock = page.locator(".crisis-clock", has_text="Urgences")
    expect(clock).to_contain_text("DMIA 4 h")
    expect(clock.locator(".left")).to_have_text(re.compile(r"^3 h 5\d min \d\d s$"))

    # The RPCRA, on another device: a fiche réflexe action and a recovery step.
    other = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})  # a phone
    rpcra = other.new_page()
    rpcra.on("dialog", lambda dialog: dialog.accept())
    login(rpcra, live_server, rpcra_membership.user.email)
    rpcra.goto(f"{base}/{crisis.pk}/")
    sheet = rpcra.locator(".crisis-sheet")
    sheet.locator("li", has_text="Appeler l'ARS").get_by_role("button", name="Fait").click()
    expect(sheet.locator("li.done", has_text="Appeler l'ARS")).to_contain_text(re.compile(r"\d\d:\d\d"))
    assert ReflexTick.objects.get().ticked_by == rpcra_membership.user
    board = rpcra.locator("table.crisis-recovery")
    board.get_by_role("button", name="Commencer").click()
    expect(board).to_contain_text("En cours")
    assert RecoveryProgress.objects.get().started_at is not None

    # An entry typed offline is kept in the browser and sent when the connection returns.
    other.set_offline(True)
    entry = rpcra.get_by_label("Nouvelle entrée de la main courante")
    entry.fill("Réseau coupé : bascule sur les portables de crise")
    entry.press("Enter")
    expect(rpcra.locator(".logbook-pending")).to_contain_text("Réseau coupé")
    assert not CrisisLogEntry.objects.filter(text__startswith="Réseau coupé").exists()
    other.set_offline(False)
    expect(rpcra.locator("#logbook")).to_contain_text("Réseau coupé : bascule sur les portables de crise",
                                                      timeout=20_000)
    assert CrisisLogEntry.objects.filter(text__startswith="Réseau coupé").count() == 1
    other.close()

    # The director closes; the crisis report (main courante and timings) is produced.
    page.reload()
    page.get_by_text("Clôturer la crise", exact=True).first.click()
    page.get_by_label("Note de clôture").fill("Retour au nominal à 18 h ; RETEX dans 15 jours.")
    page.get_by_role("button", name="Clôturer la crise").click()
    expect(page.get_by_text("Crise clôturée : son rapport est en cours de rédaction.")).to_be_visible()
    assert documents.render_report(organization=org, crisis_id=crisis.pk)  # what the worker's task runs
    page.reload()
    link = page.get_by_role("button", name="Rapport de crise (PDF)")
    expect(link).to_be_visible()
    report = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert report.ok and report.body().startswith(b"%PDF")

    # The single-file HTML kit: downloaded from the register, opened from the disk, no request at all.
    copy = copy_in(org, fmt=KitCopy.Format.HTML, holder_name="Directeur de garde")
    assert documents.build_copy(organization=org, copy_id=copy.pk)
    page.goto(f"{base}/kit/")
    with page.expect_download() as download:
        page.locator(f'tr[data-copy="{copy.number}"]').get_by_role("link", name=re.compile("HTML")).click()
    path = tmp_path / "kit.html"
    download.value.save_as(path)
    offline = browser.new_context(locale="fr-FR", offline=True)
    requests: list[str] = []
    offline.on("request", lambda request: requests.append(request.url))
    kit = offline.new_page()
    kit.goto(path.as_uri())
    expect(kit.get_by_role("heading", name=re.compile("Kit de crise"))).to_be_visible()
    expect(kit.locator("body")).to_contain_text("Diffusion restreinte")
    expect(kit.locator("body")).to_contain_text(f"Copie n° {copy.number} / {copy.number}")
    expect(kit.locator("body")).to_contain_text("Appeler l'ARS")
    assert requests == [path.as_uri()], requests  # the file itself, nothing else
    offline.close()


def test_the_installed_kit_opens_offline_and_is_cleared_at_logout(page: Page, live_server) -> None:
    org = OrganizationFactory(name="CH de Valmont", slug="ch-valmont-sw")
    EstablishmentFactory(organization=org, name="CH de Valmont")
    membership = MembershipFactory(organization=org, role=Role.READER)
    plan_with_sheet(org, title="PCA Urgences — SI indisponible", activities=[urgences(org)])
    copy = copy_in(org, fmt=KitCopy.Format.HTML, holder_member=membership, holder_name="")
    assert documents.build_copy(organization=org, copy_id=copy.pk)
    base = f"{live_server.url}/o/{org.slug}/crise/kit"
    login(page, live_server, membership.user.email)
    page.goto(f"{base}/")
    expect(page.get_by_text("Ce navigateur garde votre dernier exemplaire HTML")).to_be_visible()
    assert page.evaluate("navigator.serviceWorker.ready.then((reg) => reg.scope)") == f"{base}/"
    page.goto(f"{base}/hors-ligne/")
    expect(page.locator("body")).to_contain_text("Appeler l'ARS")
    # The server unreachable: the kit is still there, from this browser's cache.
    page.context.set_offline(True)
    page.goto(f"{base}/hors-ligne/")
    expect(page.locator("body")).to_contain_text("Diffusion restreinte")
    expect(page.locator("body")).to_contain_text(f"Copie n° {copy.number}")
    page.context.set_offline(False)
    assert page.evaluate("caches.keys()") == [f"resilis-kit-/o/{org.slug}/crise/kit/"]
    # Logging out clears it.
    page.goto(f"{live_server.url}/compte/logout/")
    page.get_by_role("button", name=re.compile("Se déconnecter")).click()
    page.wait_for_load_state("networkidle")
    page.wait_for_function("caches.keys().then(k => k.length === 0)")
    assert page.evaluate("caches.keys()") == []
