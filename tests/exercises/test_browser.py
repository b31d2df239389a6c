"""A field exercise from the plan to the RETEX, as the RPCRA runs it in Debian's Chromium: plan it on an approved
plan, build a short chronogramme, run it (main courante entries, one typed while the browser is offline and sent
when it is back), write the RETEX and a finding (an action when the action plan is installed); D2.O1.D and the
journey's stage 5 follow. A reader cannot edit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.exercises import services
from apps.exercises.models import Exercise, ExerciseLogEntry, Finding
from apps.tenants.roles import Role
from tests.bia.factories import activity_in
from tests.browser.helpers import login, switch_user
from tests.continuity.factories import approved_plan
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_rpcra_runs_a_field_exercise_and_d2o1d_follows(page: Page, live_server) -> None:
    org = OrganizationFactory(name="CH de Valmont", slug="ch-valmont-ex")
    EstablishmentFactory(organization=org, name="CH de Valmont")
    rpcra = MembershipFactory(organization=org, role=Role.RPCRA).user
    reader = MembershipFactory(organization=org, role=Role.READER).user
    approved_plan(org, title="PCA Urgences — SI indisponible",
                  activities=[activity_in(org, name="Accueil des urgences")])
    page.on("dialog", lambda dialog: dialog.accept())
    base = f"{live_server.url}/o/{org.slug}"

    login(page, live_server, rpcra.email)
    page.goto(f"{base}/")
    stage = page.locator('li[data-stage="exercises"]')
    expect(stage).to_contain_text("Tests et exercices")
    expect(stage.get_by_test_id("stage-percent")).to_have_text("0 %")

    # Plan the exercise on the approved plan.
    page.goto(f"{base}/exercices/")
    page.get_by_role("button", name="Planifier un exercice").first.click()
    page.get_by_label("Titre").fill("Rançongiciel — urgences en mode dégradé")
    expect(page.get_by_label("Format")).to_have_value("field")
    page.get_by_label(re.compile(r"PCA Urgences — SI indisponible — v1")).check()
    page.get_by_label("Date et heure").fill("2026-10-14T08:30")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Rançongiciel — urgences en mode dégradé")).to_be_visible()
    expect(page.get_by_text("prévu le 14/10/2026")).to_be_visible()

    # A measurable objective.
    page.get_by_role("button", name="Ajouter un objectif").click()
    page.get_by_label("Ce qui est mesuré").select_option(label="Cellule de crise jointe et réunie")
    page.get_by_label(re.compile(r"^Objectif\W*$")).fill("Joindre la cellule de crise en moins de 15 minutes")
    page.get_by_label("Cible (minutes)").fill("15")
    page.get_by_label("Grille d'observation").fill("Heure de la décision\nAnnuaire papier utilisé")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("table")).to_contain_text("Joindre la cellule de crise")

    # A short chronogramme: one stimulus written, two from the library.
    page.get_by_role("link", name="Chronogramme").click()
    page.get_by_role("button", name="Ajouter un stimulus").click()
    page.get_by_label("Délai après la DEBEX (minutes)").fill("0")
    page.get_by_label("Émetteur").fill("IDE des urgences")
    page.get_by_label("Destinataire").fill("Cadre de santé")
    page.get_by_label("Contenu").fill("Écran de rançon sur les postes des urgences")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_label("T+5 min — La DSI confirme une attaque").check()
    page.get_by_label("T+15 min — Passage des urgences en mode dégradé").check()
    page.get_by_role("button", name="Ajouter les stimuli cochés").click()
    expect(page.locator("table.chronogramme tbody tr")).to_have_count(3)

    # The run: DEBEX, the main courante, a stimulus sent, a measure.
    page.get_by_role("link", name="Conduite et main courante").click()
    page.get_by_role("button", name="DEBEX — lancer l'exercice").click()
    expect(page.locator(".live-clock")).to_contain_text("T+00:00:0")
    entry = page.get_by_label("Nouvelle entrée de la main courante")
    entry.fill("Cellule de crise activée par l'administrateur de garde")
    entry.press("Enter")
    expect(page.locator("#logbook")).to_contain_text("Cellule de crise activée par l'administrateur de garde")
    page.context.set_offline(True)
    entry.fill("Passage en dossiers papier décidé (saisi hors ligne)")
    entry.press("Enter")
    pending = page.locator("#logbook-pending")
    expect(pending).to_contain_text("Pas encore envoyée")
    assert not ExerciseLogEntry.objects.filter(text__contains="saisi hors ligne").exists()
    page.context.set_offline(False)
    expect(page.locator("#logbook")).to_contain_text("Passage en dossiers papier décidé (saisi hors ligne)",
                                                     timeout=15000)
    expect(pending.locator("li")).to_have_count(0)
    assert ExerciseLogEntry.objects.filter(text__contains="saisi hors ligne").count() == 1
    page.locator(".live-stimuli.due li").first.get_by_role("button", name="Envoyé").click()
    page.locator(".measure-form").first.get_by_role("button", name="Mesurer").click()
    expect(page.get_by_text("Mesure enregistrée.")).to_be_visible()
    page.get_by_role("button", name="FINEX — terminer l'exercice").click()

    # The RETEX and a finding (an action of the action plan when it is installed).
    expect(page.get_by_role("heading", name="RETEX", exact=True)).to_be_visible()
    page.get_by_label(re.compile(r"^Débriefing à chaud\W*$")).fill("Cellule réunie vite ; annuaire papier à jour.")
    page.get_by_label(re.compile(r"^Résultat — Joindre la cellule")).select_option(label="Atteint")
    page.get_by_role("button", name="Enregistrer le RETEX").click()
    expect(page.get_by_text("RETEX enregistré.")).to_be_visible()
    page.get_by_role("button", name="Ajouter un constat").click()
    page.get_by_label("Constat").fill("Kit dégradé incomplet")
    page.get_by_label("Gravité").select_option(label="Majeur")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("table").last).to_contain_text("Kit dégradé incomplet")
    if services.actions_installed():
        page.get_by_role("button", name="Créer l'action").click()
        expect(page.get_by_text("Action créée dans le plan d'actions.")).to_be_visible()
        assert services.finding_actions(organization=org, findings=Finding.objects.filter(exercise__organization=org))
    else:
        expect(page.get_by_text("Le plan d'actions n'est pas installé.")).to_be_visible()

    # D2.O1.D is met (single entity, the only plan tested) and stage 5 is complete.
    page.goto(f"{base}/exercices/")
    expect(page.locator(".d2o1d article").first).to_contain_text("Atteint")
    expect(page.locator(".d2o1d article").first).to_contain_text("Rançongiciel — urgences en mode dégradé")
    page.goto(f"{base}/")
    expect(page.locator('li[data-stage="exercises"]')).to_contain_text("complet")
    exercise = Exercise.objects.get(organization=org)
    assert exercise.status == Exercise.Status.FINISHED

    # A reader reads everything and changes nothing.
    switch_user(page, live_server, reader.email)
    page.goto(f"{base}/exercices/{exercise.pk}/direct/")
    expect(page.locator("#logbook")).to_contain_text("saisi hors ligne")
    expect(page.get_by_label("Nouvelle entrée de la main courante")).to_have_count(0)
    expect(page.get_by_role("button", name="Mesurer")).to_have_count(0)
    page.goto(f"{base}/exercices/{exercise.pk}/retex/")
    expect(page.get_by_text("Cellule réunie vite")).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer le RETEX")).to_have_count(0)
    page.goto(f"{base}/exercices/{exercise.pk}/")
    expect(page.get_by_role("link", name="Modifier", exact=True)).to_have_count(0)


def test_the_rpcra_picks_the_restored_system_among_205_with_the_keyboard(page: Page, live_server) -> None:
    """The objective form's « Système » is a search field past 200 systems: type, ↓, Enter, then save; axe-core
    finds nothing serious, list closed or open."""
    from django_scopes import scopes_disabled

    from apps.bia.models import Resource
    from apps.exercises.models import Objective
    from tests.browser.axe import axe_run, describe
    from tests.exercises.factories import exercise_in

    with scopes_disabled():
        org = OrganizationFactory(name="CH de Valmont", slug="ch-valmont-objectif")
        EstablishmentFactory(organization=org, name="CH de Valmont")
        rpcra = MembershipFactory(organization=org, role=Role.RPCRA).user
        exercise = exercise_in(org, plan=approved_plan(org, activities=[activity_in(org, name="Urgences")]))
        Resource.objects.bulk_create([Resource(organization=org, kind=Resource.Kind.INFRASTRUCTURE, name=f"Serveur {i:03d}")
                                      for i in range(205)])
        Resource.objects.create(organization=org, kind=Resource.Kind.APPLICATION, name="Dossier patient informatisé")
    login(page, live_server, rpcra.email)
    url = f"{live_server.url}/o/{org.slug}/exercices/{exercise.pk}/objectifs/nouveau/"
    page.goto(url)
    page.get_by_label("Ce qui est mesuré").select_option(label="Système restauré : RTA (durée de restauration)")
    page.get_by_label(re.compile(r"^Objectif\W*$")).fill("DPI restauré en moins de 4 heures")
    page.get_by_label("Cible (minutes)").fill("240")
    box = page.get_by_role("combobox", name="Système")
    expect(box).to_have_attribute("aria-expanded", "false")
    violations = axe_run(page)
    assert not violations, describe(url, violations)

    box.focus()
    page.keyboard.type("dossier PATIENT")
    option = page.get_by_role("listbox").get_by_role("option", name="Dossier patient informatisé")
    expect(option).to_be_visible()
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    violations = axe_run(page)
    assert not violations, describe(url + " (list open)", violations)
    page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(box).to_have_value("Dossier patient informatisé")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("table")).to_contain_text("DPI restauré en moins de 4 heures")
    with scopes_disabled():
        objective = Objective.objects.get(exercise=exercise)
        assert objective.resource is not None and objective.resource.name == "Dossier patient informatisé"
        assert objective.kind == Objective.Kind.RTA and objective.target_minutes == 240
