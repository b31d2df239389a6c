"""Issue 12, plans side: the frozen perimeter, which versions count, what « covered » means, the completeness
checklist and its acknowledgement, recovery moves before a dependency."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from apps.bia.engine import ResourceNode, build_graph
from apps.bia.models import Activity, CarePerimeter, Resource
from apps.continuity import checks, exports, selectors, services
from apps.continuity.models import NotApplicable, PlanVersion, RecoveryStep
from apps.continuity.recovery import dependency_violations
from apps.tenants.roles import Role
from tests.bia.factories import ActivityDependencyFactory, ResourceDependencyFactory, ResourceFactory, activity_in
from tests.continuity.factories import approved_plan, complete, degraded_mode, plan_in, scenario
from tests.continuity.test_views import url

pytestmark = pytest.mark.django_db

IS, SITE = "is_unavailable", "site_unavailable"


def _approve(plan, **kwargs):
    services.plan_submit(plan=plan, actor=None)
    version = services.plan_approve(plan=plan, actor=None, acknowledge_incomplete=True, **kwargs)
    plan.refresh_from_db()
    return version


# --- 1. The perimeter is part of the frozen version -------------------------------------------------------------

def test_a_draft_v2_that_widens_the_perimeter_counts_for_nothing_until_approved(org) -> None:
    care = activity_in(org, name="Urgences", care_perimeter=CarePerimeter.CARE_SERVICE, criticality="critical")
    admin = activity_in(org, name="Paie", care_perimeter=CarePerimeter.ADMIN_PROCESS, criticality="critical")
    tech = activity_in(org, name="PUI", care_perimeter=CarePerimeter.TECHNICAL_PLATFORM, criticality="critical")
    plan = approved_plan(org, activities=[care])
    v1 = plan.current_version
    assert checks.plans_scenarios_and_perimeters(org).status == "partial"
    assert set(checks.covered_establishments(org)[care.establishment_id]) == {CarePerimeter.CARE_SERVICE}

    services.plan_update_perimeter(plan=plan, actor=None, title=plan.title, care_perimeter=plan.care_perimeter,
                                   activities=[care, admin, tech], scenarios=[scenario(org, IS), scenario(org, SITE)])
    for a in (care, admin, tech):
        for kind in (IS, SITE):
            if (a, kind) != (care, IS):
                degraded_mode(plan, a, scenario(org, kind))
    plan.refresh_from_db()
    assert plan.current_version.status == PlanVersion.Status.DRAFT
    result = checks.plans_scenarios_and_perimeters(org)
    assert result.status == "partial"
    assert str(result.summary).startswith("1 des 3 périmètres minimaux")
    assert set(checks.covered_establishments(org)[care.establishment_id]) == {CarePerimeter.CARE_SERVICE}
    # The frozen v1 keeps its own perimeter; widening the draft does not flag v1 « à revoir ».
    assert selectors.version_perimeter(version=v1)[0] == [care.pk]
    assert selectors.plan_list(organization=org)[0].review_changes == []

    complete(plan)
    _approve(plan)
    assert checks.plans_scenarios_and_perimeters(org).status == "met"
    assert checks.covered_establishments(org)[care.establishment_id] == {
        CarePerimeter.CARE_SERVICE, CarePerimeter.ADMIN_PROCESS, CarePerimeter.TECHNICAL_PLATFORM}


def test_existing_approved_versions_keep_the_perimeter_frozen_by_the_data_migration(org) -> None:
    """Approval writes the frozen rows; the migration wrote the same for versions approved before it."""
    care = activity_in(org, name="Urgences", criticality="critical")
    plan = approved_plan(org, activities=[care])
    v1 = plan.current_version
    assert v1.perimeter_frozen and v1.perimeter_establishment_id == plan.establishment_id
    assert selectors.version_perimeter(version=v1) == ([care.pk], [scenario(org, IS).pk])


# --- 2. Only approved and current versions count ----------------------------------------------------------------

def test_a_plan_to_review_does_not_count(org) -> None:
    care = activity_in(org, name="Urgences", care_perimeter=CarePerimeter.CARE_SERVICE, criticality="critical",
                       dmia_override_hours=4, dmia_override_justification="Vital")
    plan = approved_plan(org, activities=[care])
    assert checks.plans_scenarios_and_perimeters(org).status == "partial"
    assert selectors.coverage_matrix(organization=org)["scenario_covered"][0] is True
    Activity.objects.filter(pk=care.pk).update(dmia_override_hours=2)  # the BIA changed: « à revoir »
    result = checks.plans_scenarios_and_perimeters(org)
    assert any("à revoir" in str(m) for m in result.missing)
    assert "Aucun plan approuvé ne couvre le scénario d'indisponibilité" in " ".join(map(str, result.missing))
    assert checks.covered_establishments(org) == {}
    matrix = selectors.coverage_matrix(organization=org)
    assert matrix["scenario_covered"][0] is False
    assert [c.plan for c in matrix["to_review"]] == [plan]
    assert matrix["rows"][0]["cells"][0].degraded_mode and not matrix["rows"][0]["cells"][0].approved


# --- 3. Covered scenario: every critical activity has a degraded mode or a « sans objet » ------------------------

def test_a_scenario_is_covered_only_when_every_critical_activity_has_a_mode_or_not_applicable(org) -> None:
    a = activity_in(org, name="Urgences", criticality="critical")
    b = activity_in(org, name="Réanimation", criticality="high")
    low = activity_in(org, name="Cafétéria", criticality="low")  # not critical: needs nothing
    plan = plan_in(org, activities=[a, b, low], kinds=(IS, SITE))
    for act, kind in ((a, IS), (b, IS), (a, SITE)):
        degraded_mode(plan, act, scenario(org, kind))
    _approve(plan)
    kinds = checks._covered(org)[0]
    assert kinds == {IS}
    matrix = selectors.coverage_matrix(organization=org)
    by_kind = dict(zip([s.kind for s in matrix["scenarios"]], matrix["scenario_covered"], strict=True))
    assert by_kind[IS] is True and by_kind[SITE] is False  # the matrix says what the requirement says
    assert "« PCA Urgences » : 1 scénario(s) couvert(s) sur 2" in " ".join(
        map(str, checks.plans_scenarios_and_perimeters(org).missing))

    services.not_applicable_save(plan=plan, actor=None, activity=b, scenario=scenario(org, SITE),
                                 reason="Réanimation sur un autre site, plan de ce site")
    assert checks._covered(org)[0] == {IS}  # the draft v2 counts for nothing yet
    _approve(plan)
    assert checks._covered(org)[0] == {IS, SITE}
    matrix = selectors.coverage_matrix(organization=org)
    by_kind = dict(zip([s.kind for s in matrix["scenarios"]], matrix["scenario_covered"], strict=True))
    assert by_kind[SITE] is True
    row_b = next(r for r in matrix["rows"] if r["activity"] == b)
    site_cell = row_b["cells"][[s.kind for s in matrix["scenarios"]].index(SITE)]
    assert site_cell.not_applicable == ["Réanimation sur un autre site, plan de ce site"] and site_cell.approved


def test_a_perimeter_without_critical_activity_needs_a_mode_for_each_activity(org) -> None:
    a = activity_in(org, name="Accueil", criticality="medium")
    b = activity_in(org, name="Archives", criticality="low")
    plan = plan_in(org, activities=[a, b])
    degraded_mode(plan, a, scenario(org))
    _approve(plan)
    assert checks._covered(org)[0] == set()
    assert selectors.covered_scenario_ids({a.pk: "medium", b.pk: "low"}, [1], {(a.pk, 1), (b.pk, 1)}) == {1}


def test_not_applicable_needs_its_reason(org) -> None:
    a = activity_in(org, name="Urgences", criticality="critical")
    plan = plan_in(org, activities=[a], kinds=(IS, SITE))
    for reason in ("", "   "):
        with pytest.raises(ValidationError):
            services.not_applicable_save(plan=plan, actor=None, activity=a, scenario=scenario(org, SITE),
                                         reason=reason)
    assert not NotApplicable.objects.filter(version__plan=plan).exists()
    item = services.not_applicable_save(plan=plan, actor=None, activity=a, scenario=scenario(org, SITE),
                                        reason="Bâtiment unique, couvert par le plan blanc")
    assert item.reason == "Bâtiment unique, couvert par le plan blanc"
    # A degraded mode written later replaces it; a « sans objet » is refused where a mode exists.
    degraded_mode(plan, a, scenario(org, SITE))
    assert not NotApplicable.objects.filter(version__plan=plan).exists()
    with pytest.raises(ValidationError):
        services.not_applicable_save(plan=plan, actor=None, activity=a, scenario=scenario(org, SITE), reason="x")
    # It is recorded in the version: copied into the next draft, frozen in the approved one.
    services.not_applicable_save(plan=plan, actor=None, activity=a, scenario=scenario(org, IS), reason="Sans SI")
    v1 = _approve(plan)
    assert list(v1.snapshot["not_applicable"].values()) == [
        {"activity_id": a.pk, "scenario_kind": IS, "reason": "Sans SI"}]
    services.return_and_communication_save(plan=plan, actor=None, data={"communication_ars": "Appel"})
    plan.refresh_from_db()
    assert NotApplicable.objects.get(version=plan.current_version).reason == "Sans SI"


def test_not_applicable_through_the_degraded_modes_step(org, member_factory, client_for) -> None:
    a = activity_in(org, name="Urgences", criticality="critical")
    plan = plan_in(org, activities=[a])
    client = client_for(member_factory(org, Role.RPCRA))
    step = url(org, "plan-step", pk=plan.pk, step=3)
    refused = client.post(step, {"not_applicable": "1", "na-activity": a.pk, "na-scenario": scenario(org).pk,
                                 "na-reason": ""})
    assert refused.status_code == 400
    assert client.post(step, {"not_applicable": "1", "na-activity": a.pk, "na-scenario": scenario(org).pk,
                              "na-reason": "Activité sans informatique"}).status_code == 302
    page = client.get(step).content.decode()
    assert "Activité sans informatique" in page
    item = NotApplicable.objects.get(version__plan=plan)
    assert client.post(url(org, "item-delete", pk=plan.pk, kind="sans-objet", item=item.pk)).status_code == 302
    assert not NotApplicable.objects.filter(version__plan=plan).exists()


# --- 4. Completeness checklist and acknowledgement -------------------------------------------------------------

def test_approving_an_incomplete_plan_needs_the_acknowledgement_which_is_recorded(org, member_factory) -> None:
    a = activity_in(org, name="Urgences", criticality="critical")
    b = activity_in(org, name="Réanimation", criticality="critical")
    plan = plan_in(org, activities=[a, b])
    degraded_mode(plan, a, scenario(org))
    missing = selectors.completeness(version=plan.current_version)
    assert len(missing) == 5  # Réanimation × SI, fiche réflexe, recovery, return to nominal, communication
    assert "Réanimation" in missing[0]
    services.plan_submit(plan=plan, actor=None)
    with pytest.raises(ValidationError):
        services.plan_approve(plan=plan, actor=None)
    plan.refresh_from_db()
    assert plan.current_version.status == PlanVersion.Status.SUBMITTED
    director = member_factory(org, Role.DIRECTION)
    version = services.plan_approve(plan=plan, actor=director, acknowledge_incomplete=True)
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.APPROVED
    assert version.incomplete_acknowledged_by == director and version.incomplete_acknowledged_at is not None
    assert version.incomplete_missing == missing


def test_a_complete_plan_is_approved_without_acknowledgement(org) -> None:
    a = activity_in(org, name="Urgences", criticality="critical")
    plan = plan_in(org, activities=[a], with_mode=True)
    complete(plan)
    assert selectors.completeness(version=plan.current_version) == []
    services.plan_submit(plan=plan, actor=None)
    version = services.plan_approve(plan=plan, actor=None)
    assert version.incomplete_missing == [] and version.incomplete_acknowledged_by is None


def test_checklist_and_acknowledgement_in_the_pages(org, member_factory, client_for) -> None:
    a = activity_in(org, name="Urgences", criticality="critical")
    plan = plan_in(org, activities=[a], with_mode=True)
    rpcra = client_for(member_factory(org, Role.RPCRA))
    submit_page = rpcra.get(url(org, "plan-step", pk=plan.pk, step=7)).content.decode()
    assert "Aucune fiche réflexe." in submit_page and "Complétude : 4 manques." in submit_page
    rpcra.post(url(org, "plan-step", pk=plan.pk, step=7))
    direction = client_for(member_factory(org, Role.DIRECTION))
    detail = direction.get(url(org, "plan-detail", pk=plan.pk)).content.decode()
    assert 'name="acknowledge_incomplete"' in detail
    decision = url(org, "plan-decision", pk=plan.pk, decision="approuver")
    direction.post(decision)
    plan.refresh_from_db()
    assert plan.current_version.status == PlanVersion.Status.SUBMITTED  # refused without the box
    direction.post(decision, {"acknowledge_incomplete": "on"})
    plan.refresh_from_db()
    assert plan.current_version.status == PlanVersion.Status.APPROVED
    detail = direction.get(url(org, "plan-detail", pk=plan.pk)).content.decode()
    printed = direction.get(url(org, "print", pk=plan.pk)).content.decode()
    for page in (detail, printed):
        assert "Approuvé incomplet, en connaissance de cause" in page
        assert "Aucune fiche réflexe." in page


# --- 5. Recovery order: before a dependency -------------------------------------------------------------------

def _hospital(org):
    dpi = activity_in(org, name="Urgences", criticality="critical", dmia_override_hours=4, dmia_override_justification="Vital")
    app = ResourceFactory(organization=org, name="DPI", kind=Resource.Kind.APPLICATION)
    directory = ResourceFactory(organization=org, name="Annuaire", kind=Resource.Kind.INFRASTRUCTURE)
    network = ResourceFactory(organization=org, name="Réseau", kind=Resource.Kind.INFRASTRUCTURE)
    ActivityDependencyFactory(organization=org, activity=dpi, resource=app)
    ResourceDependencyFactory(organization=org, resource=app, depends_on=directory)
    ResourceDependencyFactory(organization=org, resource=directory, depends_on=network)
    plan = plan_in(org, activities=[dpi], with_mode=True)
    services.recovery_propose(plan=plan, actor=None)
    return plan, app, directory, network


def _order(plan):
    plan.refresh_from_db()
    return list(RecoveryStep.objects.filter(version=plan.current_version).order_by("position")
                .values_list("resource__name", flat=True))


def test_moving_a_system_before_its_dependencies_is_refused_unless_confirmed(org) -> None:
    plan, app, directory, network = _hospital(org)
    assert _order(plan) == ["Réseau", "Annuaire", "DPI"]
    step = RecoveryStep.objects.get(version__plan=plan, resource=app)
    with pytest.raises(ValidationError) as refused:
        services.recovery_step_move(plan=plan, actor=None, step=step, position=1, reason="test")
    assert refused.value.error_list[0].code == "dependency"
    assert _order(plan) == ["Réseau", "Annuaire", "DPI"]
    # Moving the network (a dependency) after what needs it is refused the same way.
    with pytest.raises(ValidationError):
        services.recovery_step_move(plan=plan, actor=None, step=RecoveryStep.objects.get(
            version__plan=plan, resource=network), position=3, reason="test")
    moved = services.recovery_step_move(plan=plan, actor=None, step=step, position=1, reason="test",
                                        confirm_dependency=True)
    assert moved.dependency_confirmed
    assert _order(plan) == ["DPI", "Réseau", "Annuaire"]
    warnings = selectors.recovery_warnings(organization=org, steps=selectors.version_parts(
        version=plan.current_version)["recovery_steps"])
    assert warnings == {app.pk: "Redémarré avant Réseau, Annuaire, dont il dépend."}


def test_a_move_that_respects_dependencies_needs_no_confirmation(org) -> None:
    plan, app, directory, network = _hospital(org)
    other = ResourceFactory(organization=org, name="Messagerie", kind=Resource.Kind.APPLICATION)
    ActivityDependencyFactory(organization=org, activity=plan.plan_activities.first().activity, resource=other)
    services.recovery_propose(plan=plan, actor=None)
    step = RecoveryStep.objects.get(version__plan=plan, resource=other)
    services.recovery_step_move(plan=plan, actor=None, step=step, position=1, reason="Messagerie de crise d'abord")
    assert _order(plan)[0] == "Messagerie"
    assert not RecoveryStep.objects.get(version__plan=plan, resource=other).dependency_confirmed


def test_a_confirmed_move_is_warned_in_the_plan_the_print_kit_and_the_dossier(org, member_factory, client_for):
    plan, app, directory, network = _hospital(org)
    client = client_for(member_factory(org, Role.RPCRA))
    step = RecoveryStep.objects.get(version__plan=plan, resource=app)
    move = url(org, "recovery-move", pk=plan.pk, item=step.pk)
    client.post(move, {"position": 1, "reason": "test"})
    assert _order(plan) == ["Réseau", "Annuaire", "DPI"]  # refused without the box
    client.post(move, {"position": 1, "reason": "test", "confirm_dependency": "on"})
    assert _order(plan) == ["DPI", "Réseau", "Annuaire"]
    expected = "Redémarré avant Réseau, Annuaire, dont il dépend."
    for name in ("plan-detail", "print"):
        assert expected in client.get(url(org, name, pk=plan.pk)).content.decode()
    assert expected in client.get(url(org, "plan-step", pk=plan.pk, step=5)).content.decode()
    html = render_to_string("continuity/exports/section.html", exports.plans_context(org))
    assert expected not in html  # a draft is listed in the dossier, never printed as a plan
    # Frozen at approval: the approved snapshot and the dossier keep the warning.
    version = _approve(plan)
    assert version.snapshot["recovery"][0]["dependency_warning"] == expected
    assert expected in render_to_string("continuity/exports/section.html", exports.plans_context(org))


def test_dependency_violations_ignore_the_members_of_a_cycle() -> None:
    graph = build_graph([], [ResourceNode(id=i, name=str(i), kind="infrastructure") for i in (1, 2, 3)],
                        resource_resource=[(1, 2, False), (2, 1, False), (2, 3, False)])
    assert dependency_violations(graph, [3, 1, 2]) == {}
    assert dependency_violations(graph, [1, 2, 3]) == {1: (3,), 2: (3,)}
