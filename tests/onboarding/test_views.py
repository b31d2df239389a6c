"""« Nouvelle organisation » and « Copier depuis un autre client », through the pages, and the Done-when of
issue 17: a consultant creates a client, copies scales and a plan skeleton from another client, and nothing of
the other client is visible from the new one."""

from __future__ import annotations

import pytest
from django.apps import apps as django_apps
from django.db import models
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from apps.continuity.models import Plan, ReflexSheet
from apps.core.models import TenantModel
from apps.onboarding.templates_copy import Template
from apps.tenants.models import Establishment, Invitation, Organization
from apps.tenants.roles import Role
from apps.tenants.services import invitation_accept
from tests.factories import OrganizationFactory, UserFactory
from tests.isolation import tenant_urls
from tests.onboarding.helpers import SOURCE_MARKER, consultant_of, filled_source, grant_onboarding

pytestmark = pytest.mark.django_db

ONBOARD = reverse("organization-onboard")


def onboarding_post(**overrides: str) -> dict[str, str]:
    data = {
        "name": "GHT Val de Loire", "slug": "", "kind": "ght", "region": "CVL",
        "first_admin_email": "direction@ch-amboise.example",
        "establishments-TOTAL_FORMS": "2", "establishments-INITIAL_FORMS": "0",
        "establishments-0-name": "CH d'Amboise", "establishments-0-finess_ej": "37 000 0051",
        "establishments-0-legal_status": "public", "establishments-0-activity_share": "60",
        "establishments-1-name": "CH de Loches", "establishments-1-finess_ej": "370000069",
        "establishments-1-legal_status": "public", "establishments-1-activity_share": "40",
        "sites-TOTAL_FORMS": "2", "sites-INITIAL_FORMS": "0",
        "sites-0-establishment_finess": "370000051", "sites-0-name": "Site principal", "sites-0-finess_eg": "370000077",
        "sites-0-city": "Amboise",
        # An empty extra row is ignored.
        "sites-1-establishment_finess": "", "sites-1-name": "", "sites-1-finess_eg": "", "sites-1-city": "",
    }
    data.update(overrides)
    return data


def test_only_staff_and_granted_consultants_reach_the_creation_page(client, client_for) -> None:
    assert client.get(ONBOARD).status_code == 302  # anonymous → login
    plain = consultant_of(OrganizationFactory())
    assert client_for(plain).get(ONBOARD).status_code == 403
    assert client_for(plain).post(ONBOARD, onboarding_post()).status_code == 403
    assert not Organization.objects.filter(name="GHT Val de Loire").exists()
    assert client_for(UserFactory(is_staff=True)).get(ONBOARD).status_code == 200
    page = client_for(grant_onboarding(UserFactory())).get(ONBOARD)
    assert page.status_code == 200 and "Ajouter un établissement" in page.content.decode()


def test_the_portfolio_offers_new_organization_to_those_with_the_right(client_for) -> None:
    granted = grant_onboarding(consultant_of(OrganizationFactory(), OrganizationFactory()))
    assert ONBOARD in client_for(granted).get(reverse("portfolio") + "?all=1").content.decode()
    plain = consultant_of(OrganizationFactory(), OrganizationFactory())
    assert ONBOARD not in client_for(plain).get(reverse("portfolio") + "?all=1").content.decode()
    staff = UserFactory(is_staff=True)
    assert ONBOARD in client_for(staff).get(reverse("portfolio") + "?all=1").content.decode()


def test_a_consultant_creates_a_client_and_lands_in_it(client_for) -> None:
    consultant = grant_onboarding(UserFactory())
    client = client_for(consultant)
    with scope():  # as in production: the page is outside any organization, so no tenant scope is open
        assert client.post(ONBOARD, onboarding_post(**{"establishments-1-finess_ej": "1"})).status_code == 400
        response = client.post(ONBOARD, onboarding_post())
    org = Organization.objects.get(name="GHT Val de Loire")
    assert response.status_code == 302 and response["Location"] == reverse("tenants:home", kwargs={"org_slug": org.slug})
    with scopes_disabled():
        assert sorted(Establishment.objects.filter(organization=org).values_list("finess_ej", flat=True)) == [
            "370000051", "370000069"]
        assert Invitation.objects.filter(organization=org, role=Role.ADMINISTRATOR).count() == 1
    assert client_for(consultant).get(reverse("tenants:home", kwargs={"org_slug": org.slug})).status_code == 200


def test_errors_come_back_next_to_their_fields_with_everything_typed(client_for) -> None:
    client = client_for(grant_onboarding(UserFactory()))
    response = client.post(ONBOARD, onboarding_post(**{
        "establishments-1-finess_ej": "370000052",  # wrong check key
        "sites-0-establishment_finess": "370000085"}))  # no establishment above has it
    assert response.status_code == 400
    body = response.content.decode()
    assert "La clé de contrôle de ce numéro FINESS est fausse" in body
    assert 'value="CH de Loches"' in body and 'value="Site principal"' in body and 'value="370000052"' in body
    assert "Aucun établissement ci-dessus n&#x27;a ce FINESS EJ." in body  # every error at once
    response = client.post(ONBOARD, onboarding_post(name="", **{"establishments-1-finess_ej": "370000052"}))
    assert "Ce champ est obligatoire." in response.content.decode()
    assert "La clé de contrôle de ce numéro FINESS est fausse" in response.content.decode()
    assert not Organization.objects.filter(name="GHT Val de Loire").exists()
    # A site naming no establishment typed above: same page, the error next to its field.
    response = client.post(ONBOARD, onboarding_post(**{"sites-0-establishment_finess": "370000085"}))
    assert response.status_code == 400
    assert "Aucun établissement ci-dessus n&#x27;a ce FINESS EJ." in response.content.decode()
    assert 'value="CH d&#x27;Amboise"' in response.content.decode()
    assert not Organization.objects.filter(name="GHT Val de Loire").exists()
    response = client.post(ONBOARD, onboarding_post(**{"establishments-0-activity_share": "70"}))
    assert response.status_code == 400 and "totalisent 110" in response.content.decode()


def test_a_platform_administrator_creates_a_client_without_joining_it(client_for) -> None:
    response = client_for(UserFactory(is_staff=True)).post(ONBOARD, onboarding_post())
    assert response.status_code == 302 and response["Location"].startswith(reverse("portfolio"))
    assert Organization.objects.filter(name="GHT Val de Loire").exists()


def _copy_url(org: Organization) -> str:
    return reverse("onboarding:copy", kwargs={"org_slug": org.slug})


def test_copy_refuses_a_source_the_consultant_is_not_a_consultant_of(client_for) -> None:
    source = filled_source()
    target = OrganizationFactory(name="Clinique du Parc")
    consultant = consultant_of(target)
    client = client_for(consultant)
    assert client.get(_copy_url(target)).status_code == 200
    query = {"source": source["org"].slug, "kinds": ["scales"]}
    assert client.get(_copy_url(target), query).status_code == 404
    assert client.post(_copy_url(target), query).status_code == 404
    from tests.factories import MembershipFactory

    MembershipFactory(organization=source["org"], user=consultant, role=Role.ADMINISTRATOR)  # not as consultant
    assert client.get(_copy_url(target), query).status_code == 404
    body = client.get(_copy_url(target)).content.decode()
    assert f'value="{source["org"].slug}"' not in body  # not offered either
    # Another role in the target: 403 before anything else.
    reader = consultant_of(source["org"])
    MembershipFactory(organization=target, user=reader, role=Role.READER)
    assert client_for(reader).get(_copy_url(target), query).status_code == 403


def test_preview_then_confirm(client_for) -> None:
    source = filled_source()
    consultant = consultant_of(source["org"])
    target = OrganizationFactory(name="Clinique du Parc", slug="clinique-parc")
    consultant_of(target, user=consultant)
    client = client_for(consultant)
    query = {"source": source["org"].slug, "kinds": ["scales", "plans", "reflex_sheets", "stimuli"]}
    preview = client.get(_copy_url(target), query)
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "Critère « Impact environnemental »" in body and "Sera créé" in body and "Déjà présent : ignoré" in body
    assert "Confirmer la copie" in body
    assert not Plan.objects.filter(organization=target).exists()
    response = client.post(_copy_url(target), query)
    assert response.status_code == 302
    assert Plan.objects.filter(organization=target, title="PCA Urgences").exists()
    page = client.get(_copy_url(target)).content.decode()
    assert "éléments copiés" in page
    # The navigation offers the page to consultants only.
    home = client.get(reverse("tenants:home", kwargs={"org_slug": target.slug})).content.decode()
    assert _copy_url(target) in home
    from tests.factories import MembershipFactory

    admin = MembershipFactory(organization=target, role=Role.ADMINISTRATOR).user
    assert _copy_url(target) not in client_for(admin).get(
        reverse("tenants:home", kwargs={"org_slug": target.slug})).content.decode()


def _foreign_references(target: Organization) -> list[str]:
    """Every row of ``target`` whose foreign keys point to a row of another organization."""
    found = []
    for model in django_apps.get_models():
        if not issubclass(model, TenantModel):
            continue
        fks = [f for f in model._meta.get_fields() if isinstance(f, models.ForeignKey)
               and f.name != "organization" and hasattr(f.related_model, "organization_id")]
        for fk in fks:
            qs = model._base_manager.filter(organization=target).exclude(**{f"{fk.name}__isnull": True}).exclude(
                **{f"{fk.name}__organization": target})
            if qs.exists():
                found.append(f"{model._meta.label}.{fk.name}")
    return found


def test_done_when_a_new_client_sees_nothing_of_the_client_it_was_copied_from(client_for) -> None:
    """Issue 17: a consultant creates a client, copies scales and a plan skeleton from another client, and
    nothing of the other client is visible from the new one."""
    source = filled_source()
    consultant = grant_onboarding(consultant_of(source["org"]))
    client = client_for(consultant)
    assert client.post(ONBOARD, onboarding_post()).status_code == 302
    new = Organization.objects.get(name="GHT Val de Loire")
    with scopes_disabled():
        receiving = Establishment.objects.get(organization=new, finess_ej="370000051")
    copy = {"source": source["org"].slug, "kinds": ["scales", "activities", "plans"], "establishment": receiving.pk}
    assert client.get(_copy_url(new), copy).status_code == 200
    assert client.post(_copy_url(new), copy).status_code == 302
    with scopes_disabled():
        plan = Plan.objects.get(organization=new, title="PCA Urgences")
        assert ReflexSheet.objects.filter(organization=new, version=plan.current_version).exists()
        # No row of the new client points to a row of another organization (ids remapped or cleared).
        assert _foreign_references(new) == []
        invitation = Invitation.objects.get(organization=new)
    # The new client's administrator walks every page of their organization.
    administrator = UserFactory(email=invitation.email)
    invitation_accept(invitation=invitation, user=administrator)
    viewer = client_for(administrator)
    source_org = source["org"]
    with scopes_disabled():
        leaks = [source_org.name, source_org.slug, SOURCE_MARKER, source["establishment"].finess_ej,
                 f"/o/{source_org.slug}/"]
    pages = [reverse(u.name, kwargs={"org_slug": new.slug}) for u in tenant_urls() if not u.kwargs and "get" in u.methods]
    pages += [reverse(name, kwargs={"org_slug": new.slug, "pk": plan.pk})
              for name in ("continuity:plan-detail", "continuity:print", "continuity:compare")]
    pages += [reverse("continuity:plan-step", kwargs={"org_slug": new.slug, "pk": plan.pk, "step": step})
              for step in range(1, 6)]
    pages += [reverse("tenants:history", kwargs={"org_slug": new.slug, "model": "continuity.plan", "pk": plan.pk})]
    assert len(pages) > 50
    for page in pages:
        response = viewer.get(page)
        assert response.status_code in (200, 302, 400, 403), f"{page} → {response.status_code}"
        body = (b"".join(response) if response.streaming else response.content).decode(errors="replace")
        for leak in leaks:
            assert leak not in body, f"{page} shows {leak!r} of the other client"


def _more_source_templates(source: dict, count: int) -> None:
    from apps.bia.models import ImpactCriterion, ImpactLevel, TimeHorizon
    from apps.continuity import services as plans
    from apps.exercises.models import StimulusTemplate
    from tests.bia.factories import ActivityFactory
    from tests.continuity.factories import scenario

    org, start = source["org"], ImpactCriterion.objects.filter(organization=source["org"]).count()
    for i in range(start, start + count):
        criterion = ImpactCriterion.objects.create(organization=org, code=f"critere-{i}", name=f"Critère {i}")
        ImpactLevel.objects.create(organization=org, criterion=criterion, level=1, label="Faible")
        TimeHorizon.objects.create(organization=org, label=f"{i} mois", hours=1000 + i)
        activity = ActivityFactory(organization=org, establishment=source["establishment"], name=f"Activité {i}")
        plan = plans.plan_create(organization=org, actor=None, title=f"PCA {i}", care_perimeter="care_service",
                                 activities=[activity], scenarios=[scenario(org)])
        plans.degraded_mode_save(plan=plan, actor=None, activity=activity, scenario=scenario(org), data={
            "trigger": "Panne", "decided_by": "Cadre", "procedure": "Papier"})
        plans.reflex_sheet_save(plan=plan, actor=None, data={"role": f"Rôle {i}", "first_actions": "Alerter"})
        StimulusTemplate.objects.create(organization=org, scenario_kind="is_unavailable", title=f"Stimulus {i}",
                                        offset_minutes=i, sender="SAMU", recipient="Urgences", content="Message")


def test_the_preview_query_count_does_not_grow_with_the_templates(client_for, django_assert_max_num_queries) -> None:
    source = filled_source()
    consultant = consultant_of(source["org"])
    target = OrganizationFactory(name="Clinique du Parc", slug="clinique-parc")
    receiving = Establishment.objects.create(organization=target, name="Clinique du Parc", finess_ej="370000051")
    consultant_of(target, user=consultant)
    client = client_for(consultant)
    query = {"source": source["org"].slug, "kinds": list(Template.values), "establishment": receiving.pk}
    _more_source_templates(source, 2)
    with django_assert_max_num_queries(60) as small:
        assert client.get(_copy_url(target), query).status_code == 200
    _more_source_templates(source, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(_copy_url(target), query)
    assert response.status_code == 200 and "PCA 11" in response.content.decode()
