"""The action plan's rules, through the services (issue « plan d'actions »)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from apps.actions import services, sources
from apps.actions.models import Action, ActionEstablishment, SourceKind, Status
from apps.compliance.pdf import minimal_pdf
from apps.core import tenancy
from apps.tenants.roles import Role
from tests.actions.factories import ActionFactory
from tests.backups.factories import MilestoneFactory, RestoreTestFactory, TrajectoryFactory
from tests.bia.factories import ActivityDependencyFactory, ResourceFactory, activity_in
from tests.establishments import limited_member
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=20)
PAST = TODAY - datetime.timedelta(days=10)


def gap_org(org, *, rto=24):
    """An urgences activity needing 4 h that depends on a DPI promising ``rto`` hours: an RTO gap when > 4."""
    activity = activity_in(org, name="Urgences", dmia_override_hours=4, dmia_override_justification="SAU",
                           pdma_hours=1, criticality="critical")
    dpi = ResourceFactory(organization=org, name="DPI", rto_capability_hours=rto, rpo_capability_hours=1)
    ActivityDependencyFactory(organization=org, activity=activity, resource=dpi)
    return activity, dpi


def test_create_numbers_each_organization_on_its_own(org, other_org) -> None:
    first = services.action_create(organization=org, actor=None, data={"title": "Un", "due_date": LATER})
    second = services.action_create(organization=org, actor=None, data={"title": "Deux", "due_date": LATER})
    elsewhere = services.action_create(organization=other_org, actor=None, data={"title": "Ailleurs", "due_date": LATER})
    assert (first.reference, second.reference, elsewhere.reference) == ("PA-001", "PA-002", "PA-001")
    assert first.status == Status.TODO and first.source_kind == SourceKind.NONE


@pytest.mark.parametrize("data, field", [
    ({"title": " ", "due_date": LATER}, "title"),
    ({"title": "Sans échéance"}, "due_date"),
    ({"title": "Passée", "due_date": PAST}, "due_date"),
    ({"title": "Externe", "due_date": LATER, "owner_name": "M. Durand"}, "owner_email"),
    ({"title": "Externe", "due_date": LATER, "owner_email": "durand@prestataire.example"}, "owner_name"),
    ({"title": "Exigence", "due_date": LATER, "requirement_ids": ["D2.O9"]}, "requirement_ids"),
    ({"title": "Coût", "due_date": LATER, "cost_estimate": Decimal("-1")}, "cost_estimate"),
])
def test_create_refuses_bad_input_next_to_the_field(org, data, field) -> None:
    with pytest.raises(ValidationError) as error:
        services.action_create(organization=org, actor=None, data=data)
    assert field in error.value.message_dict
    assert not Action.objects.filter(organization=org).exists()


def test_a_past_due_date_is_accepted_for_an_action_entered_after_the_fact_and_shows_late(org) -> None:
    action = services.action_create(organization=org, actor=None,
                                    data={"title": "Reprise", "due_date": PAST, "retro_entered": True})
    assert action.is_late
    # Editing something else keeps the (now past) due date; moving it to another past date needs the flag.
    normal = services.action_create(organization=org, actor=None, data={"title": "Normale", "due_date": LATER})
    Action.objects.filter(pk=normal.pk).update(due_date=PAST)  # time went by
    normal.refresh_from_db()
    services.action_update(action=normal, actor=None, data={"title": "Normale (renommée)"})
    with pytest.raises(ValidationError, match="saisie a posteriori"):
        services.action_update(action=normal, actor=None, data={"due_date": PAST - datetime.timedelta(days=1)})


def test_owner_is_a_member_of_the_organization_or_a_named_external_person(org, other_org) -> None:
    foreign = MembershipFactory(organization=other_org, role=Role.CONTRIBUTOR)
    with pytest.raises(ValidationError) as error:
        services.action_create(organization=org, actor=None,
                               data={"title": "X", "due_date": LATER, "owner_member": foreign})
    assert "owner_member" in error.value.message_dict
    member = MembershipFactory(organization=org, role=Role.CONTRIBUTOR)
    action = services.action_create(organization=org, actor=None, data={
        "title": "X", "due_date": LATER, "owner_member": member, "owner_name": "ignoré", "owner_email": "x@y.example"})
    assert action.owner_member == member and action.owner_name == "" and action.owner_email == ""
    external = services.action_create(organization=org, actor=None, data={
        "title": "Y", "due_date": LATER, "owner_name": "M. Durand", "owner_email": "durand@prestataire.example"})
    assert external.is_external_owner and external.owner_address == "durand@prestataire.example"


def test_done_needs_a_proof_and_abandoned_a_reason(org, admin_user) -> None:
    action = ActionFactory(organization=org)
    with pytest.raises(ValidationError) as error:
        services.action_set_status(action=action, actor=admin_user, status=Status.DONE)
    assert "proof_note" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.action_set_status(action=action, actor=admin_user, status=Status.ABANDONED, abandon_reason="  ")
    assert "abandon_reason" in error.value.message_dict
    action.refresh_from_db()
    assert action.status == Status.TODO and action.closed_at is None
    services.action_set_status(action=action, actor=admin_user, status=Status.DONE, proof_note="Procédure signée")
    action.refresh_from_db()
    assert action.status == Status.DONE and action.closed_at is not None and action.has_proof
    services.action_set_status(action=action, actor=admin_user, status=Status.IN_PROGRESS)
    action.refresh_from_db()
    assert action.closed_at is None  # reopened


def test_a_proof_file_goes_to_the_evidence_library_linked_to_the_action(org, admin_user) -> None:
    from apps.compliance.models import Evidence

    action = ActionFactory(organization=org, title="MFA sur la console", requirement_ids=["D2.O3.A"])
    upload = SimpleUploadedFile("pv.pdf", minimal_pdf("PV"), content_type="application/pdf")
    services.action_set_status(action=action, actor=admin_user, status=Status.DONE, proof_upload=upload)
    action.refresh_from_db()
    evidence = Evidence.objects.get(pk=action.proof_evidence_id)
    assert evidence.linked_object == action and evidence.requirement_ids == ["D2.O3.A"]
    assert action.reference in evidence.title
    bad = SimpleUploadedFile("pv.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    other = ActionFactory(organization=org)
    with pytest.raises(ValidationError) as error:
        services.action_set_status(action=other, actor=admin_user, status=Status.DONE, proof_upload=bad)
    assert "proof_upload" in error.value.message_dict


def test_notes_have_a_date_and_an_author(org, admin_user) -> None:
    action = ActionFactory(organization=org)
    note = services.action_note_add(action=action, actor=admin_user, text="Devis reçu")
    assert note.noted_on == timezone.localdate() and note.author == admin_user
    with pytest.raises(ValidationError):
        services.action_note_add(action=action, actor=admin_user, text="Demain", noted_on=LATER)
    with pytest.raises(ValidationError):
        services.action_note_add(action=action, actor=admin_user, text="   ")


def test_create_from_a_bia_gap_takes_its_words_priority_requirements_and_keeps_the_source(org) -> None:
    _activity, dpi = gap_org(org)
    action = services.create_from_source(organization=org, actor=None, kind=SourceKind.BIA_GAP, source_id=dpi.pk,
                                         key="rto", data={"due_date": LATER})
    assert (action.source_kind, action.source_id, action.source_key) == ("bia_gap", dpi.pk, "rto")
    assert action.priority == "critical"  # the urgences are critical
    assert action.requirement_ids == ["D2.O1.C"]
    assert "DPI" in action.source_label and "DPI" in action.title
    assert "Urgences" in action.description  # the gap's chain, in words
    info = sources.resolve(org, sources.SourceRef("bia_gap", dpi.pk, "rto"))
    assert info is not None and info.stands is True


def test_closing_the_action_does_not_close_the_gap_only_the_data_does(org, admin_user) -> None:
    _activity, dpi = gap_org(org)
    action = services.create_from_source(organization=org, actor=None, kind=SourceKind.BIA_GAP, source_id=dpi.pk,
                                         key="rto", data={"due_date": LATER})
    services.action_set_status(action=action, actor=admin_user, status=Status.DONE, proof_note="Contrat signé")
    ref = sources.SourceRef("bia_gap", dpi.pk, "rto")
    assert sources.resolve(org, ref).stands is True  # « l'écart persiste »
    from apps.bia.services import resource_update

    resource_update(resource=dpi, actor=admin_user, data={"rto_capability_hours": 2})
    assert sources.resolve(org, ref).stands is False  # « l'écart est résolu »


@pytest.mark.parametrize("kind", ["nothing", "bia_gap", "exercise_finding"])
def test_an_unknown_missing_or_not_yet_available_source_is_refused(org, kind) -> None:
    with pytest.raises(ValidationError):
        services.create_from_source(organization=org, actor=None, kind=kind, source_id=999999, key="rto",
                                    data={"due_date": LATER})


def test_a_source_of_another_organization_is_refused(org, other_org) -> None:
    _activity, dpi = gap_org(other_org)
    with pytest.raises(ValidationError):
        services.create_from_source(organization=org, actor=None, kind=SourceKind.BIA_GAP, source_id=dpi.pk,
                                    key="rto", data={"due_date": LATER})
    assert not Action.objects.filter(organization=org).exists()


def test_the_exercise_hook_takes_a_registered_resolver(org) -> None:
    """The exercises app registers ``exercise_finding`` and calls ``create_from_source``."""
    def finding(organization, ref):
        if organization.pk != org.pk or ref.id != 7:
            return None
        return sources.SourceInfo(ref=ref, label="Constat n°7 du RETEX", title="Mettre à jour l'annuaire de crise",
                                  requirement_ids=("D2.O1.D",), priority="high", stands=True)

    previous = sources._RESOLVERS.get(SourceKind.EXERCISE_FINDING)
    sources.register_source(SourceKind.EXERCISE_FINDING, finding)
    try:
        action = services.create_from_source(organization=org, actor=None, kind=SourceKind.EXERCISE_FINDING,
                                             source_id=7, data={"due_date": LATER})
    finally:
        if previous is None:
            sources._RESOLVERS.pop(SourceKind.EXERCISE_FINDING, None)
        else:
            sources._RESOLVERS[SourceKind.EXERCISE_FINDING] = previous
    assert action.source_label == "Constat n°7 du RETEX" and action.requirement_ids == ["D2.O1.D"]
    assert action.priority == "high"


def test_sources_of_backups_and_compliance(org) -> None:
    dpi = ResourceFactory(organization=org, name="DPI")
    failed = RestoreTestFactory(organization=org, resource=dpi, result="failure", tested_on=PAST)
    info = sources.resolve(org, sources.SourceRef("restore_test", failed.pk))
    assert info.stands is True and info.requirement_ids == ("D2.O4",)
    RestoreTestFactory(organization=org, resource=dpi, result="success", tested_on=TODAY)  # no requirement: on target
    assert sources.resolve(org, sources.SourceRef("restore_test", failed.pk)).stands is False
    milestone = MilestoneFactory(trajectory=TrajectoryFactory(organization=org, kind="321"), title="Bandes")
    info = sources.resolve(org, sources.SourceRef("milestone", milestone.pk))
    assert info.stands is True and info.requirement_ids == ("D2.O3.C",) and info.due_date == milestone.due_on
    requirement = sources.resolve(org, sources.SourceRef("requirement", key="D2.O1.D"))
    assert requirement.stands is True and requirement.requirement_ids == ("D2.O1.D",)
    assert sources.resolve(org, sources.SourceRef("requirement", key="D2.X")) is None


def test_a_decision_becomes_an_action_with_its_owner_and_due_date(org) -> None:
    from apps.governance import services as governance
    from tests.factories import UserFactory

    user = UserFactory(first_name="Karim", last_name="Benali")
    member = MembershipFactory(organization=org, user=user, role=Role.CONTRIBUTOR)
    meeting = governance.copil_meeting_create(organization=org, actor=None, data={"held_on": TODAY})
    decision = governance.decision_create(meeting=meeting, actor=None, data={
        "text": "Financer une copie immuable\nBudget 2026", "owner": "Karim Benali", "due_date": LATER})
    action = services.create_from_source(organization=org, actor=None, kind=SourceKind.DECISION,
                                         source_id=decision.pk)
    assert action.title == "Financer une copie immuable" and action.owner_member == member
    assert action.due_date == LATER and "COPIL" in action.source_label


def test_a_limited_member_creates_and_changes_only_within_their_establishments(db) -> None:
    org = OrganizationFactory(kind="ght")
    home, other = EstablishmentFactory(organization=org), EstablishmentFactory(organization=org)
    theirs = ActionFactory(organization=org, establishments=[other], title="Chez les autres")
    shared = ActionFactory(organization=org, establishments=[], title="Du GHT")
    spanning = ActionFactory(organization=org, establishments=[home, other], title="Des deux")
    limited_member(org, Role.CONTRIBUTOR, home)
    with tenancy.tenant_scope(org, establishments={home.pk}):
        visible = set(Action.objects.filter(organization=org).values_list("title", flat=True))
        assert visible == {"Du GHT", "Des deux"}
        assert set(Action.objects.writable().values_list("title", flat=True)) == {"Du GHT"}
        with pytest.raises(ValidationError, match="vos établissements"):
            services.action_create(organization=org, actor=None, data={"title": "Intrus", "due_date": LATER},
                                   establishments=[other])
        with pytest.raises(ValidationError) as error:
            services.action_create(organization=org, actor=None, data={"title": "Sans", "due_date": LATER})
        assert "establishments" in error.value.message_dict
        mine = services.action_create(organization=org, actor=None, data={"title": "À moi", "due_date": LATER},
                                      establishments=[home])
        visible_spanning = Action.objects.get(pk=spanning.pk)
        with pytest.raises(tenancy.EstablishmentLimitError), transaction.atomic():
            services.action_set_status(action=visible_spanning, actor=None, status=Status.IN_PROGRESS)
        foreign = Action._base_manager.get(pk=theirs.pk)
        with pytest.raises(tenancy.EstablishmentLimitError), transaction.atomic():
            services.action_update(action=foreign, actor=None, data={"title": "Renommée"})
        services.action_set_status(action=Action.objects.get(pk=shared.pk), actor=None, status=Status.IN_PROGRESS)
    assert Action._base_manager.get(pk=theirs.pk).title == "Chez les autres"
    assert Action._base_manager.get(pk=spanning.pk).status == Status.TODO
    assert list(ActionEstablishment._base_manager.filter(action=mine).values_list("establishment", flat=True)) == [
        home.pk]


def test_an_action_on_an_establishment_s_source_names_that_establishment(db) -> None:
    org = OrganizationFactory(kind="ght")
    home, other = EstablishmentFactory(organization=org), EstablishmentFactory(organization=org)
    from tests.bia.factories import ActivityFactory, ActivityLinkFactory

    activity = ActivityFactory(organization=org, name="Dispensation", establishment=home, dmia_override_hours=48,
                               dmia_override_justification="x")
    downstream = ActivityFactory(organization=org, name="Réanimation", establishment=home, dmia_override_hours=4,
                                 dmia_override_justification="x", criticality="critical")

    ActivityLinkFactory(organization=org, activity=downstream, depends_on=activity)
    action = services.create_from_source(organization=org, actor=None, kind=SourceKind.BIA_GAP,
                                         source_id=activity.pk, key="activity_rto", data={"due_date": LATER})
    assert list(action.establishments.all()) == [home]
    with pytest.raises(ValidationError) as error:
        services.create_from_source(organization=org, actor=None, kind=SourceKind.BIA_GAP, source_id=activity.pk,
                                    key="activity_rto", data={"due_date": LATER}, establishments=[other])
    assert "establishments" in error.value.message_dict


def test_every_change_is_in_the_history(org, admin_user) -> None:
    import pghistory

    action = services.action_create(organization=org, actor=admin_user, data={"title": "Suivie", "due_date": LATER})
    with pghistory.context(user=admin_user.pk):
        services.action_set_status(action=action, actor=admin_user, status=Status.IN_PROGRESS)
    events = list(Action.pgh_event_model.objects.filter(pgh_obj_id=action.pk).order_by("pgh_id")
                  .values_list("pgh_label", "status"))
    assert events == [("insert", "todo"), ("update", "in_progress")]
