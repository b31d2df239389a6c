"""Onboarding a client organization and copying templates between a consultant's clients (services)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from apps.bia.models import Activity, ImpactCriterion, ImpactLevel, TimeHorizon
from apps.continuity.models import DegradedMode, Plan, PlanActivity, ReflexSheet, Scenario
from apps.core.models import AuditEvent
from apps.exercises.models import StimulusTemplate
from apps.onboarding import templates_copy
from apps.onboarding.services import can_create_organizations, organization_onboard
from apps.onboarding.templates_copy import Template
from apps.tenants.models import Establishment, Invitation, Membership, Organization, Site
from apps.tenants.roles import Role
from tests.factories import EstablishmentFactory, OrganizationFactory, UserFactory
from tests.onboarding.helpers import consultant_of, filled_source, grant_onboarding

pytestmark = pytest.mark.django_db

ORG = {"name": "GHT Val de Loire", "slug": "", "kind": "ght", "region": "CVL"}
EST_A = {"name": "CH d'Amboise", "short_name": "CHA", "finess_ej": "370000051", "legal_status": "public",
         "activity_share": Decimal("60"), "activity_share_basis": "Séjours 2025", "activity_share_date": None}
EST_B = {**EST_A, "name": "CH de Loches", "short_name": "", "finess_ej": "370000069", "activity_share": Decimal("40")}
SITE = {"establishment_finess": "370000051", "name": "Site principal", "finess_eg": "370000077", "city": "Amboise",
        "activity_share": Decimal("0"), "activity_share_basis": "", "activity_share_date": None}


def onboard(actor, **overrides):
    args = {"organization": ORG, "establishments": [EST_A, EST_B], "sites": [SITE],
            "first_admin_email": "direction@ch-amboise.example", **overrides}
    return organization_onboard(actor=actor, **args)


def test_who_may_create_organizations() -> None:
    assert can_create_organizations(UserFactory(is_staff=True))
    assert can_create_organizations(grant_onboarding(UserFactory()))
    assert not can_create_organizations(UserFactory())
    assert not can_create_organizations(consultant_of(OrganizationFactory()))  # being a consultant is not enough


def test_a_consultant_onboards_a_client_with_its_weights_and_invites_its_administrator() -> None:
    consultant = grant_onboarding(UserFactory())
    org = onboard(consultant)
    with scopes_disabled():
        assert org.slug == "ght-val-de-loire" and org.kind == "ght" and org.region == "CVL"
        shares = dict(Establishment.objects.filter(organization=org).values_list("finess_ej", "activity_share"))
        assert shares == {"370000051": Decimal("60"), "370000069": Decimal("40")}
        site = Site.objects.get(organization=org)
        assert site.establishment.finess_ej == "370000051" and site.finess_eg == "370000077"
        assert Membership.objects.get(organization=org, user=consultant).role == Role.CONSULTANT
        invitation = Invitation.objects.get(organization=org)
        assert invitation.role == Role.ADMINISTRATOR and invitation.email == "direction@ch-amboise.example"
        # The defaults every organization starts with (scales, scenarios).
        assert ImpactCriterion.objects.filter(organization=org).count() >= 5
        assert Scenario.objects.filter(organization=org).count() == 4
        assert AuditEvent.objects.filter(organization=org, action=AuditEvent.Action.ORGANIZATION_CREATED).exists()
    # The worker's job (apps.tenants.tasks.send_invitation), queued on commit: the e-mail it sends.
    from apps.tenants.services import invitation_send

    with scopes_disabled():
        assert invitation_send(organization=org, invitation_id=invitation.pk)
    assert [m.to for m in mail.outbox] == [["direction@ch-amboise.example"]]


def test_a_platform_administrator_onboards_without_becoming_a_member() -> None:
    org = onboard(UserFactory(is_staff=True))
    with scopes_disabled():
        assert not Membership.objects.filter(organization=org).exists()
        assert Invitation.objects.filter(organization=org, role=Role.ADMINISTRATOR).exists()


def test_nothing_is_created_when_one_part_is_refused() -> None:
    consultant = grant_onboarding(UserFactory())
    bad_site = {**SITE, "establishment_finess": "370000085"}  # no establishment above has it
    with pytest.raises(ValidationError) as error:
        onboard(consultant, sites=[bad_site])
    assert "sites-0-establishment_finess" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        onboard(consultant, establishments=[EST_A, {**EST_B, "finess_ej": "370000052"}])  # wrong check key
    assert "establishments-1-finess_ej" in error.value.message_dict
    with scopes_disabled():
        assert not Organization.objects.filter(name=ORG["name"]).exists()
        assert not Establishment.objects.filter(finess_ej="370000051").exists()


def test_without_the_right_nothing_is_created() -> None:
    with pytest.raises(PermissionDenied):
        onboard(consultant_of(OrganizationFactory()))
    assert not Organization.objects.filter(name=ORG["name"]).exists()


def _target_for(consultant):
    target = OrganizationFactory(name="Clinique du Parc", slug="clinique-parc")
    establishment = EstablishmentFactory(organization=target, name="Clinique du Parc")
    consultant_of(target, user=consultant)
    return target, establishment


def test_preview_lists_what_will_be_created_and_skipped_then_the_copy_creates_new_rows() -> None:
    source = filled_source()
    consultant = consultant_of(source["org"])
    target, establishment = _target_for(consultant)
    kinds = list(Template.values)
    preview = templates_copy.copy_preview(actor=consultant, source=source["org"], target=target, kinds=kinds,
                                          establishment=establishment)
    created = {(line.kind, line.label) for line in preview.created}
    assert ("scales", "Critère « Impact environnemental »") in created
    assert ("scales", "Horizon « 2 semaines »") in created
    assert ("activities", "Accueil des urgences") in created and ("plans", "PCA Urgences") in created
    assert ("stimuli", "Appel du SAMU") in created
    skipped = {line.label for line in preview.skipped}
    assert {"Critère « Sécurité des patients »", "Horizon « ≤ 4 h »"} <= skipped  # the defaults already here
    with scopes_disabled():
        assert not Plan.objects.filter(organization=target).exists()  # a preview writes nothing

    result = templates_copy.copy_apply(actor=consultant, source=source["org"], target=target, kinds=kinds,
                                       establishment=establishment)
    assert len(result.created) == len(preview.created)
    with scopes_disabled():
        criterion = ImpactCriterion.objects.get(organization=target, code="environnement")
        assert ImpactLevel.objects.filter(organization=target, criterion=criterion).count() == 4
        assert TimeHorizon.objects.filter(organization=target, hours=336).exists()
        activity = Activity.objects.get(organization=target, name="Accueil des urgences")
        assert activity.establishment == establishment and activity.owner is None and activity.unit is None
        plan = Plan.objects.get(organization=target, title="PCA Urgences")
        assert plan.establishment == establishment
        version = plan.current_version
        assert version.number == 1 and version.status == "draft" and version.approved_at is None
        assert version.snapshot == {} and version.communication_internal == "Cellule de crise"
        assert [pa.activity for pa in PlanActivity.objects.filter(plan=plan)] == [activity]
        mode = DegradedMode.objects.get(version=version)
        assert mode.activity == activity and mode.scenario.organization == target
        assert ReflexSheet.objects.get(version=version).role == "Cadre de santé"
        assert StimulusTemplate.objects.filter(organization=target, title="Appel du SAMU").exists()
        for event in AuditEvent.objects.filter(action__in=["templates_copied", "templates_shared"]):
            assert "Collines" not in event.target + str(event.details) and "Parc" not in event.target
        assert AuditEvent.objects.filter(organization=target, action="templates_copied").count() == 1
        assert AuditEvent.objects.filter(organization=source["org"], action="templates_shared").count() == 1


def test_copying_again_skips_everything_already_there() -> None:
    source = filled_source()
    consultant = consultant_of(source["org"])
    target, establishment = _target_for(consultant)
    kinds = list(Template.values)
    templates_copy.copy_apply(actor=consultant, source=source["org"], target=target, kinds=kinds,
                              establishment=establishment)
    again = templates_copy.copy_preview(actor=consultant, source=source["org"], target=target, kinds=kinds,
                                        establishment=establishment)
    assert again.created == []
    with scopes_disabled():
        assert Plan.objects.filter(organization=target).count() == 1


def test_reflex_sheets_are_added_to_a_plan_of_the_same_title() -> None:
    source = filled_source()
    consultant = consultant_of(source["org"])
    target, establishment = _target_for(consultant)
    templates_copy.copy_apply(actor=consultant, source=source["org"], target=target, kinds=["activities", "plans"],
                              establishment=establishment)
    from apps.continuity import services as plans

    plans.reflex_sheet_save(plan=source["plan"], actor=None, data={"role": "Directeur de garde",
                                                                    "first_actions": "Activer la cellule"})
    preview = templates_copy.copy_preview(actor=consultant, source=source["org"], target=target,
                                          kinds=["reflex_sheets"])
    assert [(line.label, line.exists) for line in preview.lines] == [
        ("« Cadre de santé » dans « PCA Urgences »", True), ("« Directeur de garde » dans « PCA Urgences »", False)]
    templates_copy.copy_apply(actor=consultant, source=source["org"], target=target, kinds=["reflex_sheets"])
    with scopes_disabled():
        roles = set(ReflexSheet.objects.filter(organization=target).values_list("role", flat=True))
    assert roles == {"Cadre de santé", "Directeur de garde"}


def test_only_between_organizations_the_user_is_a_consultant_of() -> None:
    source = filled_source()
    target = OrganizationFactory()
    consultant = consultant_of(target)  # not a member of the source
    with pytest.raises(PermissionDenied):
        templates_copy.copy_preview(actor=consultant, source=source["org"], target=target, kinds=["scales"])
    from tests.factories import MembershipFactory

    MembershipFactory(organization=source["org"], user=consultant, role=Role.READER)  # a member, not a consultant
    with pytest.raises(PermissionDenied):
        templates_copy.copy_apply(actor=consultant, source=source["org"], target=target, kinds=["scales"])
    assert templates_copy.copy_sources(user=consultant, target=target) == []


def test_the_activity_catalogue_needs_a_target_establishment() -> None:
    source = filled_source()
    consultant = consultant_of(source["org"])
    target, _establishment = _target_for(consultant)
    with pytest.raises(ValidationError) as error:
        templates_copy.copy_preview(actor=consultant, source=source["org"], target=target, kinds=["activities"])
    assert "establishment" in error.value.message_dict
    foreign = source["establishment"]
    with pytest.raises(ValidationError):
        templates_copy.copy_apply(actor=consultant, source=source["org"], target=target, kinds=["activities"],
                                  establishment=foreign)


def test_a_name_already_there_with_other_accents_or_case_is_skipped_as_the_imports_do() -> None:
    source = filled_source()
    consultant = consultant_of(source["org"])
    target, establishment = _target_for(consultant)
    with scopes_disabled():
        from tests.bia.factories import ActivityFactory

        ActivityFactory(organization=source["org"], establishment=Establishment.objects.filter(
            organization=source["org"]).first(), name="Hémodialyse – séances")
        ActivityFactory(organization=target, establishment=establishment, name="HEMODIALYSE - seances")
    preview = templates_copy.copy_preview(actor=consultant, source=source["org"], target=target,
                                          kinds=["activities"], establishment=establishment)
    assert [line.exists for line in preview.lines if "modialyse" in line.label] == [True]
    templates_copy.copy_apply(actor=consultant, source=source["org"], target=target, kinds=["activities"],
                              establishment=establishment)
    with scopes_disabled():
        names = list(Activity.objects.filter(organization=target, name__icontains="modialyse").values_list("name",
                                                                                                           flat=True))
    assert names == ["HEMODIALYSE - seances"]
