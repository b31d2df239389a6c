"""Issue 17, done when: a plan submitted → the director gets the in-app notification and the e-mail (read from the
worker's output) → returns it with a reason → the RPCRA sees it. In Debian's Chromium, with a real Celery worker.

The e-mails are the worker's: a real ``celery -A resilis worker`` process on a private ``MAIL_QUEUE``
(``tests.mailhelpers.mail_worker``) writes them to its output with the console backend, and the test parses that
output back (``worker_mails``); the web request only queues the task on commit."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from apps.continuity.models import PlanVersion
from apps.tenants.roles import Role
from tests.browser.axe import axe_run, describe
from tests.browser.helpers import login, switch_user
from tests.continuity.factories import plan_in
from tests.exports.conftest import wait_for
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory
from tests.mailhelpers import body, mail_worker, worker_mails

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REASON = "Le mode dégradé des urgences ne dit pas qui décide la nuit."



def mails_to(worker, address: str) -> list:
    return [m for m in worker_mails(worker) if m["To"] == address]


def test_submitted_plan_reaches_the_director_who_returns_it_with_a_reason_and_the_rpcra_sees_it(
        page: Page, live_server, settings, tmp_path) -> None:
    org = OrganizationFactory(name="CH de Valmont")
    EstablishmentFactory(organization=org, name="CH de Valmont")
    rpcra = MembershipFactory(organization=org, role=Role.RPCRA, user__email="rpcra@valmont.example",
                              user__first_name="Paul", user__last_name="Martin").user
    MembershipFactory(organization=org, role=Role.DIRECTION, user__email="directrice@valmont.example",
                      user__first_name="Claire", user__last_name="Dumas")
    plan = plan_in(org, title="PCA Urgences", with_mode=True)
    plan_url = f"{live_server.url}/o/{org.slug}/plans/{plan.pk}/"
    notifications_url = f"{live_server.url}/o/{org.slug}/notifications/"

    with mail_worker("MAIL_QUEUE", settings, tmp_path) as worker:
        # The RPCRA submits the plan from the last step of the wizard.
        login(page, live_server, rpcra.email)
        page.goto(f"{plan_url}etapes/7/")
        page.once("dialog", lambda dialog: dialog.accept())  # « Soumettre cette version à approbation ? »
        page.get_by_role("button", name="Soumettre à approbation").click()
        expect(page.locator("h1")).to_contain_text("Soumis à approbation")
        assert mail.outbox == []  # nothing is sent inside the request

        # The director: the bell counts one unread notification, the page lists it.
        switch_user(page, live_server, "directrice@valmont.example")
        page.goto(f"{live_server.url}/o/{org.slug}/")
        bell = page.locator(".notification-bell a")
        expect(bell).to_have_attribute("data-unread", "1")  # swapped in by htmx on load
        expect(bell).to_contain_text("1")
        expect(bell.locator(".visually-hidden")).to_have_text("(1 non lue)")
        bell.click()
        page.wait_for_url(notifications_url)
        item = page.locator(".notification-list li.unread")
        expect(item).to_have_count(1)
        expect(item).to_contain_text("Plan soumis à approbation")
        expect(item).to_contain_text("Le plan « PCA Urgences » a été soumis à votre approbation.")
        expect(item).to_contain_text("par Paul Martin")
        violations = axe_run(page)
        assert not violations, describe(page.url, violations)

        # The e-mail, produced by the worker process (its output), in French, with the plan's link.
        wait_for(lambda: mails_to(worker, "directrice@valmont.example"), timeout=90, message=worker.output)
        (submitted_mail,) = mails_to(worker, "directrice@valmont.example")
        assert "soumis à votre approbation" in submitted_mail["Subject"]
        assert f"/o/{org.slug}/plans/{plan.pk}/" in body(submitted_mail)

        # « Ouvrir » marks it read and leads to the plan.
        item.get_by_role("button", name="Ouvrir").click()
        page.wait_for_url(plan_url)
        expect(page.locator(".notification-bell a")).to_have_attribute("data-unread", "0")

        # « Renvoyer » asks for a reason: without one the browser does not send the form.
        page.get_by_role("button", name="Renvoyer", exact=True).click()
        reason = page.get_by_label("Motif (obligatoire : ses auteurs en sont informés)")
        expect(reason).to_be_visible()
        expect(reason).to_have_attribute("required", "")
        send = page.get_by_role("button", name="Renvoyer le plan")
        send.click()
        assert reason.evaluate("el => el.validity.valueMissing")
        expect(page.locator("h1")).to_contain_text("Soumis à approbation")

        # Then a confirmation: dismissed, nothing happens.
        reason.fill(REASON)
        questions: list[str] = []

        def dismiss(dialog) -> None:
            questions.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", dismiss)
        send.click()
        expect(page.locator("h1")).to_contain_text("Soumis à approbation")
        assert questions == ["Renvoyer cette version à ses auteurs ? Le motif leur sera communiqué."]
        assert PlanVersion.objects.get(plan=plan, number=1).status == PlanVersion.Status.SUBMITTED

        # Confirmed: the plan goes back to draft.
        page.once("dialog", lambda dialog: dialog.accept())
        send.click()
        expect(page.locator("h1")).to_contain_text("Brouillon")
        assert PlanVersion.objects.get(plan=plan, number=1).status == PlanVersion.Status.DRAFT

        wait_for(lambda: mails_to(worker, "rpcra@valmont.example"), timeout=90, message=worker.output)
        (returned_mail,) = mails_to(worker, "rpcra@valmont.example")
        assert "renvoyé" in returned_mail["Subject"]
        assert REASON in body(returned_mail)

    # The RPCRA sees it: the bell, the notification with its reason and who returned it, the plan in draft.
    switch_user(page, live_server, rpcra.email)
    page.goto(f"{live_server.url}/o/{org.slug}/")
    bell = page.locator(".notification-bell a")
    expect(bell).to_have_attribute("data-unread", "1")
    bell.click()
    page.wait_for_url(notifications_url)
    item = page.locator(".notification-list li.unread")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Plan renvoyé")
    expect(item).to_contain_text("Le plan « PCA Urgences » a été renvoyé à ses auteurs.")
    expect(item.locator("blockquote")).to_have_text(f"Motif : {REASON}")
    expect(item).to_contain_text("par Claire Dumas")
    violations = axe_run(page)
    assert not violations, describe(page.url, violations)
    item.get_by_role("button", name="Ouvrir").click()
    page.wait_for_url(plan_url)
    expect(page.locator("h1")).to_contain_text("Brouillon")
    expect(page.get_by_role("button", name="Continuer la rédaction")).to_be_visible()  # an <a role="button">
