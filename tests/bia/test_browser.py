"""The BIA as a business owner and an RPCRA live it, in Debian's Chromium."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from apps.bia import services
from apps.bia.models import Activity
from apps.tenants.roles import Role
from tests.bia.factories import ResourceFactory, activity_in
from tests.browser.helpers import login
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_org():
    org = OrganizationFactory(name="CH de Valmont")
    EstablishmentFactory(organization=org, name="CH de Valmont")
    services.scales_ensure_defaults(organization=org)
    return org


def test_business_owner_walks_the_questionnaire(page: Page, live_server) -> None:
    with scopes_disabled():
        org = make_org()
        owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER).user
        activity = activity_in(org, name="Urgences adultes")
        services.activity_assign_owner(activity=activity, actor=None, owner=owner)
        activity_in(org, name="Paie du personnel")  # not theirs
        ResourceFactory(organization=org, name="DPI", rto_capability_hours=4)
        ResourceFactory(organization=org, name="Annuaire", rto_capability_hours=24)  # listed before the DPI
    login(page, live_server, owner.email)
    page.goto(f"{live_server.url}/o/{org.slug}/bia/mes-activites/")
    expect(page.get_by_text("Urgences adultes")).to_be_visible()
    expect(page.get_by_text("Paie du personnel")).to_have_count(0)
    page.get_by_role("button", name="Commencer le questionnaire").click()

    # 1. Description
    page.get_by_label("Description").fill("Accueil 24 h/24 des urgences adultes.")
    page.get_by_label("Périodes critiques").fill("Nuits et week-ends")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_text("Étape enregistrée.")).to_be_visible()
    # 2. Impact grid: patient safety is critical within 4 hours.
    page.get_by_label("Sécurité des patients — ≤ 4 h").select_option("4")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    # 3. Data loss
    page.get_by_label("PDMA (heures)").fill("1")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    # 4. Dependencies: the DPI, no workaround, found with the filter box above the long list.
    filter_box = page.get_by_role("searchbox", name="Filtrer la liste…").first
    filter_box.fill("logiciel inconnu")
    expect(page.get_by_text("Aucune correspondance")).to_be_visible()
    filter_box.fill("dpi")
    expect(page.get_by_text("Aucune correspondance")).to_have_count(0)
    expect(page.get_by_label("Ressource").locator("option:checked")).to_have_text("DPI (Application)")
    page.get_by_role("button", name="Ajouter cette ressource").click()
    expect(page.get_by_role("cell", name="DPI")).to_be_visible()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_text("Étape enregistrée.")).to_be_visible()
    # Leave and come back: nothing is lost.
    page.goto(f"{live_server.url}/o/{org.slug}/bia/activites/{activity.pk}/questionnaire/2/")
    expect(page.get_by_label("Sécurité des patients — ≤ 4 h")).to_have_value("4")
    expect(page.get_by_text("DMIA déduite de vos réponses : 4 h")).to_be_visible()
    page.goto(f"{live_server.url}/o/{org.slug}/bia/activites/{activity.pk}/questionnaire/5/")
    # 5. Staff
    page.get_by_label("Effectif minimal").fill("12")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    # 6. Degraded mode
    page.get_by_label("Un mode dégradé existe").check()
    page.get_by_role("textbox", name="Mode dégradé :", exact=True).fill("Dossiers papier de passage")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    # 7. Review and submit
    expect(page.get_by_text("Dossiers papier de passage")).to_be_visible()
    page.get_by_role("button", name="Soumettre mon BIA").click()
    expect(page.get_by_text("Votre BIA est soumis")).to_be_visible()
    with scopes_disabled():
        saved = Activity.objects.get(pk=activity.pk)
        assert (saved.status, saved.dmia_hours, saved.pdma_hours, saved.minimum_staff) == ("submitted", 4, 1, 12)
    # Another owner's activity does not exist for them.
    with scopes_disabled():
        other = Activity.objects.get(organization=org, name="Paie du personnel")
    response = page.goto(f"{live_server.url}/o/{org.slug}/bia/activites/{other.pk}/questionnaire/1/")
    assert response.status == 404


def test_rpcra_validates_a_submitted_bia_and_sends_another_back(page: Page, live_server) -> None:
    with scopes_disabled():
        org = make_org()
        rpcra = MembershipFactory(organization=org, role=Role.RPCRA).user
        owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER).user
        from apps.bia.selectors import scales

        scale = scales(organization=org)
        cell = (scale["criteria"][0].pk, scale["horizons"][0].pk)
        submitted = []
        for name in ("Biologie médicale d'urgence", "Hémodialyse"):
            activity = activity_in(org, name=name)
            services.activity_assign_owner(activity=activity, actor=None, owner=owner)
            services.impacts_save(activity=activity, actor=owner, levels={cell: 4})
            activity = services.activity_save_step(activity=Activity.objects.get(pk=activity.pk), actor=owner, step=6,
                                                   data={"pdma_hours": 1})
            submitted.append(services.activity_submit(activity=activity, actor=owner))
    login(page, live_server, rpcra.email)
    page.goto(f"{live_server.url}/o/{org.slug}/bia/?status=submitted")
    expect(page.get_by_role("link", name="Biologie médicale d'urgence")).to_be_visible()
    page.get_by_role("link", name="Biologie médicale d'urgence").click()
    expect(page.get_by_text("Soumis").first).to_be_visible()
    page.get_by_role("button", name="Valider le BIA").click()
    expect(page.get_by_text("Le BIA est validé.")).to_be_visible()

    page.goto(f"{live_server.url}/o/{org.slug}/bia/activites/{submitted[1].pk}/")
    page.get_by_label("Commentaire pour le responsable métier").fill("Préciser le générateur d'eau.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Renvoyer au responsable métier").click()
    expect(page.get_by_text("Le BIA a été renvoyé à son responsable métier.")).to_be_visible()
    with scopes_disabled():
        assert Activity.objects.get(pk=submitted[0].pk).status == "validated"
        sent_back = Activity.objects.get(pk=submitted[1].pk)
        assert (sent_back.status, sent_back.review_comment) == ("sent_back", "Préciser le générateur d'eau.")
    # The campaign progress shows one validated activity.
    page.goto(f"{live_server.url}/o/{org.slug}/bia/")
    expect(page.get_by_text("1 validé(s), 0 soumis / 2").first).to_be_visible()


def test_dependency_map_draws_and_isolates_a_chain(page: Page, live_server) -> None:
    with scopes_disabled():
        org = make_org()
        reader = MembershipFactory(organization=org, role=Role.READER).user
        urgences = activity_in(org, name="Urgences", criticality="critical", dmia_override_hours=4,
                               dmia_override_justification="Urgences vitales")
        dpi = ResourceFactory(organization=org, name="DPI", rto_capability_hours=4)
        ad = ResourceFactory(organization=org, name="Active Directory", kind="infrastructure",
                             rto_capability_hours=24)
        services.activity_dependency_set(activity=urgences, actor=None, resource=dpi)
        services.resource_dependency_set(resource=dpi, actor=None, depends_on=ad)
        paie = activity_in(org, name="Paie du personnel", criticality="high")
        services.activity_dependency_set(activity=paie, actor=None,
                                         resource=ResourceFactory(organization=org, name="Logiciel de paie"))
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server, reader.email)
    page.goto(f"{live_server.url}/o/{org.slug}/bia/cartographie/")
    status = page.locator("#map-status")
    expect(status).to_have_text(
        "5 éléments, 3 liens. Cliquez sur un élément pour isoler sa chaîne de dépendances.")
    expect(page.locator("#bia-map canvas").first).to_be_attached()
    # Isolate the Active Directory: the side panel explains the gap (urgences need 4 h, AD promises 24 h).
    search = page.get_by_role("combobox", name="Isoler une activité ou une ressource")
    search.fill("Active Directory — Infrastructure")
    search.dispatch_event("change")
    expect(status).to_have_text("Chaîne de « Active Directory » : 3 éléments.")
    details = page.locator("#map-details")
    expect(details).to_contain_text("Délai de reprise requis4 h")
    expect(details).to_contain_text("RTO promis24 h")
    expect(details).to_contain_text("Écart : la capacité de reprise (promise ou mesurée) ne couvre pas le besoin.")
    expect(details.get_by_role("link", name="Ouvrir sa fiche")).to_have_attribute(
        "href", f"/o/{org.slug}/bia/ressources/{ad.pk}/")
    page.get_by_role("button", name="Revoir toute la carte").click()
    expect(status).to_contain_text("5 éléments, 3 liens.")
    expect(details).to_be_hidden()
    assert not errors, errors
