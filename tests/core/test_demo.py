"""The first-run demo loads completely (every app's demo.py), once, and gives every role a user."""

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from apps.tenants.demo import CLINIC_SLUG, GHT_SLUG
from apps.tenants.models import Establishment, Membership, Organization, Site
from apps.tenants.roles import Role


@pytest.mark.django_db(transaction=True)
def test_seed_demo_loads_everything_once(capsys) -> None:
    call_command("seed_demo")
    call_command("seed_demo")  # second start of run.py: nothing duplicated
    with scopes_disabled():
        ght = Organization.objects.get(slug=GHT_SLUG)
        assert ght.kind == Organization.Kind.GHT
        assert Organization.objects.filter(slug=CLINIC_SLUG).exists()
        assert Establishment.objects.filter(organization=ght).count() == 3
        assert Site.objects.filter(organization=ght).count() >= 4
        roles = set(Membership.objects.filter(organization=ght).values_list("role", flat=True))
        assert roles == set(Role.values)
        consultant_orgs = Membership.objects.filter(user__email="consultant@cabinet-continuite.example").count()
        assert consultant_orgs == 2
    output = capsys.readouterr().out
    assert "déjà présentes" in output


@pytest.mark.django_db(transaction=True)
def test_the_demo_shows_each_situation_of_the_truth_rules() -> None:
    """Issue 12: each rule has a situation in the demo GHT (and the EG weighting in the clinic outside a GHT),
    coherent from the services to the pages."""
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation
    from django_scopes import scope

    from apps.accounts.models import User
    from apps.backups.models import RestoreTest
    from apps.bia import engine, selectors
    from apps.bia.models import Resource
    from apps.compliance.coverage import ESTABLISHMENT, SITE, coverage_share
    from apps.compliance.selectors import requirement_statuses
    from apps.continuity.checks import counted_plans
    from apps.continuity.models import NotApplicable, Plan, PlanVersion, RecoveryStep

    call_command("seed_demo")
    with scopes_disabled():
        ght = Organization.objects.get(slug=GHT_SLUG)
        clinic = Organization.objects.get(slug=CLINIC_SLUG)
    client = Client()
    client.force_login(User.objects.get(email="rpcra@ght-rives-de-loire.example"),
                       backend="allauth.account.auth_backends.AuthenticationBackend")

    def page(name: str, **kwargs: object) -> str:
        response = client.get(reverse(name, kwargs={"org_slug": ght.slug, **kwargs}))
        assert response.status_code == 200
        return response.content.decode()

    with scope(organization=ght), translation.override("fr"):
        # « Réussi hors objectif », and the RPO gap the DPI's restore opened (20 h of data lost for a 1 h PDMA).
        assert RestoreTest.objects.filter(organization=ght, resource__name__startswith="DPI").first().outcome == \
            "success_off_target"
        graph, analysis = selectors.bia_analysis(organization=ght)
        dpi = Resource.objects.get(organization=ght, name="DPI — dossier patient informatisé")
        assert any(g.kind == "rpo" and g.node == (engine.RESOURCE, dpi.pk) and g.measured and g.capable_hours == 20
                   for g in analysis.gaps)
        # A workaround of known duration: the urgences hold 48 h on fax and telephone without the messagerie.
        mail = Resource.objects.get(organization=ght, name="Messagerie (dont messagerie sécurisée de santé)")
        need = analysis.rto_requirements[(engine.RESOURCE, mail.pk)]
        assert " → ".join(selectors.requirement_parts(graph, need, "rto")) == (
            "Accueil et prise en charge des urgences (CHU de Valmont) tient 48 h en mode dégradé + DMIA 4 h → "
            "Messagerie (dont messagerie sécurisée de santé) doit revenir sous 52 h")
        # One without duration: the warning.
        assert any(u["sentence"].startswith("contournement sans durée : le besoin de Bloc opératoire")
                   for u in selectors.uncarried_rows(graph, analysis))
        # « PCA Urgences »: re-approved after the restore test made v1 « à revoir »; v2 counts for D2.O1.C, with a
        # « sans objet » and its reason, and a confirmed move of the DPI before Active Directory.
        urgences = Plan.objects.get(organization=ght, title="PCA Urgences — SI indisponible")
        current = PlanVersion.objects.get(pk=urgences.current_version_id)
        assert (current.number, current.status) == (2, PlanVersion.Status.APPROVED)
        assert urgences.pk in {c.plan.pk for c in counted_plans(ght)}
        sans_objet = NotApplicable.objects.get(organization=ght, version=current)
        assert sans_objet.activity.name == "Régulation médicale (centre 15)" and "SAMU" in sans_objet.reason
        moved = RecoveryStep.objects.get(organization=ght, version=current, adjusted=True)
        assert moved.dependency_confirmed and moved.resource == dpi and moved.adjustment_reason
        # « PCA Laboratoire »: approved although incomplete, the acknowledgement recorded with the version.
        laboratory = Plan.objects.get(organization=ght, title="PCA Laboratoire — fournisseur critique indisponible")
        approved = PlanVersion.objects.get(pk=laboratory.current_version_id)
        assert approved.status == PlanVersion.Status.APPROVED and approved.incomplete_missing
        assert approved.incomplete_acknowledged_by.email == "direction@ght-rives-de-loire.example"
        # The GHT weighs its legal entities, 100 % with basis and date; the plan side of D2.O1.C now counts the
        # information system scenario (PCA Urgences) and a critical supplier one (PCA Laboratoire).
        weights = coverage_share(ght, [])
        assert (weights.level, weights.total_weight, weights.weights_complete) == (ESTABLISHMENT, 100, True)
        plans_check = next(r for s in requirement_statuses(organization=ght) if s.requirement.id == "D2.O1.C"
                           for r in s.results if "plans approuvés" in str(r.summary) and "scénarios" in str(r.summary))
        assert "Un plan approuvé couvre le scénario d'indisponibilité du système d'information." in [
            str(e) for e in plans_check.evidence]

    gaps = page("bia:gaps")
    assert "contournement sans durée" in gaps and "Messagerie (dont messagerie sécurisée de santé) peut perdre 24 h" in gaps
    assert "Messagerie (dont messagerie sécurisée de santé) doit revenir sous 52 h" in page("bia:resource-detail",
                                                                                         pk=mail.pk)
    assert "Réussi hors objectif" in page("backups:tests")
    plan_page = page("continuity:plan-detail", pk=urgences.pk)
    assert "Sans objet" in plan_page and "Redémarré avant Active Directory" in plan_page
    assert "Redémarré avant Active Directory" in page("continuity:print", pk=urgences.pk)
    assert "Approuvé incomplet, en connaissance de cause" in page("continuity:plan-detail", pk=laboratory.pk)

    # The clinic, a legal entity outside a GHT with two sites: weighted by site (FINESS EG), « séjours 2025 ».
    with scope(organization=clinic):
        weights = coverage_share(clinic, [])
        assert (weights.level, weights.total_weight, weights.weights_complete) == (SITE, 100, True)
        assert [(e.weight, e.basis, e.weighed_on.isoformat()) for e in weights.entities] == [
            (72, "Séjours 2025 (PMSI)", "2026-01-31"), (28, "Séjours 2025 (PMSI)", "2026-01-31")]
    client.force_login(User.objects.get(email="qualite@clinique-du-parc.example"),
                       backend="allauth.account.auth_backends.AuthenticationBackend")
    establishments = client.get(reverse("tenants:establishments", kwargs={"org_slug": clinic.slug})).content.decode()
    assert "72 % (Séjours 2025 (PMSI), 31/01/2026)" in establishments
    assert "28 % (Séjours 2025 (PMSI), 31/01/2026)" in establishments
