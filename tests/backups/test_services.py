"""Backup services and checks: controls, restoration tests measuring the BIA capability, CaRE checks."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django_scopes import scope

from apps.backups import checks, selectors, services
from apps.backups.models import BackupControl, RestoreTest, Trajectory
from apps.bia import engine
from apps.bia.models import Resource
from apps.bia.selectors import bia_analysis
from apps.compliance.pdf import minimal_pdf
from apps.compliance.registry import CheckResult
from apps.tenants.models import Establishment
from tests.backups.factories import BackupControlFactory, MilestoneFactory, TrajectoryFactory
from tests.bia.factories import ActivityDependencyFactory, ActivityFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def critical_system(org, *, dmia=4, pdma=1, perimeter="care_service", **resource):
    activity = ActivityFactory(establishment=Establishment.objects.filter(organization=org).first(),
                               dmia_derived_hours=dmia, pdma_hours=pdma, care_perimeter=perimeter,
                               criticality="critical")
    dpi = ResourceFactory(organization=org, **{"name": "DPI", "rto_capability_hours": 4, "rpo_capability_hours": 1,
                                                          **resource})
    ActivityDependencyFactory(activity=activity, resource=dpi)
    return dpi


def test_control_save_creates_then_updates(org, admin_user) -> None:
    dpi = critical_system(org)
    with scope(organization=org):
        services.control_save(organization=org, actor=admin_user, resource=dpi, data={"frequency_hours": 24})
        control = services.control_save(organization=org, actor=admin_user, resource=dpi,
                                        data={"frequency_hours": 1, "offline_copy": True})
    control.refresh_from_db()
    assert (control.frequency_hours, control.offline_copy) == (1, True)
    assert BackupControl.objects.filter(resource=dpi).count() == 1


def test_control_refuses_another_organizations_system_and_suppliers(org, other_org, admin_user) -> None:
    foreign = ResourceFactory(organization=other_org)
    supplier = ResourceFactory(organization=org, kind=Resource.Kind.SUPPLIER)
    with scope(organization=org):
        for resource in (foreign, supplier):
            with pytest.raises(ValidationError):
                services.control_save(organization=org, actor=admin_user, resource=resource, data={})


def test_control_plan_upload_becomes_evidence(org, admin_user) -> None:
    dpi = critical_system(org)
    upload = SimpleUploadedFile("plan.pdf", minimal_pdf("Plan"), content_type="application/pdf")
    with scope(organization=org):
        control = services.control_save(organization=org, actor=admin_user, resource=dpi, data={},
                                        plan_upload=upload)
    assert control.plan_evidence.requirement_ids == ["D2.O2.B"]
    assert control.plan_evidence.organization_id == org.pk


def test_overview_flags_frequency_looser_than_the_pdma_and_critical_first(org, admin_user) -> None:
    dpi = critical_system(org)
    ResourceFactory(organization=org, name="AAA non critique")
    BackupControlFactory(resource=dpi, frequency_hours=24)
    with scope(organization=org):
        rows = selectors.system_rows(organization=org)
    assert rows[0].resource == dpi
    assert rows[0].serves_care and rows[0].required_pdma_hours == 1 and rows[0].frequency_too_loose
    assert not rows[1].critical


def _restore(org, actor, resource, **data):
    return services.restore_test_record(organization=org, actor=actor, data={
        "resource": resource, "tested_on": datetime.date(2026, 3, 1), "scope": RestoreTest.Scope.PRODUCTION,
        "measured_hours": Decimal("9"), "result": RestoreTest.Result.SUCCESS, "referent_name": "Dr Martin", **data})


def _gap(org, resource, kind="rto"):
    _graph, analysis = bia_analysis(organization=org)
    return next((g for g in analysis.gaps if g.node == (engine.RESOURCE, resource.pk) and g.kind == kind), None)


def test_a_successful_production_restore_measures_the_capability_and_opens_a_gap(org, admin_user) -> None:
    dpi = critical_system(org)
    with scope(organization=org):
        assert _gap(org, dpi) is None
        test = _restore(org, admin_user, dpi, data_loss_hours=Decimal("2"))
        gap = _gap(org, dpi)
        rpo_gap = _gap(org, dpi, "rpo")
        fresh = Resource.objects.get(pk=dpi.pk)
        assert fresh.measured_rto_hours == 9 and fresh.measured_rpo_hours == 2 and fresh.effective_rto_hours == 9
    assert (test.required_rto_hours, test.required_pdma_hours) == (Decimal("4"), Decimal("1"))
    assert test.duration_gap and test.data_gap
    assert gap.measured and gap.capable_hours == 9
    # The restored data point is the measured RPO: 2 h lost against a 1 h PDMA opens an RPO gap.
    assert rpo_gap is not None and rpo_gap.measured and rpo_gap.capable_hours == 2


@pytest.mark.parametrize(("scope_", "result"), [
    (RestoreTest.Scope.FILE, RestoreTest.Result.SUCCESS),
    (RestoreTest.Scope.VM, RestoreTest.Result.SUCCESS),
    (RestoreTest.Scope.PRODUCTION, RestoreTest.Result.PARTIAL),
    (RestoreTest.Scope.PRODUCTION, RestoreTest.Result.FAILURE),
])
def test_only_a_successful_production_restore_measures(org, admin_user, scope_, result) -> None:
    """File and VM scopes, partial and failed results are evidence only: the promise stays (8 h vs 4 h gap)."""
    dpi = critical_system(org, rto_capability_hours=8)
    with scope(organization=org):
        _restore(org, admin_user, dpi, scope=scope_, result=result, measured_hours=Decimal("0.5"),
                data_loss_hours=Decimal("0"))
        gap = _gap(org, dpi)
        assert Resource.objects.get(pk=dpi.pk).measure is None
    assert gap is not None and not gap.measured and gap.capable_hours == 8


def test_deleting_the_only_production_test_brings_the_promise_and_the_gap_back(org, admin_user) -> None:
    dpi = critical_system(org, rto_capability_hours=8)
    with scope(organization=org):
        test = _restore(org, admin_user, dpi, measured_hours=Decimal("0.5"), data_loss_hours=Decimal("0"))
        assert _gap(org, dpi) is None
        assert Resource.objects.get(pk=dpi.pk).measured_rto_hours == 0.5
        services.restore_test_delete(test=test, actor=admin_user)
        gap = _gap(org, dpi)
        assert Resource.objects.get(pk=dpi.pk).measure is None
    assert gap is not None and gap.capable_hours == 8 and not gap.measured


def test_editing_a_test_recomputes_the_measure(org, admin_user) -> None:
    dpi = critical_system(org, rto_capability_hours=8)
    with scope(organization=org):
        test = _restore(org, admin_user, dpi, measured_hours=Decimal("2"))
        assert _gap(org, dpi) is None
        services.restore_test_update(test=test, actor=admin_user, data={
            "resource": dpi, "tested_on": test.tested_on, "scope": RestoreTest.Scope.FILE,
            "measured_hours": Decimal("2"), "result": RestoreTest.Result.SUCCESS, "referent_name": "Dr Martin"})
        gap = _gap(org, dpi)
    assert gap is not None and gap.capable_hours == 8


def test_the_latest_successful_production_test_wins(org, admin_user) -> None:
    dpi = critical_system(org)
    with scope(organization=org):
        _restore(org, admin_user, dpi, tested_on=datetime.date(2026, 3, 1), measured_hours=Decimal("2"))
        _restore(org, admin_user, dpi, tested_on=datetime.date(2026, 2, 1), measured_hours=Decimal("30"))
        # Same day: the later recorded (higher id) wins.
        _restore(org, admin_user, dpi, tested_on=datetime.date(2026, 3, 1), measured_hours=Decimal("3"),
                data_loss_hours=Decimal("0.5"))
        # A newer partial test does not displace it.
        _restore(org, admin_user, dpi, tested_on=datetime.date(2026, 3, 2), measured_hours=Decimal("40"),
                result=RestoreTest.Result.PARTIAL)
        fresh = Resource.objects.get(pk=dpi.pk)
        _graph, analysis = bia_analysis(organization=org)
    assert (fresh.measured_rto_hours, fresh.measured_rpo_hours, fresh.measured_on) == (
        3, 0.5, datetime.date(2026, 3, 1))
    assert analysis.capabilities[(engine.RESOURCE, dpi.pk)].hours == 3
    assert _gap(org, dpi) is None


def test_a_measure_without_data_loss_keeps_the_promised_rpo(org, admin_user) -> None:
    dpi = critical_system(org, rpo_capability_hours=24)
    with scope(organization=org):
        _restore(org, admin_user, dpi, measured_hours=Decimal("2"))
        rpo_gap = _gap(org, dpi, "rpo")
    assert rpo_gap is not None and not rpo_gap.measured and rpo_gap.capable_hours == 24


def test_measures_are_one_query_and_match_the_annotation(org, admin_user, django_assert_num_queries) -> None:
    from apps.backups.measured import annotate_measures, measures

    dpi = critical_system(org)
    other = ResourceFactory(organization=org, name="PACS")
    with scope(organization=org):
        _restore(org, admin_user, dpi, measured_hours=Decimal("5"), data_loss_hours=Decimal("1.5"))
        with django_assert_num_queries(1):
            found = measures(organization=org)
        rows = {r.pk: r for r in annotate_measures(Resource.objects.filter(organization=org))}
        with django_assert_num_queries(0):
            assert rows[dpi.pk].measure == found[dpi.pk]
            assert rows[other.pk].measure is None
    assert found[dpi.pk].rto_hours == 5 and found[dpi.pk].rpo_hours == 1.5 and other.pk not in found


def test_restore_test_needs_a_referent_and_a_past_date(org, admin_user) -> None:
    dpi = critical_system(org)
    data = {"resource": dpi, "tested_on": datetime.date(2026, 3, 1), "scope": RestoreTest.Scope.FILE,
            "measured_hours": Decimal("1"), "result": RestoreTest.Result.SUCCESS}
    with scope(organization=org):
        with pytest.raises(ValidationError) as error:
            services.restore_test_record(organization=org, actor=admin_user, data=data)
        assert "referent_name" in error.value.error_dict
        with pytest.raises(ValidationError) as error:
            services.restore_test_record(organization=org, actor=admin_user, data={
                **data, "referent_name": "X", "tested_on": datetime.date.today() + datetime.timedelta(days=2)})
        assert "tested_on" in error.value.error_dict


def _record(org, user, resource, **kwargs):
    data = {"resource": resource, "tested_on": datetime.date(2026, 3, 1), "scope": RestoreTest.Scope.PRODUCTION,
            "measured_hours": Decimal("3"), "result": RestoreTest.Result.SUCCESS, "referent_name": "Dr Martin",
            **kwargs}
    with scope(organization=org):
        selectors.forget_snapshot(org)
        services.restore_test_record(organization=org, actor=user, data=data)
        return checks.restore_test_check(org)


def test_o4_needs_production_success_in_the_phase_on_a_care_system(org, admin_user) -> None:
    other = ResourceFactory(organization=org, name="Hors périmètre")
    dpi = critical_system(org)
    assert _record(org, admin_user, other).status == CheckResult.NOT_MET
    assert _record(org, admin_user, dpi, scope=RestoreTest.Scope.VM).status == CheckResult.NOT_MET
    assert _record(org, admin_user, dpi, tested_on=datetime.date(2025, 7, 1)).status == CheckResult.NOT_MET
    assert _record(org, admin_user, dpi, result=RestoreTest.Result.PARTIAL).status == CheckResult.NOT_MET
    assert _record(org, admin_user, dpi, tested_on=datetime.date(2025, 7, 16)).status == CheckResult.MET


def test_policy_check_wants_a_document_validated_since_july_2022(org, admin_user) -> None:
    def save(validated_on):
        with scope(organization=org):
            services.policy_save(organization=org, actor=admin_user, data={"validated_on": validated_on},
                                 upload=SimpleUploadedFile("p.pdf", minimal_pdf("P"), content_type="application/pdf"))
            return checks.policy_check(org).status

    assert save(datetime.date(2022, 7, 15)) == CheckResult.NOT_MET
    assert save(datetime.date(2022, 7, 16)) == CheckResult.MET


def test_trajectory_checks_need_milestones_and_a_tested_red_button(org, admin_user) -> None:
    dpi = critical_system(org)
    with scope(organization=org):
        assert checks.isolation_check(org).status == CheckResult.NOT_MET
    trajectory = TrajectoryFactory(organization=org, kind=Trajectory.Kind.ISOLATION)
    MilestoneFactory(trajectory=trajectory)
    with scope(organization=org):
        selectors.forget_snapshot(org)
        assert checks.isolation_check(org).status == CheckResult.PARTIAL
        services.control_save(organization=org, actor=admin_user, resource=dpi,
                              data={"red_button_tested_on": datetime.date(2026, 2, 1)})
        assert checks.isolation_check(org).status == CheckResult.MET
        assert 0 < checks.backups_progress(org)["percent"] < 100


def _policy(org, user, **data):
    services.policy_save(organization=org, actor=user, data={"validated_on": datetime.date(2024, 1, 10), **data},
                         upload=SimpleUploadedFile("p.pdf", minimal_pdf("P"), content_type="application/pdf"))


def test_o2a_asks_the_policy_to_cover_outsourced_and_saas_only_when_there_are_some(org, admin_user) -> None:
    critical_system(org)
    with scope(organization=org):
        _policy(org, admin_user, covers_outsourced=False)
        assert checks.policy_check(org).status == CheckResult.MET  # no SaaS system: nothing more to cover
    saas = ResourceFactory(organization=org, name="RH en SaaS", is_saas=True)
    BackupControlFactory(resource=saas, contract_clauses=True)
    with scope(organization=org):
        selectors.forget_snapshot(org)
        result = checks.policy_check(org)
        assert result.status == CheckResult.PARTIAL and "RH en SaaS" in str(result.missing[0])
        _policy(org, admin_user, covers_outsourced=True)
        result = checks.policy_check(org)
    assert result.status == CheckResult.MET and len(result.evidence) == 2


def test_o2b_wants_each_backup_plan_with_its_update_procedure(org, admin_user) -> None:
    dpi = critical_system(org)
    upload = SimpleUploadedFile("plan.pdf", minimal_pdf("Plan"), content_type="application/pdf")
    with scope(organization=org):
        assert checks.plans_check(org).status == CheckResult.NOT_MET
        services.control_save(organization=org, actor=admin_user, resource=dpi, data={}, plan_upload=upload)
        assert checks.plans_check(org).status == CheckResult.PARTIAL
        services.control_save(organization=org, actor=admin_user, resource=dpi,
                              data={"plan_update_procedure": "   "})
        assert checks.plans_check(org).status == CheckResult.PARTIAL
        services.control_save(organization=org, actor=admin_user, resource=dpi,
                              data={"plan_update_procedure": "Revu par le RSSI à chaque version"})
        result = checks.plans_check(org)
    assert result.status == CheckResult.MET and str(result.evidence[0]).startswith("1 système critique sur 1")


@pytest.mark.parametrize(("mfa", "unsupported", "status"), [
    (True, False, CheckResult.MET), (False, True, CheckResult.MET), (False, False, CheckResult.NOT_MET)])
def test_o3a_accepts_mfa_not_supported_by_the_solution(org, admin_user, mfa, unsupported, status) -> None:
    dpi = critical_system(org)
    with scope(organization=org):
        services.control_save(organization=org, actor=admin_user, resource=dpi, data={
            "authentication": BackupControl.Authentication.LOCAL_ACCOUNTS, "least_privilege_role": True,
            "mfa_on_consoles": mfa, "mfa_unsupported": unsupported})
        result = checks.authentication_check(org)
    assert result.status == status
    assert any("MFA non supportée" in str(e) for e in result.evidence) is unsupported


def test_mfa_cannot_be_both_on_and_unsupported(org, admin_user) -> None:
    dpi = critical_system(org)
    with scope(organization=org), pytest.raises(ValidationError) as error:
        services.control_save(organization=org, actor=admin_user, resource=dpi,
                              data={"mfa_on_consoles": True, "mfa_unsupported": True})
    assert "mfa_unsupported" in error.value.error_dict


def test_o3c_is_met_by_a_trajectory_with_milestones_not_by_offline_copies_now(org, admin_user) -> None:
    dpi = critical_system(org)
    BackupControlFactory(resource=dpi, offline_copy=False)
    with scope(organization=org):
        assert checks.three_two_one_check(org).status == CheckResult.NOT_MET
    trajectory = TrajectoryFactory(organization=org, kind=Trajectory.Kind.THREE_TWO_ONE, title="3-2-1")
    with scope(organization=org):
        selectors.forget_snapshot(org)
        assert checks.three_two_one_check(org).status == CheckResult.NOT_MET  # no key milestone yet
    MilestoneFactory(trajectory=trajectory, title="Copie immuable du DPI")
    with scope(organization=org):
        selectors.forget_snapshot(org)
        result = checks.three_two_one_check(org)
    assert result.status == CheckResult.MET and not result.missing
    assert any(str(e).startswith("0 système critique sur 1 avec une copie hors ligne") for e in result.evidence)


SUPERVISED = {"supervision_who": "DSI", "supervision_frequency": "Chaque jour", "supervision_on_failure": "Ticket",
              "central_alerts": True, "rssi_control": True}


def test_o3d_ght_has_a_separate_item_for_unresolved_alerts(org, admin_user) -> None:
    from apps.tenants.models import Organization

    dpi = critical_system(org)
    BackupControlFactory(resource=dpi, **SUPERVISED)
    org.kind = Organization.Kind.GHT
    with scope(organization=org):
        result = checks.supervision_check(org)
        assert result.status == CheckResult.PARTIAL and "non résolues" in str(result.missing[0])
        _policy(org, admin_user, unresolved_alerts_procedure=" ")
        assert checks.supervision_check(org).status == CheckResult.PARTIAL
        _policy(org, admin_user, unresolved_alerts_procedure="Reprise par la DSI du GHT sous 48 h")
        assert checks.supervision_check(org).status == CheckResult.MET


def test_o3d_outside_a_ght_needs_no_unresolved_alerts_procedure(org, admin_user) -> None:
    from apps.tenants.models import Organization

    dpi = critical_system(org)
    BackupControlFactory(resource=dpi, **SUPERVISED)
    org.kind = Organization.Kind.LEGAL_ENTITY
    with scope(organization=org):
        assert checks.supervision_check(org).status == CheckResult.MET


def test_o4_evidence_says_off_target(org, admin_user) -> None:
    dpi = critical_system(org)
    with translation.override("fr"):
        result = _record(org, admin_user, dpi, measured_hours=Decimal("30"), data_loss_hours=Decimal("0.5"))
        text = str(result.evidence[0])
        on_target = _record(org, admin_user, dpi, tested_on=datetime.date(2026, 3, 2), measured_hours=Decimal("4"),
                            data_loss_hours=Decimal("1"))
    assert result.status == CheckResult.MET and text.endswith("Réussi hors objectif")
    assert str(on_target.evidence[0]).endswith(": Réussi")


def test_the_map_labels_a_measured_rto_as_measured_and_a_promise_as_promised(org, admin_user) -> None:
    from apps.bia.selectors import map_elements

    dpi = critical_system(org, rto_capability_hours=24)
    critical_system(org, name="PACS", rto_capability_hours=24)
    with scope(organization=org):
        _restore(org, admin_user, dpi, measured_hours=Decimal("30"), data_loss_hours=Decimal("20"))
        graph, analysis = bia_analysis(organization=org)
        nodes = {n["data"]["label"]: n["data"] for n in map_elements(graph=graph, analysis=analysis)["nodes"]}
    assert (nodes["DPI"]["rto"], nodes["DPI"]["measured"], nodes["DPI"]["rpo"], nodes["DPI"]["rpo_measured"]) == (
        30, True, 20, True)
    assert (nodes["PACS"]["rto"], nodes["PACS"]["measured"], nodes["PACS"]["rpo_measured"]) == (24, False, False)
    assert nodes["DPI"]["required_rpo"] == 1


def test_resource_page_shows_measured_and_promised(org, admin_user, client_for) -> None:
    dpi = critical_system(org, rto_capability_hours=24)
    with scope(organization=org):
        _restore(org, admin_user, dpi, measured_hours=Decimal("30"), data_loss_hours=Decimal("20"))
    from django.urls import reverse

    html = client_for(admin_user).get(reverse("bia:resource-detail", kwargs={"org_slug": org.slug, "pk": dpi.pk}))
    text = html.content.decode()
    assert "RTO mesuré" in text and "30 h" in text and "RTO promis" in text and "RPO mesuré" in text


def test_a_measured_rpo_gap_is_worded_as_data_lost_in_the_restore(org, admin_user) -> None:
    from apps.bia.selectors import gap_rows, gap_sentence

    dpi = critical_system(org)
    with scope(organization=org), translation.override("fr"):
        _restore(org, admin_user, dpi, measured_hours=Decimal("2"), data_loss_hours=Decimal("20"))
        graph, analysis = bia_analysis(organization=org)
        gap = next(g for g in analysis.gaps if g.kind == "rpo" and g.node == (engine.RESOURCE, dpi.pk))
        sentence = gap_sentence(gap_rows(graph, [gap])[0])
    assert "→ DPI a perdu 20 h de données à la restauration (mesuré)" in sentence
    assert sentence.endswith("(20 h de données perdues à la restauration (mesuré) pour une PDMA de 1 h, ×20)")
