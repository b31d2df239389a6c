"""Absurd inputs never reach an approved, printed plan: durations are 0 < h ≤ 8,760, head counts bounded,
a degraded mode's activation delay ≥ 0 (issue 12, item 9 — the bounds part)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.bia.forms import ResourceForm
from apps.bia.models import MAX_HOURS, MAX_STAFF, Resource
from tests.bia.factories import activity_in


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "ok"), [
    ("pdma_hours", 0, False), ("pdma_hours", 1, True), ("pdma_hours", MAX_HOURS, True),
    ("pdma_hours", MAX_HOURS + 1, False), ("dmia_override_hours", 10**9, False),
    ("minimum_staff", MAX_STAFF, True), ("minimum_staff", 1_000_000_000, False),
])
def test_activity_inputs_are_bounded(field, value, ok, org) -> None:  # noqa: ANN001
    activity = activity_in(org)
    setattr(activity, field, value)
    if field == "dmia_override_hours":
        activity.dmia_override_justification = "Décision du COPIL"
    if ok:
        activity.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            activity.full_clean()
        assert field in error.value.error_dict


@pytest.mark.django_db
@pytest.mark.parametrize(("rto", "ok"), [("0", False), ("1", True), ("8760", True), ("8761", False), ("-5", False)])
def test_the_resource_form_refuses_an_absurd_promise_next_to_the_field(rto, ok, org) -> None:  # noqa: ANN001
    form = ResourceForm({"kind": Resource.Kind.APPLICATION, "name": "DPI", "rto_capability_hours": rto},
                        organization=org)
    assert form.is_valid() is ok, form.errors
    if not ok:
        assert "rto_capability_hours" in form.errors


@pytest.mark.django_db
@pytest.mark.parametrize(("delay", "ok"), [("-5", False), ("0", True), ("8760", True), ("8761", False)])
def test_a_degraded_mode_activates_after_a_sane_delay(delay, ok, org) -> None:  # noqa: ANN001
    from decimal import Decimal

    from apps.continuity.models import DegradedMode
    from tests.continuity.factories import degraded_mode, plan_in, scenario

    plan = plan_in(org, with_mode=False)
    mode = degraded_mode(plan, plan.plan_activities.first().activity, scenario(org))
    mode = DegradedMode.objects.get(pk=mode.pk)
    mode.activation_delay_hours = Decimal(delay)
    if ok:
        mode.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            mode.full_clean()
        assert "activation_delay_hours" in error.value.error_dict


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "ok"), [("0", False), ("1", True), (str(MAX_HOURS), True), (str(MAX_HOURS + 1), False)])
def test_the_scale_thresholds_and_horizons_are_bounded_next_to_the_field(value, ok, org) -> None:  # noqa: ANN001
    from apps.bia.forms import BiaSettingsForm, HorizonForm
    from apps.bia.models import BiaSettings

    settings_form = BiaSettingsForm({"intolerable_level": "3", "critical_max_dmia_hours": value,
                                     "high_max_dmia_hours": str(MAX_HOURS), "medium_max_dmia_hours": str(MAX_HOURS)},
                                    instance=BiaSettings(organization=org))
    assert settings_form.is_valid() is ok, settings_form.errors
    horizon_form = HorizonForm({"label": "Au-delà", "hours": value})
    assert horizon_form.is_valid() is ok, horizon_form.errors
    if not ok:
        assert list(settings_form.errors) == ["critical_max_dmia_hours"] and list(horizon_form.errors) == ["hours"]


@pytest.mark.django_db
def test_the_scale_services_refuse_absurd_durations(org) -> None:
    from apps.bia import services

    services.scales_ensure_defaults(organization=org)
    with pytest.raises(ValidationError) as error:
        services.bia_settings_update(organization=org, actor=None, data={"medium_max_dmia_hours": 10**9})
    assert "medium_max_dmia_hours" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.horizon_create(organization=org, actor=None, label="Un siècle", hours=876_000)
    assert "hours" in error.value.error_dict


@pytest.mark.django_db
@pytest.mark.parametrize(("delay", "ok"), [("-1", False), ("0", True), ("8760", True), ("8761", False)])
def test_a_reporting_duty_delay_is_bounded(delay, ok, org) -> None:  # noqa: ANN001
    from apps.governance.forms import ReportingDutyForm

    form = ReportingDutyForm({"recipient": "ars", "delay_hours": delay}, organization=org)
    assert form.is_valid() is ok, form.errors
    if not ok:
        assert list(form.errors) == ["delay_hours"]
