"""The exports load benchmark keeps working: it serves the app with gunicorn, starts production's exports worker,
drives the gap list idle and during two PDF exports, and leaves nothing behind. Figures are printed, never
asserted (timings belong to the benchmark, not to the tests)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.bia import services
from apps.exports.management.commands.exports_load_benchmark import WEB_COMMAND, percentile
from apps.exports.models import ExportJob
from tests.bia.factories import ResourceFactory, activity_in

pytestmark = pytest.mark.django_db


def test_percentile_interpolates_between_ranks() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile([7.0], 95) == 7.0


def test_it_serves_with_the_web_services_command() -> None:
    import yaml

    from tests.test_compose import ROOT

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["web"]["command"] == WEB_COMMAND


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_load_benchmark_runs_end_to_end(org) -> None:
    services.scales_ensure_defaults(organization=org)
    urgences = activity_in(org, name="Urgences", dmia_override_hours=4, dmia_override_justification="Vital")
    dpi = ResourceFactory(organization=org, name="DPI", rto_capability_hours=24)
    services.activity_dependency_set(activity=urgences, actor=None, resource=dpi)
    users_before = User.objects.count()
    out = io.StringIO()
    call_command("exports_load_benchmark", "--organization", org.slug, "--seconds", "2", "--warmup", "1", "--json",
                 stdout=out)
    result = json.loads(out.getvalue())
    (round_,) = result["rounds"]
    for phase in ("idle", "loaded"):
        assert round_[phase]["requests"] > 0 and round_[phase]["errors"] == 0, round_
        assert round_[phase]["p95_ms"] >= round_[phase]["p50_ms"] > 0
    assert round_["p95_ratio"] > 0 and result["p95_budget"] == 1.2
    # Nothing left behind: the jobs and the throwaway member are gone.
    assert not ExportJob.objects.filter(organization=org).exists()
    assert User.objects.count() == users_before
