"""A member asks for the dossier in Chromium, watches it progress, downloads it and the file is a real PDF.

A real Celery worker process runs during the test, on the ``exports`` queue of the test Redis database.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from apps.exports.models import ExportJob
from apps.tenants.demo import GHT_SLUG, DemoContext
from apps.tenants.demo import seed as seed_tenants
from tests.browser.helpers import login
from tests.exports.conftest import pdf_info, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_ask_for_the_dossier_watch_it_download_it(page: Page, live_server, media_root, worker_factory,
                                                  tmp_path) -> None:
    ctx = DemoContext()
    seed_tenants(ctx)
    worker = worker_factory("exports")
    login(page, live_server, ctx.users["rpcra"].email, settings.RESILIS_DEMO_PASSWORD)
    polls: list[str] = []
    page.on("response", lambda r: polls.append(r.url) if r.url.endswith("/etat/") else None)

    page.goto(f"{live_server.url}/o/{GHT_SLUG}/")
    page.get_by_role("navigation", name="Parcours CaRE").get_by_role("link", name="Exports").click()
    expect(page.get_by_role("heading", name="Exports", level=1)).to_be_visible()
    expect(page.get_by_text("Aucun export pour l'instant.")).to_be_visible()

    page.get_by_role("button", name="Dossier CaRE D2 (PDF)").click()
    job = page.locator("article.export-job")
    expect(job).to_have_count(1)  # the new job is on the page at once…
    expect(job).to_contain_text("Dossier CaRE D2 (PDF)")
    expect(page.get_by_text("Export demandé : il est en préparation")).to_be_visible()
    # …then moves (HTMX polling every second) until the download button replaces the progress bar.
    download_button = job.get_by_role("button", name="Télécharger")  # a link styled as a button
    try:
        expect(download_button).to_be_visible(timeout=180_000)
    except AssertionError as error:
        raise AssertionError(worker.output()) from error
    assert polls, "the progress was polled"
    expect(job).to_have_attribute("data-status", "done")
    expect(job.locator("progress")).to_have_count(0)
    assert job.get_attribute("hx-trigger") is None  # polling stopped

    with page.expect_download() as download_info:
        download_button.click()
    download = download_info.value
    assert re.fullmatch(r"dossier-care-d2-ght-rives-de-loire-v1-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    stored = ExportJob.objects.get(organization=ctx.organizations["ght"])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == stored.sha256
    expect(job).to_contain_text(stored.sha256)
    info = pdf_info(path)
    assert info["Title"] == "Dossier CaRE D2 — GHT Rives de Loire" and int(info["Pages"]) >= 3
    text = " ".join(pdf_text(path).split())  # table cells wrap long names
    chu = ctx.establishments["chu"]
    assert chu.finess_ej in text and "Diffusion restreinte" in text and f"Page 1 / {info['Pages']}" in text

    # The past exports table, after a reload: who, size, SHA-256, expiry.
    page.reload()
    row = page.locator("table.export-table tbody tr").first
    expect(row).to_contain_text("Julien Moreau")
    expect(row).to_contain_text("Prêt")
    expect(row.locator("code.sha256")).to_have_text(stored.sha256)
