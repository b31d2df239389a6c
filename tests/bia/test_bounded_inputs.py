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
