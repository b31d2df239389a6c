"""Drop-downs that do not grow with the data (issue 13, item 6): past 200 rows, the questionnaire's resource
and upstream-activity choices are search fields (``apps.core.forms.SearchChoiceField``): the page reads the
same number of rows whatever the size, the search endpoint answers at most 20 rows of the organization inside
the member's establishments, accents ignored, and the form still works without JavaScript."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html

from apps.bia import services
from apps.bia.benchmark import seed_large
from apps.bia.models import Activity, ActivityDependency, Resource
from apps.tenants.models import Establishment
from apps.tenants.roles import Role
from apps.tenants.validators import luhn_complete
from tests.bia.factories import ActivityFactory, ResourceFactory, activity_in
from tests.establishments import limited_member
from tests.htmlhelpers import duplicate_ids

pytestmark = pytest.mark.django_db


def step_url(activity: Activity) -> str:
    return reverse("bia:questionnaire", kwargs={"org_slug": activity.organization.slug, "pk": activity.pk, "step": 4})


def search(client, org, query: str, name: str = "bia:resource-search", **params: str) -> list[str]:  # noqa: ANN001
    response = client.get(reverse(name, kwargs={"org_slug": org.slug}), {"resource_q": query, **params})
    assert response.status_code == 200
    tree = html.fragment_fromstring(response.content.decode() or "<li></li>", create_parent="ul")
    return [li.text_content() for li in tree.xpath("//li[@data-value]")]


def test_the_dependencies_step_reads_as_many_rows_at_210_and_420_resources(org, admin_user, client_for) -> None:
    establishment = Establishment.objects.get(organization=org)
    seed_large(organization=org, establishment=establishment, activities=210, resources=210, dependencies=300)
    activity = Activity.objects.filter(organization=org).order_by("pk").first()
    client = client_for(admin_user)
    client.get(step_url(activity))
    with CaptureQueriesContext(connection) as small:
        small_page = client.get(step_url(activity)).content.decode()
    seed_large(organization=org, establishment=Establishment.objects.create(
        organization=org, name="Grand CHU", finess_ej=luhn_complete("45999999")), activities=210, resources=210,
        dependencies=300, seed=7, prefix="B-")
    with CaptureQueriesContext(connection) as large:
        response = client.get(step_url(activity))
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    page = html.fromstring(response.content.decode())
    # The link form's ids start with id_link_: both forms have workaround fields of the same names.
    for name, label, box_id in (("resource", "Ressource", "id_resource"),
                                ("depends_on", "Activité amont", "id_link_depends_on")):
        box = page.get_element_by_id(box_id)
        assert box.get("role") == "combobox" and box.get("aria-expanded") == "false"
        assert page.get_element_by_id(box.get("aria-controls")).get("role") == "listbox"
        assert page.xpath(f'//label[@for="{box_id}"]')[0].text_content().strip().rstrip(" :\xa0") == label
        # No row in the page until something is typed (only the empty choice), not 420.
        assert len(page.xpath(f'//select[@name="{name}"]/option')) == 1
    assert small_page.count("<option") == response.content.decode().count("<option")
    assert not duplicate_ids(response.content.decode())


def test_the_search_ignores_accents_and_stays_in_the_organization(org, other_org, admin_user, client_for) -> None:
    for i in range(205):
        ResourceFactory(organization=org, name=f"Système {i:03d}", establishment=None)
    ResourceFactory(organization=org, name="Hémodialyse – générateurs", kind=Resource.Kind.BIOMEDICAL, establishment=None)
    ResourceFactory(organization=other_org, name="Hémodialyse du voisin", establishment=None)
    client = client_for(admin_user)
    assert search(client, org, "hemodialyse GENERATEUR") == ["Hémodialyse – générateurs (Équipement biomédical)"]
    assert search(client, org, "voisin") == []
    assert len(search(client, org, "systeme")) == 20  # never more
    more = client.get(reverse("bia:resource-search", kwargs={"org_slug": org.slug}), {"q": "système"})
    assert "Seuls les 20 premiers résultats" in more.content.decode()
    # The resource page's « depends on » never offers the resource itself.
    itself = Resource.objects.get(organization=org, name="Système 000")
    assert "Système 000 (Application)" not in search(client, org, "systeme 000", exclude=str(itself.pk))


def test_the_search_offers_a_business_owner_only_shared_resources_and_their_establishments(org, member_factory,
                                                                                            client_for) -> None:
    mine = Establishment.objects.get(organization=org)
    other = Establishment.objects.create(organization=org, name="Autre CH", finess_ej=luhn_complete("45999998"))
    ResourceFactory(organization=org, name="Serveur partagé", establishment=None)
    ResourceFactory(organization=org, name="Serveur local", establishment=mine)
    ResourceFactory(organization=org, name="Serveur de l'autre CH", establishment=other)
    owner = member_factory(org, Role.BUSINESS_OWNER)
    services.activity_assign_owner(activity=ActivityFactory(organization=org, name="Urgences", establishment=mine), actor=None,
                                   owner=owner)
    ActivityFactory(organization=org, name="Urgences de l'autre CH", establishment=other)
    client = client_for(owner)
    assert sorted(search(client, org, "serveur")) == ["Serveur local (Application)", "Serveur partagé (Application)"]
    assert search(client, org, "urgences", name="bia:activity-search") == ["Urgences"]


def test_a_limited_member_finds_only_their_establishments_resources(org, client_for) -> None:
    mine = Establishment.objects.get(organization=org)
    other = Establishment.objects.create(organization=org, name="Autre CH", finess_ej=luhn_complete("45999997"))
    ResourceFactory(organization=org, name="Automate partagé", establishment=None)
    ResourceFactory(organization=org, name="Automate local", establishment=mine)
    ResourceFactory(organization=org, name="Automate de l'autre CH", establishment=other)
    client = client_for(limited_member(org, Role.RPCRA, mine))
    assert sorted(search(client, org, "automate")) == ["Automate local (Application)", "Automate partagé (Application)"]


def test_outsiders_and_readers_are_refused(org, outsider_user, reader_user, client_for) -> None:
    url = reverse("bia:resource-search", kwargs={"org_slug": org.slug})
    assert client_for(outsider_user).get(url).status_code == 404
    assert client_for(reader_user).get(url).status_code == 403


def test_without_javascript_the_search_button_lists_the_matches_and_keeps_what_was_typed(org, admin_user,
                                                                                     client_for) -> None:
    for i in range(205):
        ResourceFactory(organization=org, name=f"Poste {i:03d}", establishment=None)
    dialyse = ResourceFactory(organization=org, name="Générateur de dialyse", establishment=None)
    activity = activity_in(org, name="Néphrologie")
    client = client_for(admin_user)
    data = {"action": "add_dependency", "resource_q": "dialyse", "resource_search": "1", "resource": "",
            "workaround_exists": "on", "workaround_note": "Dialyse au CH voisin"}
    response = client.post(step_url(activity), data)
    assert response.status_code == 400
    page = html.fromstring(response.content.decode())
    options = page.xpath('//select[@name="resource"]/option[@value!=""]')
    assert [(o.get("value"), o.text) for o in options] == [(str(dialyse.pk), "Générateur de dialyse (Application)")]
    box = page.get_element_by_id("id_resource")
    assert box.get("value") == "dialyse" and box.get("aria-invalid") == "true"
    assert page.xpath('//input[@name="workaround_note"]')[0].get("value") == "Dialyse au CH voisin"
    assert "Choisissez l’un des résultats ci-dessous" in response.content.decode()
    assert not ActivityDependency.objects.filter(activity=activity).exists()
    data.pop("resource_search")
    response = client.post(step_url(activity), {**data, "resource": dialyse.pk})
    assert response.status_code == 302
    dependency = ActivityDependency.objects.get(activity=activity)
    assert dependency.resource == dialyse and dependency.workaround_note == "Dialyse au CH voisin"
