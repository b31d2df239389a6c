"""The header's search: French full-text with accents ignored, grouped by kind, limited to what the member
may see (capabilities, business owner's own activities, establishment limit), paginated, queries flat."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import assign_perm

from apps.tenants.roles import Role
from tests.actions.factories import ActionFactory
from tests.bia.factories import ActivityFactory, ResourceFactory
from tests.establishments import limited_member, populate
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory
from tests.governance.factories import GovernanceMemberFactory

pytestmark = pytest.mark.django_db


def search(client, org, q: str, **params) -> str:
    response = client.get(reverse("search:results", kwargs={"org_slug": org.slug}), {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_accents_case_and_word_starts_are_ignored(org, client_for) -> None:
    establishment = org.establishments.first() if hasattr(org, "establishments") else None
    activity = ActivityFactory(organization=org, establishment=establishment or EstablishmentFactory(organization=org),
                               name="Accueil des Urgences pédiatriques")
    ResourceFactory(organization=org, name="Serveur d'imagerie", description="Équipement de sauvegarde")
    ActivityFactory(organization=org, establishment=activity.establishment, name="Pharmacie")
    client = client_for(MembershipFactory(organization=org, role=Role.READER).user)
    body = search(client, org, "URGENCE pediatr")
    assert "Accueil des Urgences pédiatriques" in body
    assert "Pharmacie" not in body
    assert reverse("bia:activity-detail", kwargs={"org_slug": org.slug, "pk": activity.pk}) in body
    body = search(client, org, "equipements")  # plural, no accent: the French stemmer and unaccent
    assert "Serveur d&#x27;imagerie" in body
    assert "Ressources" in body
    assert "Aucun résultat pour « zzzzqq »" in search(client, org, "zzzzqq")
    # tsquery operators typed by a user are plain text, never syntax errors.
    assert "Aucun résultat" in search(client, org, "'&|!:*()")


def test_results_are_grouped_and_paginated(org, client_for) -> None:
    establishment = EstablishmentFactory(organization=org, name="CH de Saint-Aubin")
    for i in range(27):
        ActivityFactory(organization=org, establishment=establishment, name=f"Stérilisation lot {i:02d}")
    ActionFactory(organization=org, title="Former les équipes de stérilisation")
    client = client_for(MembershipFactory(organization=org, role=Role.RPCRA).user)
    body = search(client, org, "sterilisation")
    assert "28 résultats" in body
    assert "Activités" in body and "Actions" in body
    assert body.count("Stérilisation lot") == 5
    assert "Voir les 27 résultats dans activités" in body
    page2 = search(client, org, "sterilisation", kind="activity", page=2)
    assert page2.count("Stérilisation lot") == 7
    assert "Page 2 sur 2" in page2
    assert "Former les équipes" not in page2


def test_each_member_finds_only_what_they_may_open(org, client_for) -> None:
    establishment = EstablishmentFactory(organization=org)
    mine = ActivityFactory(organization=org, establishment=establishment, name="Bloc opératoire central")
    ActivityFactory(organization=org, establishment=establishment, name="Bloc obstétrical")
    ResourceFactory(organization=org, name="Bloc électrique")
    GovernanceMemberFactory(organization=org, external_name="Jeanne Bloch", body="team")
    owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER).user
    assign_perm("bia.answer_activity", owner, mine)
    body = search(client_for(owner), org, "bloc")
    assert "Bloc opératoire central" in body
    assert reverse("bia:questionnaire", kwargs={"org_slug": org.slug, "pk": mine.pk, "step": 1}) in body
    assert "Bloc obstétrical" not in body and "Bloc électrique" not in body and "Jeanne Bloch" not in body
    reader = search(client_for(MembershipFactory(organization=org, role=Role.READER).user), org, "bloc")
    assert all(name in reader for name in ("Bloc obstétrical", "Bloc électrique", "Jeanne Bloch"))


def test_another_organization_and_another_establishment_are_never_found(client_for) -> None:
    ght = OrganizationFactory(name="GHT Rives de Loire", kind="ght")
    home = EstablishmentFactory(organization=ght, name="CH de Saint-Aubin")
    other = EstablishmentFactory(organization=ght, name="CHU de Valmont")
    populate(ght, home, "Saintaubin")
    populate(ght, other, "Zqxvalmont")
    stranger = OrganizationFactory(name="Clinique voisine")
    ActivityFactory(organization=stranger, establishment=EstablishmentFactory(organization=stranger),
                    name="Zqxvalmont activité voisine")
    client = client_for(limited_member(ght, Role.RPCRA, home))
    assert "Zqxvalmont" not in search(client, ght, "zqxvalmont")
    body = search(client, ght, "saintaubin")
    assert "Saintaubin activité" in body and "Saintaubin ressource" in body and "Zqxvalmont" not in body
    unlimited = client_for(MembershipFactory(organization=ght, role=Role.RPCRA).user)
    body = search(unlimited, ght, "zqxvalmont")
    assert "Zqxvalmont activité" in body and "voisine" not in body


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", ["?q=activite", "?q=ressource+00", "?q=activite&kind=activity&page=3"])
def test_query_count_is_flat_at_two_sizes(params, org, client_for, django_assert_max_num_queries) -> None:
    from apps.actions.benchmark import seed_actions
    from apps.bia.benchmark import seed_large

    establishment = EstablishmentFactory(organization=org, name="CHU de démonstration")
    client = client_for(MembershipFactory(organization=org, role=Role.RPCRA).user)
    url = reverse("search:results", kwargs={"org_slug": org.slug}) + params
    seed_large(organization=org, establishment=establishment, activities=30, resources=40, dependencies=100)
    seed_actions(organization=org, count=30)
    small = count_queries(client, url)
    seed_large(organization=org, establishment=establishment, activities=300, resources=400, dependencies=1000,
               seed=7, prefix="B ")
    seed_actions(organization=org, count=600, seed=7, prefix="B-")
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200
