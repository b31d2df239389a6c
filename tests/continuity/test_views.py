"""Plan pages through the Django client: guided flow, approval rights, versions, print, coverage."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.continuity.models import DegradedMode, Plan, PlanVersion, ReflexSheet, Scenario
from apps.tenants.models import Membership
from apps.tenants.roles import Role
from tests.bia.factories import activity_in
from tests.continuity.factories import approved_plan, plan_in, scenario

pytestmark = pytest.mark.django_db


def url(org, name, **kwargs):
    return reverse(f"continuity:{name}", kwargs={"org_slug": org.slug, **kwargs})


def test_guided_flow_saves_each_step(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.RPCRA))
    activity = activity_in(org, name="Urgences adultes", care_perimeter="care_service")
    page = client.get(url(org, "plan-create"))
    assert page.status_code == 200 and "Urgences adultes" in page.content.decode()
    si = scenario(org)
    response = client.post(url(org, "plan-create"), {
        "title": "PCA Urgences", "care_perimeter": "care_service", "activities": [activity.pk],
        "scenarios": [si.pk]})
    plan = Plan.objects.get(organization=org)
    assert response.status_code == 302 and response["Location"] == url(org, "plan-step", pk=plan.pk, step=2)
    assert client.post(url(org, "plan-step", pk=plan.pk, step=2)).status_code == 302
    response = client.post(url(org, "plan-step", pk=plan.pk, step=3), {
        "activity": activity.pk, "scenario": si.pk, "trigger": "DPI indisponible", "decided_by": "Médecin senior",
        "procedure": "Dossiers papier"})
    assert response.status_code == 302
    response = client.post(url(org, "plan-step", pk=plan.pk, step=4), {
        "role": "IOA", "first_actions": "Ouvrir le registre", "order": 1})
    assert response.status_code == 302
    client.post(url(org, "plan-step", pk=plan.pk, step=6), {"communication_ars": "Signalement ARS"})
    assert client.post(url(org, "plan-step", pk=plan.pk, step=7)).status_code == 302
    plan.refresh_from_db()
    assert plan.wizard_step == 7 and plan.current_version.status == PlanVersion.Status.SUBMITTED
    assert plan.current_version.communication_ars == "Signalement ARS"
    assert ReflexSheet.objects.filter(version=plan.current_version, role="IOA").exists()


def test_invalid_step_shows_errors(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.RPCRA))
    plan = plan_in(org)
    response = client.post(url(org, "plan-step", pk=plan.pk, step=3), {"trigger": ""})
    assert response.status_code == 400
    assert not DegradedMode.objects.filter(version__plan=plan).exists()


def test_reader_cannot_edit(org, reader_user, client_for) -> None:
    plan = plan_in(org)
    client = client_for(reader_user)
    assert client.get(url(org, "plan-detail", pk=plan.pk)).status_code == 200
    assert client.post(url(org, "plan-step", pk=plan.pk, step=4),
                       {"role": "IOA", "first_actions": "x"}).status_code == 403
    assert "Continue editing" not in client.get(url(org, "plan-detail", pk=plan.pk)).content.decode()


def test_only_the_approver_can_approve(org, member_factory, client_for) -> None:
    plan = plan_in(org, with_mode=True)
    from apps.continuity import services

    services.plan_submit(plan=plan, actor=None)
    decision = url(org, "plan-decision", pk=plan.pk, decision="approuver")
    for role in (Role.RPCRA, Role.READER, Role.CONTRIBUTOR):
        assert client_for(member_factory(org, role)).post(decision).status_code == 403
    named = member_factory(org, Role.CONTRIBUTOR)
    rpcra_client = client_for(member_factory(org, Role.RPCRA))
    member_pk = Membership.objects.get(organization=org, user=named).pk
    assert rpcra_client.post(url(org, "approver", pk=plan.pk), {"approver": member_pk}).status_code == 403
    client_for(member_factory(org, Role.DIRECTION)).post(url(org, "approver", pk=plan.pk), {"approver": member_pk})
    assert client_for(named).post(decision, {"acknowledge_incomplete": "on"}).status_code == 302
    plan.refresh_from_db()
    assert plan.current_version.status == PlanVersion.Status.APPROVED
    assert plan.current_version.approved_by == named


def test_compare_shows_the_change(org, member_factory, client_for) -> None:
    plan = approved_plan(org)
    client = client_for(member_factory(org, Role.RPCRA))
    mode = DegradedMode.objects.get(version=plan.current_version)
    client.post(url(org, "degraded-mode-update", pk=plan.pk, item=mode.pk), {
        "activity": mode.activity_id, "scenario": mode.scenario_id, "trigger": mode.trigger,
        "decided_by": "Administrateur de garde", "procedure": mode.procedure})
    page = client.get(url(org, "compare", pk=plan.pk)).content.decode()
    assert "<del>Médecin senior</del>" in page and "<ins>Administrateur de garde</ins>" in page


def test_print_view_is_the_approved_version(org, reader_user, client_for) -> None:
    plan = approved_plan(org)
    from apps.continuity import services

    services.reflex_sheet_save(plan=plan, actor=None, data={"role": "Cadre de nuit", "first_actions": "Appeler"})
    page = client_for(reader_user).get(url(org, "print", pk=plan.pk)).content.decode()
    assert "Dossiers papier" in page and "Cadre de nuit" not in page  # the draft v2 is not the crisis kit
    assert "print.css" in page


def test_coverage_page_lists_gaps(org, reader_user, client_for) -> None:
    activity_in(org, name="Réanimation", criticality="critical")
    page = client_for(reader_user).get(url(org, "coverage")).content.decode()
    assert "Réanimation" in page and 'class="gap"' in page


def test_scenarios_page(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.RPCRA))
    assert client.get(url(org, "scenarios")).status_code == 200
    s = Scenario.objects.get(organization=org, kind=Scenario.Kind.SITE_UNAVAILABLE)
    assert client.post(url(org, "scenario-update", pk=s.pk), {"description": "Crue de la Loire"}).status_code == 302
    s.refresh_from_db()
    assert s.description == "Crue de la Loire"


def test_journey_home_shows_the_plans_stage(org, member_factory, client_for) -> None:
    approved_plan(org)
    page = client_for(member_factory(org, Role.RPCRA)).get(reverse("tenants:home", kwargs={"org_slug": org.slug}))
    assert page.status_code == 200
    assert "Plans de continuité" in page.content.decode()


@pytest.mark.parametrize("page_name", ["plan-detail", "plan-step-3", "compare", "print"])
def test_plan_pages_queries_do_not_grow(org, member_factory, client_for, django_assert_max_num_queries,
                                        page_name) -> None:
    from apps.continuity import services

    client = client_for(member_factory(org, Role.RPCRA))
    activities = [activity_in(org, name=f"Activité {i}", criticality="critical") for i in range(10)]
    plan = plan_in(org, activities=activities, kinds=(Scenario.Kind.IS_UNAVAILABLE, Scenario.Kind.SITE_UNAVAILABLE))
    si = scenario(org)

    def grow(start: int, stop: int) -> None:
        for a in activities[start:stop]:
            services.degraded_mode_save(plan=plan, actor=None, activity=a, scenario=si, data={
                "trigger": "Panne", "decided_by": "Cadre", "procedure": "Papier"})
            services.reflex_sheet_save(plan=plan, actor=None, data={"role": f"Rôle {a.pk}", "first_actions": "Agir"})

    target = (url(org, "plan-step", pk=plan.pk, step=3) if page_name == "plan-step-3"
              else url(org, page_name, pk=plan.pk))
    grow(0, 2)
    with django_assert_max_num_queries(40) as small:
        assert client.get(target).status_code == 200
    grow(2, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(target).status_code == 200
