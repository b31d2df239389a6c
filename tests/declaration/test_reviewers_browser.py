"""In Chromium: the director invites an ARS reviewer, a real Celery worker e-mails the link, the reviewer creates
their account from it, reads the signed declaration and downloads its PDF; the director sees the access counted,
revokes it, and the reviewer's page then says the access ended. axe-core: 0 serious violations on each page."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from apps.core import files
from apps.declaration.models import ReviewerGrant
from apps.tenants.roles import Role
from tests.browser.axe import axe_run, describe
from tests.browser.helpers import login
from tests.declaration.isolation import version_with_file
from tests.exports.conftest import wait_for
from tests.factories import MembershipFactory, OrganizationFactory
from tests.mailhelpers import body, mail_worker, worker_mails

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEWER = "relectrice@ars-pdl.example"
PDF = b"%PDF-1.7\n% dossier CaRE D2 signed\n"


def no_serious_violation(page: Page) -> None:
    violations = axe_run(page)
    assert not violations, describe(page.url, violations)


def test_director_invites_a_reviewer_who_reads_and_downloads_the_signed_declaration(
        page: Page, live_server, browser, settings, tmp_path) -> None:
    org = OrganizationFactory(name="CH de Valmont")
    director = MembershipFactory(organization=org, role=Role.DIRECTION, user__first_name="Isabelle",
                                 user__last_name="Lefèvre").user
    version = version_with_file(org)
    entry = version.file("pdf")
    files.private_storage().delete(entry["path"])
    files.private_storage().save(entry["path"], ContentFile(PDF, name="d.pdf"))
    entry["sha256"] = hashlib.sha256(PDF).hexdigest()
    version.save(update_fields=["files"])

    login(page, live_server, director.email)
    page.goto(f"{live_server.url}/o/{org.slug}/declaration/")
    page.get_by_role("link", name=re.compile("^Relecteurs")).click()
    expect(page.get_by_role("heading", name="Relecteurs de la déclaration signée", level=1)).to_be_visible()
    expect(page.get_by_text("Aucun relecteur invité pour l'instant.")).to_be_visible()
    no_serious_violation(page)
    with mail_worker("MAIL_QUEUE", settings, tmp_path) as worker:
        page.get_by_label("Adresse e-mail du relecteur").fill(REVIEWER)
        page.get_by_label("Durée de l'accès (jours)").fill("15")
        page.get_by_role("button", name="Envoyer l'invitation").click()
        expect(page.get_by_text(f"Invitation envoyée à {REVIEWER}.")).to_be_visible()
        expect(page.get_by_role("rowheader", name=REVIEWER)).to_be_visible()
        expect(page.get_by_test_id("reviewer-grants")).to_contain_text("Invitation envoyée")
        wait_for(lambda: worker_mails(worker), timeout=90, message=worker.output)
        (invitation,) = worker_mails(worker)
    assert invitation["To"] == REVIEWER and "CH de Valmont" in invitation["Subject"]
    text = body(invitation)
    assert "Isabelle Lefèvre" in text and "relire la déclaration" in text
    link = re.search(r"https?://\S+/relecture/invitation/[\w-]+/", text).group(0)
    grant = ReviewerGrant.objects.get(organization=org)
    assert grant.token in link and grant.days == 15

    reviewer = browser.new_context(locale="fr-FR").new_page()
    reviewer.goto(f"{live_server.url}/relecture/invitation/{grant.token}/")
    expect(reviewer.get_by_role("heading", name="Relire la déclaration de CH de Valmont")).to_be_visible()
    no_serious_violation(reviewer)
    reviewer.get_by_label("Prénom").fill("Claire")
    reviewer.get_by_label("Nom :", exact=True).fill("Martin")
    reviewer.get_by_label("Mot de passe :", exact=True).fill("Relecture-ARS-2026")
    reviewer.get_by_label("Mot de passe (confirmation) :").fill("Relecture-ARS-2026")
    reviewer.get_by_role("button", name="Créer mon compte et accepter").click()
    expect(reviewer.get_by_text("Vous pouvez maintenant lire la déclaration signée de CH de Valmont.")).to_be_visible()
    expect(reviewer.get_by_role("heading", name="Déclaration signée de CH de Valmont", level=1)).to_be_visible()
    expect(reviewer.get_by_test_id(f"version-{version.number}")).to_contain_text(entry["sha256"])
    expect(reviewer.get_by_role("navigation", name="Parcours CaRE")).to_have_count(0)  # no member menu
    no_serious_violation(reviewer)
    with reviewer.expect_download() as download_info:
        reviewer.get_by_role("link", name="dossier-care-d2.pdf").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert download.suggested_filename == "dossier-care-d2.pdf"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]

    reviewer.goto(f"{live_server.url}/")  # a reviewer is no member: the portfolio sends them to their home
    expect(reviewer.get_by_role("heading", name="Déclarations à relire", level=1)).to_be_visible()
    expect(reviewer.get_by_role("link", name="CH de Valmont")).to_be_visible()
    no_serious_violation(reviewer)
    reviewer.goto(f"{live_server.url}/o/{org.slug}/")
    expect(reviewer.get_by_role("heading", name="Page introuvable")).to_be_visible()

    # The director sees the two accesses (the page, the download), then revokes after a confirmation.
    page.reload()
    row = page.get_by_test_id(f"grant-{grant.pk}")
    expect(row).to_contain_text("Actif")
    expect(row.locator("td").nth(4)).to_have_text("2")
    row.get_by_role("link", name=re.compile("^Révoquer")).click()
    expect(page.get_by_role("heading", name="Révoquer l'accès d'un relecteur")).to_be_visible()
    no_serious_violation(page)
    page.get_by_role("button", name="Révoquer cet accès").click()
    expect(page.get_by_text(f"{REVIEWER} n'a plus accès à la déclaration.")).to_be_visible()
    expect(page.get_by_test_id(f"grant-{grant.pk}")).to_contain_text("Révoqué")

    reviewer.goto(f"{live_server.url}/relecture/{grant.pk}/")
    expect(reviewer.get_by_role("heading", name="Accès terminé")).to_be_visible()
    expect(reviewer.get_by_text("Votre accès à la déclaration de CH de Valmont a été révoqué")).to_be_visible()
    no_serious_violation(reviewer)
