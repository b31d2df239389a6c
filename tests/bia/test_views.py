"""BIA pages: questionnaire walk, object isolation between business owners, review, gaps, map data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.bia import services
from apps.bia.models import Activity, ActivityDependency, ImpactAnswer
from apps.core.tenancy import tenant_scope
from apps.tenants.roles import Role
from tests.bia.factories import ResourceFactory, activity_in

pytestmark = pytest.mark.django_db


def q_url(org, activity, step):
    return reverse("bia:questionnaire", kwargs={"org_slug": org.slug, "pk": activity.pk, "step": step})


def test_owner_walks_the_questionnaire_and_nothing_is_lost(org, scales, owned_activity, owner, client_for) -> None:
    client = client_for(owner)
    dpi = ResourceFactory(organization=org, name="DPI", rto_capability_hours=4)
    response = client.post(q_url(org, owned_activity, 1), {"description": "Accueil 24 h/24", "critical_periods": "Nuits"})
    assert response.status_code == 302 and response["Location"] == q_url(org, owned_activity, 2)
    grid = {f"c{c.pk}_h{h.pk}": "" for c in scales["criteria"] for h in scales["horizons"]}
    grid[f"c{scales['criteria'][0].pk}_h{scales['horizons'][0].pk}"] = "4"
    assert client.post(q_url(org, owned_activity, 2), grid).status_code == 302
    # Leaving and coming back: the answers are there.
    page = client.get(q_url(org, owned_activity, 2)).content.decode()
    assert 'value="4" selected' in page
    assert client.post(q_url(org, owned_activity, 3), {"pdma_hours": "1", "data_to_reenter": "Passages"}).status_code == 302
    assert client.post(q_url(org, owned_activity, 4), {"action": "add_dependency", "resource": dpi.pk}).status_code == 302
    assert client.post(q_url(org, owned_activity, 4), {"action": "next"}).status_code == 302
    assert client.post(q_url(org, owned_activity, 5), {"minimum_staff": "6", "key_skills": "IOA"}).status_code == 302
    response = client.post(q_url(org, owned_activity, 6), {"degraded_mode_exists": "on", "degraded_mode_description": ""})
    assert response.status_code == 400  # a degraded mode needs a description
    assert client.post(q_url(org, owned_activity, 6), {"degraded_mode_exists": "on",
                                                       "degraded_mode_description": "Dossiers papier"}).status_code == 302
    assert client.post(q_url(org, owned_activity, 7)).status_code == 302
    activity = Activity.objects.get(pk=owned_activity.pk)
    assert (activity.status, activity.dmia_hours, activity.pdma_hours, activity.minimum_staff) == ("submitted", 4, 1, 6)
    assert activity.questionnaire_step == 6 and activity.critical_periods == "Nuits"
    assert ActivityDependency.objects.filter(activity=activity, resource=dpi).exists()


def test_override_without_justification_is_refused(org, scales, owned_activity, owner, client_for) -> None:
    response = client_for(owner).post(q_url(org, owned_activity, 2), {"dmia_override_hours": "8"})
    assert response.status_code == 400
    assert Activity.objects.get(pk=owned_activity.pk).dmia_override_hours is None


def test_owner_cannot_open_another_owners_activity(org, scales, owned_activity, member_factory, client_for) -> None:
    other_owner = member_factory(org, Role.BUSINESS_OWNER)
    client = client_for(other_owner)
    for step in (1, 2, 7):
        assert client.get(q_url(org, owned_activity, step)).status_code == 404
    assert client.post(q_url(org, owned_activity, 1), {"description": "piraté"}).status_code == 404
    assert Activity.objects.get(pk=owned_activity.pk).description == ""
    # Nor the manager pages.
    assert client.get(reverse("bia:activities", kwargs={"org_slug": org.slug})).status_code == 403
    assert client.get(reverse("bia:activity-detail", kwargs={"org_slug": org.slug, "pk": owned_activity.pk})).status_code == 403


def test_my_activities_lists_only_mine(org, scales, owned_activity, owner, client_for) -> None:
    activity_in(org, name="Paie du personnel")
    page = client_for(owner).get(reverse("bia:my-activities", kwargs={"org_slug": org.slug})).content.decode()
    assert "Urgences adultes" in page and "Paie du personnel" not in page


def test_rpcra_validates_or_sends_back(org, scales, owned_activity, owner, rpcra, client_for) -> None:
    c = (scales["criteria"][0].pk, scales["horizons"][0].pk)
    services.impacts_save(activity=owned_activity, actor=owner, levels={c: 4})
    services.activity_save_step(activity=Activity.objects.get(pk=owned_activity.pk), actor=owner, step=3,
                                data={"pdma_hours": 1})
    services.activity_submit(activity=Activity.objects.get(pk=owned_activity.pk), actor=owner)
    url = reverse("bia:activity-review", kwargs={"org_slug": org.slug, "pk": owned_activity.pk})
    client = client_for(rpcra)
    client.post(url, {"decision": "send_back", "comment": "Compléter les dépendances."})
    assert Activity.objects.get(pk=owned_activity.pk).status == "sent_back"
    services.activity_submit(activity=Activity.objects.get(pk=owned_activity.pk), actor=owner)
    client.post(url, {"decision": "validate"})
    assert Activity.objects.get(pk=owned_activity.pk).status == "validated"
    # The business owner cannot validate.
    assert client_for(owner).post(url, {"decision": "validate"}).status_code == 403


def test_gap_page_explains_the_path(org, scales, admin_user, client_for) -> None:
    urgences = activity_in(org, name="Urgences", dmia_override_hours=4, dmia_override_justification="Vital")
    dpi = ResourceFactory(organization=org, name="DPI", rto_capability_hours=4)
    ad = ResourceFactory(organization=org, name="Active Directory", kind="infrastructure", rto_capability_hours=24)
    services.activity_dependency_set(activity=urgences, actor=None, resource=dpi)
    services.resource_dependency_set(resource=dpi, actor=None, depends_on=ad)
    page = client_for(admin_user).get(reverse("bia:gaps", kwargs={"org_slug": org.slug})).content.decode()
    assert f"Urgences ({urgences.establishment}) a besoin de 4 h" in page
    assert "Active Directory promet 24 h" in page
    assert "24 h promis pour 4 h requis, ×6" in page


def test_map_data_is_json_and_filtered(org, scales, admin_user, client_for) -> None:
    critical = activity_in(org, name="Réanimation", criticality="critical")
    low = activity_in(org, name="Restauration", criticality="low")
    r = ResourceFactory(organization=org, name="DPI")
    services.activity_dependency_set(activity=critical, actor=None, resource=r)
    services.activity_dependency_set(activity=low, actor=None, resource=ResourceFactory(organization=org, name="GEF"))
    url = reverse("bia:map-data", kwargs={"org_slug": org.slug})
    data = client_for(admin_user).get(url, {"criticality": "high"}).json()
    labels = {n["data"]["label"] for n in data["nodes"]}
    assert labels == {"Réanimation", "DPI"}
    assert len(data["edges"]) == 1


def test_map_data_is_gzipped_for_browsers_that_accept_it(org, scales, admin_user, client_for) -> None:
    import gzip
    import json

    from apps.bia import selectors

    critical = activity_in(org, name="Réanimation", criticality="critical")
    services.activity_dependency_set(activity=critical, actor=None, resource=ResourceFactory(organization=org,
                                                                                              name="DPI"))
    url = reverse("bia:map-data", kwargs={"org_slug": org.slug})
    client = client_for(admin_user)
    plain = client.get(url)
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    compressed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert compressed["Content-Encoding"] == "gzip" and compressed["Content-Type"] == "application/json"
    assert json.loads(gzip.decompress(compressed.content)) == plain.json()
    assert {n["data"]["label"] for n in plain.json()["nodes"]} == {"Réanimation", "DPI"}
    # The whole map the worker prepares with the analysis is the same as the one built on request.
    with tenant_scope(org):
        graph, analysis = selectors.compute_analysis(organization=org, prepare=True)
    assert json.loads(gzip.decompress(analysis.stored["map::"])) == plain.json()


def test_scales_change_recomputes(org, scales, owned_activity, owner, admin_user, client_for) -> None:
    services.impacts_save(activity=owned_activity, actor=owner,
                          levels={(scales["criteria"][0].pk, scales["horizons"][1].pk): 3})
    url = reverse("bia:scales", kwargs={"org_slug": org.slug})
    response = client_for(admin_user).post(url, {"intolerable_level": 4, "critical_max_dmia_hours": 4,
                                                 "high_max_dmia_hours": 24, "medium_max_dmia_hours": 72})
    assert response.status_code == 302
    assert Activity.objects.get(pk=owned_activity.pk).dmia_hours is None
    assert ImpactAnswer.objects.filter(activity=owned_activity).count() == 1


def test_catalogue_page_imports(org, admin_user, client_for) -> None:
    from apps.tenants.models import Establishment

    est = Establishment.objects.get(organization=org)
    url = reverse("bia:catalogue", kwargs={"org_slug": org.slug})
    client = client_for(admin_user)
    assert client.get(url).status_code == 200
    assert client.post(url, {"establishment": est.pk, "activity": ["pui-dispensation"]}).status_code == 302
    assert Activity.objects.filter(organization=org, catalogue_code="pui-dispensation").exists()


def test_member_limited_to_an_establishment_sees_only_its_gaps(org, scales, admin_user, member_factory,
                                                                client_for) -> None:
    """Gaps, needs and single points of failure are computed on the member's establishments only."""
    from guardian.shortcuts import assign_perm

    from apps.tenants.models import Membership
    from tests.factories import EstablishmentFactory

    own = EstablishmentFactory(organization=org, name="CH de Saint-Aubin")
    other = EstablishmentFactory(organization=org, name="CHU de Valmont")
    ad = ResourceFactory(organization=org, name="Active Directory", kind="infrastructure", rto_capability_hours=24)
    # The CHU's activity is the stricter one: organization-wide, AD's gap is explained from it.
    for establishment, name, dmia in ((own, "Urgences de Saint-Aubin", 8), (other, "Réanimation du CHU", 4)):
        activity = activity_in(org, name=name, dmia_override_hours=dmia, dmia_override_justification="Vital")
        Activity.objects.filter(pk=activity.pk).update(establishment=establishment)
        services.activity_dependency_set(activity=activity, actor=None, resource=ad)
    user = member_factory(org, Role.CONTRIBUTOR)
    Membership.objects.filter(user=user, organization=org).update(restricted_to_establishments=True)
    assign_perm("tenants.view_establishment", user, own)
    url = reverse("bia:gaps", kwargs={"org_slug": org.slug})
    everything = client_for(admin_user).get(url).content.decode()
    assert "Réanimation du CHU (CHU de Valmont) a besoin de 4 h" in everything
    limited = client_for(user).get(url).content.decode()
    assert "Urgences de Saint-Aubin (CH de Saint-Aubin) a besoin de 8 h" in limited
    assert "Réanimation du CHU" not in limited
