"""Backups as an RSSI (contributor) and a reader use them, in Debian's Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from apps.backups.models import BackupControl, RestoreTest
from apps.tenants.models import Establishment
from apps.tenants.roles import Role
from tests.bia.factories import ActivityDependencyFactory, ActivityFactory, ResourceFactory
from tests.browser.helpers import login
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _organization():
    org = OrganizationFactory(name="CH de Valmont")
    EstablishmentFactory(organization=org)
    activity = ActivityFactory(establishment=Establishment.objects.filter(organization=org).first(),
                               name="Urgences", dmia_derived_hours=4, pdma_hours=1, care_perimeter="care_service",
                               criticality="critical")
    dpi = ResourceFactory(organization=org, name="DPI Valmont", rto_capability_hours=4, rpo_capability_hours=1)
    ActivityDependencyFactory(activity=activity, resource=dpi)
    return org, dpi


def test_rssi_records_controls_and_a_restoration_test_that_opens_a_bia_gap(page: Page, live_server) -> None:
    org, dpi = _organization()
    rssi = MembershipFactory(organization=org, role=Role.CONTRIBUTOR).user
    login(page, live_server, rssi.email)
    base = f"{live_server.url}/o/{org.slug}"

    # Nothing measured yet: the BIA sees no gap on the DPI.
    page.goto(f"{base}/bia/ecarts/")
    expect(page.locator("main")).not_to_contain_text("DPI Valmont")

    page.goto(f"{base}/sauvegardes/")
    row = page.locator(f'tr[data-system="{dpi.pk}"]')
    expect(row).to_contain_text("aucun contrôle")
    row.get_by_role("link", name="DPI Valmont").click()
    page.locator("[name=product]").fill("Veeam Backup & Replication")
    page.locator("[name=frequency_hours]").fill("24")
    page.locator("[name=copies]").fill("3")
    page.locator("[name=media_count]").fill("2")
    page.locator("[name=offsite_copy]").check()
    page.locator("[name=authentication]").select_option("local_accounts")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    row = page.locator(f'tr[data-system="{dpi.pk}"]')
    expect(row).to_contain_text("3-2-1")
    expect(row).to_contain_text("moins fréquente que la PDMA")
    assert BackupControl.objects.get(resource=dpi).frequency_hours == 24

    page.goto(f"{base}/sauvegardes/tests/nouveau/")
    page.locator("[name=resource]").select_option(str(dpi.pk))
    page.locator("[name=tested_on]").fill("2026-03-02")
    page.locator("[name=scope]").select_option("production")
    page.locator("[name=measured_hours]").fill("9,5")
    page.locator("[name=data_loss_hours]").fill("1")
    page.locator("[name=result]").select_option("success")
    page.locator("[name=referent_name]").fill("Dr Martin, chef des urgences")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("main table")).to_contain_text("DPI Valmont")
    expect(page.locator("main table")).to_contain_text("9,5 h")
    assert RestoreTest.objects.get(resource=dpi).required_rto_hours == 4

    # The measured duration is now the DPI's capability in the BIA engine: a gap opens.
    page.goto(f"{base}/bia/ecarts/")
    expect(page.locator("main")).to_contain_text("DPI Valmont")
    expect(page.locator("main")).to_contain_text("9,5 h")


def test_reader_cannot_edit(page: Page, live_server) -> None:
    org, dpi = _organization()
    reader = MembershipFactory(organization=org, role=Role.READER).user
    login(page, live_server, reader.email)
    base = f"{live_server.url}/o/{org.slug}"
    page.goto(f"{base}/sauvegardes/")
    expect(page.locator(f'tr[data-system="{dpi.pk}"]')).to_contain_text("DPI Valmont")
    expect(page.get_by_role("link", name="DPI Valmont")).to_have_count(0)
    response = page.goto(f"{base}/sauvegardes/systemes/{dpi.pk}/")
    assert response is not None and response.status == 403
    response = page.goto(f"{base}/sauvegardes/tests/nouveau/")
    assert response is not None and response.status == 403
    page.goto(f"{base}/sauvegardes/politique/")
    expect(page.locator("main form[method=post]")).to_have_count(0)
