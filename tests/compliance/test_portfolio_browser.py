"""In Chromium: a consultant's portfolio shows « Calcul en cours… », then fills itself in (htmx) once
a real Celery worker has computed the summaries."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from apps.compliance import portfolio
from apps.tenants.roles import Role
from tests.browser.helpers import login
from tests.exports.conftest import Worker
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_portfolio_fills_itself_in_when_the_worker_is_done(page: Page, live_server, settings,
                                                              tmp_path: Path) -> None:
    from resilis.celery import app

    queue = f"portfolio-browser-{tmp_path.name}"
    settings.PORTFOLIO_QUEUE = queue
    consultant = UserFactory()
    organizations = [OrganizationFactory(name=f"Centre hospitalier {i}") for i in range(portfolio.INLINE_LIMIT + 3)]
    for organization in organizations:
        MembershipFactory(organization=organization, user=consultant, role=Role.CONSULTANT)
    login(page, live_server, consultant.email)
    expect(page.get_by_role("heading", name="Mon portefeuille")).to_be_visible()
    expect(page.get_by_text("Calcul en cours…")).to_have_count(len(organizations))
    # The worker starts only now: the page, already open, must update itself without a reload.
    worker = Worker(queue, Path(settings.MEDIA_ROOT), tmp_path / "worker.log")
    try:
        worker.wait_ready()
        expect(page.get_by_text("Calcul en cours…")).to_have_count(0, timeout=60_000)
        expect(page.locator("#portfolio-table progress")).to_have_count(len(organizations))
        expect(page.locator("#portfolio-table")).not_to_have_attribute("hx-trigger", "load delay:2s")
    finally:
        worker.stop()
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
