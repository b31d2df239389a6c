"""The demo shows measured capability at work: a « Réussi hors objectif » test and an RPO gap from a restore."""

import pytest
from django.core.management import call_command
from django_scopes import scope

from apps.backups.models import RestoreTest
from apps.bia import engine
from apps.bia.models import Resource
from apps.bia.selectors import bia_analysis
from apps.tenants.demo import GHT_SLUG
from apps.tenants.models import Organization


@pytest.mark.django_db(transaction=True)
def test_demo_has_an_off_target_success_and_an_rpo_gap_from_a_restore() -> None:
    call_command("seed_demo")
    ght = Organization.objects.get(slug=GHT_SLUG)
    with scope(organization=ght):
        tests = list(RestoreTest.objects.filter(organization=ght))
        _graph, analysis = bia_analysis(organization=ght)
        dpi = Resource.objects.get(organization=ght, name="DPI — dossier patient informatisé")
        pharma = Resource.objects.get(organization=ght, name="Logiciel de pharmacie (circuit du médicament)")
        urg = Resource.objects.get(organization=ght, name="Logiciel des urgences")
        assert {t.resource.name for t in tests if t.outcome == "success_off_target"} >= {dpi.name, pharma.name}
        rpo_gap = next(g for g in analysis.gaps if g.kind == "rpo" and g.node == (engine.RESOURCE, dpi.pk))
        assert rpo_gap.measured and rpo_gap.capable_hours == 20
        rto_gap = next(g for g in analysis.gaps if g.kind == "rto" and g.node == (engine.RESOURCE, pharma.pk))
        assert rto_gap.measured and rto_gap.capable_hours == 30
        # The newer file restore of the pharmacy and the partial urgences test measure nothing.
        assert pharma.measured_rto_hours == 30 and urg.measure is None
