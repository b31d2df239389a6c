"""Workaround duration (how long a degraded mode holds) and the explanations of the BIA pages, through the
services and the pages: W known carries W + DMIA, W unknown carries nothing and warns."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.bia import selectors, services
from apps.bia.forms import ActivityDependencyForm, ActivityLinkForm, ResourceDependencyForm
from apps.bia.models import ActivityDependency
from tests.bia.factories import ResourceFactory, activity_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def bloc(org, scales):
    return activity_in(org, name="Bloc opératoire", dmia_override_hours=4, dmia_override_justification="Vital",
                       pdma_hours=1, criticality="critical")


@pytest.fixture
def pacs(org):
    return ResourceFactory(organization=org, name="PACS", rto_capability_hours=72, rpo_capability_hours=24)


@pytest.mark.parametrize(("hours", "ok"), [(0, False), (1, True), (8760, True), (8761, False)])
def test_the_duration_is_bounded(bloc, pacs, hours, ok) -> None:
    if ok:
        dep = services.activity_dependency_set(activity=bloc, actor=None, resource=pacs, workaround_exists=True,
                                               workaround_hours=hours)
        assert ActivityDependency.objects.get(pk=dep.pk).workaround_hours == hours
    else:
        with pytest.raises(ValidationError):
            services.activity_dependency_set(activity=bloc, actor=None, resource=pacs, workaround_exists=True,
                                             workaround_hours=hours)


def test_no_workaround_no_duration(bloc, pacs) -> None:
    dep = services.activity_dependency_set(activity=bloc, actor=None, resource=pacs, workaround_exists=False,
                                           workaround_hours=48)
    assert dep.workaround_hours is None
    # The database refuses a duration without workaround, or out of bounds, whoever writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityDependency.objects.filter(pk=dep.pk).update(workaround_hours=48)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityDependency.objects.filter(pk=dep.pk).update(workaround_exists=True, workaround_hours=9000)


def test_forms_take_the_duration_only_with_a_workaround(org, bloc, pacs) -> None:
    other = activity_in(org, name="Imagerie")
    cases = [
        (ActivityDependencyForm, {"resource": pacs.pk}, {}),
        (ResourceDependencyForm, {"depends_on": ResourceFactory(organization=org).pk}, {"exclude": pacs.pk}),
        (ActivityLinkForm, {"depends_on": other.pk}, {"exclude": bloc.pk}),
    ]
    for form_class, data, kwargs in cases:
        good = form_class({**data, "workaround_exists": "on", "workaround_hours": "48"}, organization=org, **kwargs)
        assert good.is_valid(), good.errors
        assert good.cleaned_data["workaround_hours"] == 48
        assert form_class({**data, "workaround_exists": "on"}, organization=org, **kwargs).is_valid()
        alone = form_class({**data, "workaround_hours": "48"}, organization=org, **kwargs)
        assert not alone.is_valid() and "workaround_hours" in alone.errors
        for bad in ("0", "8761", "-5"):
            form = form_class({**data, "workaround_exists": "on", "workaround_hours": bad}, organization=org, **kwargs)
            assert not form.is_valid() and "workaround_hours" in form.errors


def test_a_known_duration_carries_w_plus_dmia_and_the_page_shows_it(org, bloc, pacs, admin_user, client_for) -> None:
    services.activity_dependency_set(activity=bloc, actor=None, resource=pacs, workaround_exists=True,
                                     workaround_hours=48)
    graph, analysis = selectors.bia_analysis(organization=org)
    assert analysis.rto_requirements[("resource", pacs.pk)].hours == 52
    client = client_for(admin_user)
    page = client.get(reverse("bia:gaps", kwargs={"org_slug": org.slug})).content.decode()
    est = bloc.establishment
    assert (f"Bloc opératoire ({est}) tient 48 h en mode dégradé + DMIA 4 h</span> <span aria-hidden=\"true\">→"
            f"</span> <span class=\"gap-step\">PACS doit revenir sous 52 h") in page
    assert "72 h promis pour 52 h requis, ×1,4" in page
    # RPO worded as data loss (the PDMA crosses the degraded mode unchanged).
    assert f"Bloc opératoire ({est}) peut perdre au plus 1 h de données (PDMA)" in page
    assert "PACS peut perdre 24 h de données" in page
    assert "jusqu&#x27;à 24 h de données perdues pour une PDMA de 1 h, ×24" in page
    assert "contournement sans durée" not in page
    resource_page = client.get(reverse("bia:resource-detail", kwargs={"org_slug": org.slug, "pk": pacs.pk}))
    assert "PACS doit revenir sous 52 h" in resource_page.content.decode()
    assert "tient 48 h en mode dégradé" in resource_page.content.decode()


def test_an_unknown_duration_carries_nothing_and_warns(org, bloc, pacs, admin_user, client_for) -> None:
    services.activity_dependency_set(activity=bloc, actor=None, resource=pacs, workaround_exists=True)
    _graph, analysis = selectors.bia_analysis(organization=org)
    assert ("resource", pacs.pk) not in analysis.rto_requirements
    warning = f"contournement sans durée : le besoin de Bloc opératoire ({bloc.establishment}) (4 h) n&#x27;est pas reporté sur PACS"
    client = client_for(admin_user)
    assert warning in client.get(reverse("bia:gaps", kwargs={"org_slug": org.slug})).content.decode()
    resource_page = client.get(reverse("bia:resource-detail", kwargs={"org_slug": org.slug, "pk": pacs.pk}))
    assert warning in resource_page.content.decode()
    assert "durée inconnue : besoin non reporté" in resource_page.content.decode()
    activity_page = client.get(reverse("bia:activity-detail", kwargs={"org_slug": org.slug, "pk": bloc.pk}))
    assert warning in activity_page.content.decode()
    # Once the duration is recorded the warning goes and the need arrives.
    services.activity_dependency_set(activity=bloc, actor=None, resource=pacs, workaround_exists=True,
                                     workaround_hours=24)
    page = client.get(reverse("bia:gaps", kwargs={"org_slug": org.slug})).content.decode()
    assert "contournement sans durée" not in page and "PACS doit revenir sous 28 h" in page


def test_pages_list_the_first_20_workarounds_without_a_duration_and_the_workbook_all(org, scales, pacs, admin_user,
                                                                                  client_for) -> None:
    from django.utils import translation

    from apps.bia import exports
    from apps.exports.registry import xlsx_sheets

    for i in range(selectors.UNCARRIED_LISTED + 5):
        activity = activity_in(org, name=f"Activité {i:02d}", dmia_override_hours=4, dmia_override_justification="x")
        services.activity_dependency_set(activity=activity, actor=None, resource=pacs, workaround_exists=True)
    client = client_for(admin_user)
    more = "5 autres contournements sans durée dans le classeur XLSX (feuille « Contournements sans durée »)."
    for page in (client.get(reverse("bia:gaps", kwargs={"org_slug": org.slug})).content.decode(),
                 client.get(reverse("bia:resource-detail", kwargs={"org_slug": org.slug, "pk": pacs.pk})).content.decode()):
        assert page.count("contournement sans durée : le besoin de") == selectors.UNCARRIED_LISTED
        assert more in page
    sheet = next(s for s in xlsx_sheets() if s.key == "bia_uncarried")
    with translation.override("fr"):
        assert str(sheet.title) == "Contournements sans durée"
        rows = list(exports.uncarried_need_rows(org))
    assert len(rows) == selectors.UNCARRIED_LISTED + 5 and all(len(r) == len(sheet.columns) for r in rows)
    assert rows[0][0] == "Activité" and rows[0][2] == "Application" and rows[0][3] == "PACS" and rows[0][4:] == [4, None]


def test_a_link_between_activities_carries_the_duration_too(org, bloc, admin_user, client_for) -> None:
    sterilisation = activity_in(org, name="Stérilisation", dmia_override_hours=168, dmia_override_justification="x")
    services.activity_link_set(activity=bloc, actor=None, depends_on=sterilisation, workaround_exists=True,
                               workaround_hours=24)
    _graph, analysis = selectors.bia_analysis(organization=org)
    gap = next(g for g in analysis.gaps if g.node == ("activity", sterilisation.pk))
    assert (gap.required_hours, gap.capable_hours, gap.workarounds) == (28, 168, (24,))
    page = client_for(admin_user).get(reverse("bia:gaps", kwargs={"org_slug": org.slug})).content.decode()
    assert f"Stérilisation ({sterilisation.establishment}) doit revenir sous 28 h" in page
    assert "DMIA 168 h pour 28 h requis, ×6" in page


def test_achievable_recovery_names_what_limits_it(org, bloc, admin_user, client_for) -> None:
    dpi = ResourceFactory(organization=org, name="DPI", rto_capability_hours=4)
    ad = ResourceFactory(organization=org, name="Active Directory", kind="infrastructure", rto_capability_hours=48)
    services.activity_dependency_set(activity=bloc, actor=None, resource=dpi)
    services.resource_dependency_set(resource=dpi, actor=None, depends_on=ad)
    page = client_for(admin_user).get(
        reverse("bia:activity-detail", kwargs={"org_slug": org.slug, "pk": bloc.pk})).content.decode()
    assert "48 h — limitée par Active Directory (RTO promis 48 h)" in page
    assert f"Bloc opératoire ({bloc.establishment}) → DPI → Active Directory" in page


def test_spofs_show_their_paths_and_empty_sections_say_none(org, scales, admin_user, client_for) -> None:
    url = reverse("bia:gaps", kwargs={"org_slug": org.slug})
    client = client_for(admin_user)
    empty = client.get(url).content.decode()
    assert "Capacités non renseignées</h2>\n<p>Aucune</p>" in empty
    assert "Points uniques de défaillance</h2>\n<p>Aucun</p>" in empty
    # Two activities with the same name in two establishments: the establishment tells them apart.
    from apps.bia.models import Activity
    from tests.factories import EstablishmentFactory

    ad = ResourceFactory(organization=org, name="Active Directory", kind="infrastructure", rto_capability_hours=24)
    for est_name in ("CH de Saint-Aubin", "CHU de Valmont"):
        activity = activity_in(org, name=f"Accueil {est_name}", criticality="critical")
        Activity.objects.filter(pk=activity.pk).update(
            establishment=EstablishmentFactory(organization=org, name=est_name),
            name="Accueil et prise en charge des urgences")
        services.activity_dependency_set(activity=Activity.objects.get(pk=activity.pk), actor=None, resource=ad)
    page = client.get(url).content.decode()
    assert "Accueil et prise en charge des urgences (CH de Saint-Aubin) → Active Directory" in page
    assert "Accueil et prise en charge des urgences (CHU de Valmont) → Active Directory" in page


@pytest.mark.django_db(transaction=True)
def test_the_demo_shows_a_workaround_with_a_duration_and_one_without() -> None:
    from django.core.management import call_command
    from django.utils import translation
    from django_scopes import scope, scopes_disabled

    from apps.tenants.demo import GHT_SLUG
    from apps.tenants.models import Organization

    call_command("seed_demo")
    with scopes_disabled():
        ght = Organization.objects.get(slug=GHT_SLUG)
    with scope(organization=ght), translation.override("fr"):
        graph, analysis = selectors.bia_analysis(organization=ght)
        names = {k: graph.name(k) for k in graph.nodes()}
        with_duration = [r for k, r in analysis.rto_requirements.items()
                         if names[k] == "Logiciel de gestion du bloc"]
        assert with_duration and with_duration[0].workarounds == (24,)
        parts = selectors.requirement_parts(graph, with_duration[0], "rto")
        assert parts[0].startswith("Bloc opératoire (programmé et urgences) (") and "tient 24 h en mode dégradé" in parts[0]
        assert parts[-1].startswith("Logiciel de gestion du bloc doit revenir sous ")
        warnings = [u["sentence"] for u in selectors.uncarried_rows(graph, analysis)]
        assert any("Bloc opératoire (programmé et urgences)" in w and w.endswith("reporté sur PACS / RIS")
                   for w in warnings)
