"""Backup services and checks: controls, restoration tests feeding the BIA engine, CaRE checks."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
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


def test_restore_test_measures_the_capability_and_opens_a_gap(org, admin_user) -> None:
    dpi = critical_system(org)
    with scope(organization=org):
        _graph, before = bia_analysis(organization=org)
        assert not [g for g in before.gaps if g.node == (engine.RESOURCE, dpi.pk)]
        test = services.restore_test_record(organization=org, actor=admin_user, data={
            "resource": dpi, "tested_on": datetime.date(2026, 3, 1), "scope": RestoreTest.Scope.PRODUCTION,
            "measured_hours": Decimal("9"), "data_loss_hours": Decimal("2"), "result": RestoreTest.Result.PARTIAL,
            "referent_name": "Dr Martin"})
        _graph, after = bia_analysis(organization=org)
    dpi.refresh_from_db()
    assert dpi.measured_rto_hours == Decimal("9.00")
    assert (test.required_rto_hours, test.required_pdma_hours) == (Decimal("4"), Decimal("1"))
    assert test.duration_gap and test.data_gap
    gap = next(g for g in after.gaps if g.node == (engine.RESOURCE, dpi.pk) and g.kind == "rto")
    assert gap.measured and gap.capable_hours == 9


def test_a_faster_restore_closes_the_gap(org, admin_user) -> None:
    dpi = critical_system(org, rto_capability_hours=24)
    with scope(organization=org):
        services.restore_test_record(organization=org, actor=admin_user, data={
            "resource": dpi, "tested_on": datetime.date(2026, 3, 1), "scope": RestoreTest.Scope.VM,
            "measured_hours": Decimal("3"), "result": RestoreTest.Result.SUCCESS, "referent_name": "Dr Martin"})
        _graph, analysis = bia_analysis(organization=org)
    assert not [g for g in analysis.gaps if g.node == (engine.RESOURCE, dpi.pk) and g.kind == "rto"]


def test_a_failed_restore_measures_nothing(org, admin_user) -> None:
    dpi = critical_system(org)
    with scope(organization=org):
        services.restore_test_record(organization=org, actor=admin_user, data={
            "resource": dpi, "tested_on": datetime.date(2026, 3, 1), "scope": RestoreTest.Scope.PRODUCTION,
            "measured_hours": Decimal("30"), "result": RestoreTest.Result.FAILURE, "referent_name": "Dr Martin"})
    dpi.refresh_from_db()
    assert dpi.measured_rto_hours is None


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
