"""Absurd backup and restore figures never reach the dossier (issue 12, « sane inputs »): a restore lasts
0 < h ≤ 8,760, the data it lost 0 ≤ h ≤ 8,760 (0 h is a real result), a backup frequency 0 < h ≤ 8,760, a
retention ≤ 36,500 days, copies and media ≤ 100. Forms refuse next to the field; services refuse too."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from apps.backups import services
from apps.backups.forms import ControlForm, RestoreTestForm
from apps.backups.models import MAX_COPIES, MAX_RETENTION_DAYS, BackupControl, RestoreTest
from apps.bia.models import MAX_HOURS
from tests.bia.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def restore_form(org, dpi, **values: str) -> RestoreTestForm:  # noqa: ANN001
    data = {"resource": dpi.pk, "tested_on": "2026-03-01", "scope": RestoreTest.Scope.PRODUCTION,
            "measured_hours": "9", "result": RestoreTest.Result.SUCCESS, "referent_name": "Dr Martin", **values}
    return RestoreTestForm(data, organization=org)


@pytest.mark.parametrize(("field", "value", "ok"), [
    ("measured_hours", "0", False), ("measured_hours", "0,01", True), ("measured_hours", "8760", True),
    ("measured_hours", "8760,01", False), ("measured_hours", "-5", False), ("measured_hours", "99999", False),
    ("data_loss_hours", "0", True), ("data_loss_hours", "-0,5", False), ("data_loss_hours", "8760", True),
    ("data_loss_hours", "8761", False),
])
def test_the_restore_test_form_refuses_absurd_durations_next_to_the_field(org, field, value, ok) -> None:  # noqa: ANN001
    dpi = ResourceFactory(organization=org, name="DPI")
    form = restore_form(org, dpi, **{field: value})
    assert form.is_valid() is ok, form.errors
    if not ok:
        assert list(form.errors) == [field]


@pytest.mark.parametrize(("measured", "data_loss", "field"), [
    (Decimal("0"), None, "measured_hours"), (Decimal(MAX_HOURS + 1), None, "measured_hours"),
    (Decimal("9"), Decimal(MAX_HOURS + 1), "data_loss_hours"),
])
def test_the_service_refuses_them_too(org, admin_user, measured, data_loss, field) -> None:  # noqa: ANN001
    dpi = ResourceFactory(organization=org, name="DPI")
    with scope(organization=org), pytest.raises(ValidationError) as error:
        services.restore_test_record(organization=org, actor=admin_user, data={
            "resource": dpi, "tested_on": datetime.date(2026, 3, 1), "scope": RestoreTest.Scope.PRODUCTION,
            "measured_hours": measured, "data_loss_hours": data_loss, "result": RestoreTest.Result.SUCCESS,
            "referent_name": "Dr Martin"})
    assert field in error.value.error_dict
    assert not RestoreTest.objects.filter(resource=dpi).exists()


@pytest.mark.parametrize(("field", "value", "ok"), [
    ("frequency_hours", "0", False), ("frequency_hours", "1", True), ("frequency_hours", str(MAX_HOURS), True),
    ("frequency_hours", str(MAX_HOURS + 1), False), ("retention_days", "0", False),
    ("retention_days", str(MAX_RETENTION_DAYS), True), ("retention_days", str(MAX_RETENTION_DAYS + 1), False),
    ("copies", str(MAX_COPIES), True), ("copies", "1000", False), ("media_count", "1000", False),
])
def test_the_control_form_refuses_absurd_figures_next_to_the_field(org, field, value, ok) -> None:  # noqa: ANN001
    dpi = ResourceFactory(organization=org, name="DPI")
    data = {"copies": "2", "media_count": "1", "authentication": BackupControl.Authentication.UNKNOWN, field: value}
    form = ControlForm(data, organization=org, instance=BackupControl(organization=org, resource=dpi))
    assert form.is_valid() is ok, form.errors
    if not ok:
        assert list(form.errors) == [field]


def test_the_control_service_refuses_a_backup_every_million_hours(org, admin_user) -> None:
    dpi = ResourceFactory(organization=org, name="DPI")
    with scope(organization=org), pytest.raises(ValidationError) as error:
        services.control_save(organization=org, actor=admin_user, resource=dpi, data={"frequency_hours": 10**6})
    assert "frequency_hours" in error.value.error_dict
