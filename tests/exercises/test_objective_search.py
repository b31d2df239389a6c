"""The objective form's activity and system fields do not grow with the data (issue 13, item 6): past 200
rows they are search fields answered by the exercise's own endpoints, which offer exactly what the form
accepts — the organization's systems (applications and infrastructure only), inside the member's
establishments — and the page reads as many rows at 205 systems as at 410."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html

from apps.bia.models import Resource
from apps.exercises.models import Objective
from apps.tenants.models import Establishment
from apps.tenants.roles import Role
from apps.tenants.validators import luhn_complete
from tests.bia.factories import ActivityFactory, ResourceFactory, activity_in
from tests.continuity.factories import approved_plan
from tests.establishments import limited_member
from tests.exercises.factories import exercise_in

pytestmark = pytest.mark.django_db


def url(org, name: str, **kwargs) -> str:  # noqa: ANN001
    return reverse(f"exercises:{name}", kwargs={"org_slug": org.slug, **kwargs})


def found(client, org, exercise, kind: str, query: str) -> list[str]:  # noqa: ANN001
    response = client.get(url(org, f"objective-{kind}-search", pk=exercise.pk), {"q": query})
    assert response.status_code == 200
    tree = html.fragment_fromstring(response.content.decode() or "<li></li>", create_parent="ul")
    return [li.text_content() for li in tree.xpath("//li[@data-value]")]


def systems(org, count: int, prefix: str = "") -> None:  # noqa: ANN001
    for i in range(count):
        ResourceFactory(organization=org, name=f"{prefix}Serveur {i:03d}", establishment=None)


def test_past_200_systems_the_objective_form_is_a_search_field_that_reads_as_many_rows(org, admin_user,
                                                                                      client_for) -> None:
    exercise = exercise_in(org, plan=approved_plan(org, activities=[activity_in(org, name="Urgences")]))
    systems(org, 205)
    client = client_for(admin_user)
    page_url = url(org, "objective-create", pk=exercise.pk)
    client.get(page_url)
    with CaptureQueriesContext(connection) as small:
        client.get(page_url)
    systems(org, 205, prefix="B-")
    with CaptureQueriesContext(connection) as large:
        response = client.get(page_url)
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    page = html.fromstring(response.content.decode())
    box = page.get_element_by_id("id_resource")
    assert box.get("role") == "combobox"
    assert page.get_element_by_id(box.get("aria-controls")).get("role") == "listbox"
    assert len(page.xpath('//select[@name="resource"]/option')) <= 21
    # Short list: the activities stay a plain drop-down, each labelled with its establishment.
    activity_options = [o.text for o in page.xpath('//select[@name="activity"]/option[@value!=""]')]
    assert activity_options == [f"Urgences — {Establishment.objects.get(organization=org).short_name or Establishment.objects.get(organization=org).name}"]


def test_the_search_offers_only_systems_of_the_organization_and_the_form_saves_the_choice(org, other_org, admin_user,
                                                                                         client_for) -> None:
    exercise = exercise_in(org, plan=approved_plan(org, activities=[activity_in(org, name="Urgences")]))
    systems(org, 205)
    dpi = ResourceFactory(organization=org, name="Dossier patient informatisé", establishment=None)
    ResourceFactory(organization=org, name="Dossier papier de secours", kind=Resource.Kind.BIOMEDICAL, establishment=None)
    ResourceFactory(organization=other_org, name="Dossier patient du voisin", establishment=None)
    client = client_for(admin_user)
    assert found(client, org, exercise, "system", "DOSSIER patient") == ["Dossier patient informatisé"]
    assert len(found(client, org, exercise, "system", "serveur")) == 20
    response = client.post(url(org, "objective-create", pk=exercise.pk), {
        "kind": Objective.Kind.RTA, "statement": "DPI restauré en 4 h", "target_minutes": 240,
        "resource": dpi.pk, "resource_q": "dossier", "observation_points": "", "order": 0})
    assert response.status_code == 302
    assert Objective.objects.get(exercise=exercise).resource == dpi
    # Another organization's system is refused by the form, whatever the browser sends.
    foreign = Resource.objects.get(organization=other_org)
    response = client.post(url(org, "objective-create", pk=exercise.pk), {
        "kind": Objective.Kind.RTA, "statement": "Voisin", "target_minutes": 240, "resource": foreign.pk,
        "observation_points": "", "order": 0})
    assert response.status_code == 400
    assert Objective.objects.filter(exercise=exercise).count() == 1


def test_a_limited_member_finds_only_their_establishments_activities(org, client_for) -> None:
    mine = Establishment.objects.get(organization=org)
    other = Establishment.objects.create(organization=org, name="Autre CH", finess_ej=luhn_complete("45999996"))
    urgences = ActivityFactory(organization=org, name="Urgences", establishment=mine)
    exercise = exercise_in(org, plan=approved_plan(org, activities=[urgences]), establishments=[mine])
    ActivityFactory(organization=org, name="Urgences pédiatriques", establishment=mine)
    ActivityFactory(organization=org, name="Urgences de l'autre CH", establishment=other)
    client = client_for(limited_member(org, Role.RPCRA, mine))
    names = [label.split(" — ")[0] for label in found(client, org, exercise, "activity", "urgences")]
    assert sorted(names) == ["Urgences", "Urgences pédiatriques"]


def test_outsiders_get_404_and_readers_403(org, outsider_user, reader_user, client_for) -> None:
    exercise = exercise_in(org, plan=approved_plan(org, activities=[activity_in(org, name="Urgences")]))
    search = url(org, "objective-system-search", pk=exercise.pk)
    assert client_for(outsider_user).get(search).status_code == 404
    assert client_for(reader_user).get(search).status_code == 403
