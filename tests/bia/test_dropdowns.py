"""Drop-downs that do not grow with the data (issue 13, item 6): the questionnaire's dependencies step offers
every resource and activity from ``values_list`` — the same number of queries at 20 and 200 resources, and
no model object per option — while a submitted choice is still looked up inside the organization."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.models.signals import pre_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html

from apps.bia.benchmark import seed_large
from apps.bia.forms import ActivityDependencyForm, ActivityForm, ActivityLinkForm
from apps.bia.models import Activity, ActivityDependency, Resource
from apps.tenants.models import Establishment
from apps.tenants.validators import luhn_complete
from tests.bia.factories import ResourceFactory, activity_in

pytestmark = pytest.mark.django_db


@contextmanager
def models_built() -> Iterator[Counter]:
    """How many model instances of each class are built inside the block."""
    built: Counter = Counter()

    def count(sender, **kwargs) -> None:  # noqa: ANN001
        built[sender.__name__] += 1

    pre_init.connect(count)
    try:
        yield built
    finally:
        pre_init.disconnect(count)


def dependencies_step(client, activity: Activity) -> tuple[int, Counter, str]:  # noqa: ANN001
    url = reverse("bia:questionnaire", kwargs={"org_slug": activity.organization.slug, "pk": activity.pk, "step": 4})
    with CaptureQueriesContext(connection) as queries, models_built() as built:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries), built, response.content.decode()


def test_the_dependencies_step_is_flat_from_20_to_200_resources(org, admin_user, client_for) -> None:
    establishment = Establishment.objects.get(organization=org)
    seed_large(organization=org, establishment=establishment, activities=10, resources=20, dependencies=30)
    activity = Activity.objects.filter(organization=org).order_by("pk").first()
    client = client_for(admin_user)
    client.get(reverse("bia:questionnaire", kwargs={"org_slug": org.slug, "pk": activity.pk, "step": 4}))
    small_queries, small_built, small_page = dependencies_step(client, activity)
    seed_large(organization=org, establishment=Establishment.objects.create(
        organization=org, name="Grand CHU", finess_ej=luhn_complete("45999999")), activities=100, resources=180,
        dependencies=300, seed=7, prefix="B-")
    assert Resource.objects.filter(organization=org).count() == 200
    large_queries, large_built, large_page = dependencies_step(client, activity)
    assert large_queries == small_queries
    # No Resource or Activity object per option: only those the step shows (this activity's own links).
    assert large_built["Resource"] == small_built["Resource"] <= ActivityDependency.objects.filter(
        activity=activity).count()
    assert large_built["Activity"] == small_built["Activity"]
    options = html.fromstring(large_page).xpath('//select[@name="resource"]//option[@value!=""]')
    assert len(options) == 200  # …and every resource is still offered
    assert "B-Ressource 0179" in large_page and "B-Activité 0099" in large_page


def test_options_are_grouped_labelled_and_a_choice_is_checked_in_the_organization(org, other_org) -> None:
    dpi = ResourceFactory(organization=org, name="DPI <Hôpital>", kind=Resource.Kind.APPLICATION, establishment=None)
    ResourceFactory(organization=org, name="Active Directory", kind=Resource.Kind.INFRASTRUCTURE, establishment=None)
    foreign = ResourceFactory(organization=other_org, name="DPI voisin", establishment=None)
    form = ActivityDependencyForm(organization=org)
    select = html.fragment_fromstring(str(form["resource"]), create_parent="div").find("select")
    groups = {g.get("label"): [o.text for o in g.iter("option")] for g in select.iter("optgroup")}
    assert groups == {"Application": ["DPI <Hôpital> (Application)"],
                      "Infrastructure": ["Active Directory (Infrastructure)"]}
    assert "DPI voisin" not in str(form["resource"])
    accepted = ActivityDependencyForm({"resource": dpi.pk}, organization=org)
    assert accepted.is_valid() and accepted.cleaned_data["resource"] == dpi
    for value in (foreign.pk, "abc", 10**9):
        refused = ActivityDependencyForm({"resource": value}, organization=org)
        assert not refused.is_valid() and "resource" in refused.errors


def test_a_business_owner_is_offered_only_shared_resources_and_their_establishments(org) -> None:
    mine = Establishment.objects.get(organization=org)
    other = Establishment.objects.create(organization=org, name="Autre CH", finess_ej=luhn_complete("45999998"))
    shared = ResourceFactory(organization=org, name="Messagerie", establishment=None)
    own = ResourceFactory(organization=org, name="Automate local", establishment=mine)
    hidden = ResourceFactory(organization=org, name="PACS de l'autre CH", establishment=other)
    form = ActivityDependencyForm(organization=org, establishment_ids={mine.pk})
    page = str(form["resource"])
    assert shared.name in page and own.name in page and "PACS de l" not in page
    assert not ActivityDependencyForm({"resource": hidden.pk}, organization=org,
                                      establishment_ids={mine.pk}).is_valid()


def test_upstream_activities_are_grouped_by_establishment_without_the_activity_itself(org) -> None:
    urgences = activity_in(org, name="Urgences")
    labo = activity_in(org, name="Laboratoire")
    form = ActivityLinkForm(organization=org, exclude=urgences.pk)
    select = html.fragment_fromstring(str(form["depends_on"]), create_parent="div").find("select")
    groups = {g.get("label"): [o.text for o in g.iter("option")] for g in select.iter("optgroup")}
    assert groups == {str(labo.establishment): ["Laboratoire"]}
    assert not ActivityLinkForm({"depends_on": urgences.pk}, organization=org, exclude=urgences.pk).is_valid()


def test_the_business_owner_drop_down_names_members_with_their_role(org, member_factory) -> None:
    from apps.tenants.models import Membership
    from apps.tenants.roles import Role

    user = member_factory(org, Role.BUSINESS_OWNER, user__first_name="Sophie", user__last_name="Garnier")
    member = Membership.objects.get(organization=org, user=user)
    form = ActivityForm(organization=org)
    assert "Sophie Garnier — " in str(form["owner"])
    assert ActivityForm({"owner": member.pk}, organization=org).fields["owner"].clean(member.pk) == member
