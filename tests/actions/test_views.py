"""The action plan's pages: the plan, « Mes actions », creating from a source, the follow-up, the direction."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.actions import services
from apps.actions.models import Action, SourceKind, Status
from apps.tenants.roles import Role
from tests.actions.factories import ActionFactory
from tests.actions.test_services import gap_org
from tests.backups.factories import MilestoneFactory, RestoreTestFactory, TrajectoryFactory
from tests.bia.factories import ResourceFactory
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(org, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def later(days: int = 20) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_the_plan_filters_sorts_searches_and_counts(org, admin_user, client_for) -> None:
    today = timezone.localdate()
    owner = MembershipFactory(organization=org, role=Role.CONTRIBUTOR, user__first_name="Karim",
                              user__last_name="Benali")
    ActionFactory(organization=org, title="Copie immuable", owner_member=owner, priority="critical",
                  requirement_ids=["D2.O3.C"])
    ActionFactory(organization=org, title="Kits papier", due_date=today - datetime.timedelta(days=3),
                  retro_entered=True, owner_name="Sylvie Roux", owner_email="s.roux@ght.example")
    ActionFactory(organization=org, title="Procédure AD", status=Status.DONE, proof_note="signée",
                  closed_at=timezone.now())
    ActionFactory(organization=org, title="Abandonnée", status=Status.ABANDONED, abandon_reason="doublon")
    client = client_for(admin_user)
    page = client.get(url(org, "actions:list"))
    body = page.content.decode()
    assert page.context["counts"] == {"open": 2, "overdue": 1, "due_soon": 1, "done_this_month": 1}
    assert "Copie immuable" in body and "Kits papier" in body and "Procédure AD" not in body  # open by default
    titles = lambda response: [a.title for a in response.context["actions"]]  # noqa: E731
    assert titles(client.get(url(org, "actions:list") + "?status=all&sort=priority"))[0] == "Copie immuable"
    assert titles(client.get(url(org, "actions:list") + "?overdue=on")) == ["Kits papier"]
    assert titles(client.get(url(org, "actions:list") + f"?owner={owner.pk}")) == ["Copie immuable"]
    assert titles(client.get(url(org, "actions:list") + "?owner=external")) == ["Kits papier"]
    assert titles(client.get(url(org, "actions:list") + "?requirement=D2.O3.C")) == ["Copie immuable"]
    assert titles(client.get(url(org, "actions:list") + "?q=benali")) == ["Copie immuable"]
    assert titles(client.get(url(org, "actions:list") + "?status=done")) == ["Procédure AD"]
    assert titles(client.get(url(org, "actions:list") + "?stage=backups")) == ["Copie immuable"]
    # A bad value in one filter leaves the others working.
    assert titles(client.get(url(org, "actions:list") + "?owner=zz&q=kits")) == ["Kits papier"]
    assert "en retard" in body


def test_create_from_a_gap_pre_fills_and_warns_the_second_time(org, admin_user, client_for) -> None:
    _activity, dpi = gap_org(org)
    client = client_for(admin_user)
    create = url(org, "actions:create") + f"?source=bia_gap&id={dpi.pk}&key=rto"
    page = client.get(create)
    assert page.status_code == 200
    form = page.context["form"]
    assert "DPI" in form.initial["title"] and form.initial["priority"] == "critical"
    assert "duplicate-warning" not in page.content.decode()
    data = {"title": form.initial["title"], "description": form.initial["description"], "priority": "critical",
            "requirement_ids": ["D2.O1.C"], "due_date": later(), "source_kind": "bia_gap", "source_id": dpi.pk,
            "source_key": "rto", "form_token": "t1"}
    response = client.post(url(org, "actions:create"), data)
    assert response.status_code == 302
    action = Action.objects.get(organization=org)
    assert (action.source_kind, action.source_id, action.source_key) == ("bia_gap", dpi.pk, "rto")
    again = client.get(create)
    assert "duplicate-warning" in again.content.decode() and action.reference in again.content.decode()
    client.post(url(org, "actions:create"), {**data, "form_token": "t2"})
    assert Action.objects.filter(organization=org).count() == 2  # a warning, not a refusal
    # The gap list shows the open actions of each gap.
    gaps = client.get(url(org, "bia:gaps")).content.decode()
    assert action.reference in gaps and "Créer une autre action" in gaps


def test_a_source_of_another_organization_is_404_on_the_create_page(org, other_org, admin_user, client_for) -> None:
    _activity, dpi = gap_org(other_org)
    client = client_for(admin_user)
    assert client.get(url(org, "actions:create") + f"?source=bia_gap&id={dpi.pk}&key=rto").status_code == 404
    response = client.post(url(org, "actions:create"), {"title": "X", "due_date": later(), "priority": "medium",
                                                        "source_kind": "bia_gap", "source_id": dpi.pk,
                                                        "source_key": "rto"})
    assert response.status_code == 404 and not Action.objects.filter(organization=org).exists()


def test_a_past_due_date_is_refused_next_to_the_field_in_french(org, admin_user, client_for) -> None:
    response = client_for(admin_user).post(url(org, "actions:create"), {
        "title": "Kits", "priority": "medium", "due_date": "2020-01-01"})
    assert response.status_code == 400
    assert "saisie a posteriori" in str(response.context["form"].errors["due_date"])


def test_the_owner_follows_their_action_and_others_are_404(org, client_for) -> None:
    owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER)
    other_owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER)
    mine = ActionFactory(organization=org, title="Former les IDE", owner_member=owner)
    theirs = ActionFactory(organization=org, title="Autre", owner_member=other_owner)
    client = client_for(owner.user)
    assert client.get(url(org, "actions:list")).status_code == 403  # the plan is for its readers
    page = client.get(url(org, "actions:mine"))
    assert [a.title for a in page.context["actions"]] == ["Former les IDE"]
    assert client.get(url(org, "actions:detail", pk=theirs.pk)).status_code == 404
    assert client.get(url(org, "actions:follow", pk=theirs.pk)).status_code == 404
    follow = url(org, "actions:follow", pk=mine.pk)
    assert client.get(follow).status_code == 200
    refused = client.post(follow, {"status": "done", "note": "", "proof_note": ""})
    assert refused.status_code == 400 and "proof_note" in refused.context["form"].errors
    done = client.post(follow, {"status": "done", "note": "Formation faite le 3", "proof_note": "Feuille d'émargement"})
    assert done.status_code == 302
    mine.refresh_from_db()
    assert mine.status == Status.DONE and mine.proof_note == "Feuille d'émargement"
    assert mine.notes.get().author == owner.user
    # Reopening a closed action is the plan's editors' decision.
    assert client.post(follow, {"status": "in_progress"}).status_code == 400


def test_an_owner_sees_only_their_own_actions_of_a_shared_source(org, client_for) -> None:
    """Two actions from one restore test, one per owner: each owner's page names no other action of the source
    (the other owner's would answer 404), and links the source only when the owner may open it."""
    test = RestoreTestFactory(organization=org)
    owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER)
    other = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER)
    source = {"source_kind": SourceKind.RESTORE_TEST, "source_id": test.pk, "source_key": ""}
    mine = ActionFactory(organization=org, title="Refaire le test", owner_member=owner, **source)
    theirs = ActionFactory(organization=org, title="Documenter la procédure", owner_member=other, **source)
    page = client_for(owner.user).get(url(org, "actions:detail", pk=mine.pk))
    assert page.status_code == 200
    assert page.context["siblings"] == []
    assert theirs.reference not in page.content.decode()
    assert url(org, "backups:tests") not in page.content.decode()  # backups.view: not a business owner's
    rpcra_page = client_for(MembershipFactory(organization=org, role=Role.RPCRA).user).get(
        url(org, "actions:detail", pk=mine.pk))
    assert [a.pk for a in rpcra_page.context["siblings"]] == [theirs.pk]
    assert url(org, "backups:tests") in rpcra_page.content.decode()


def test_a_reader_of_the_plan_cannot_follow_an_action_they_do_not_own(org, reader_user, client_for) -> None:
    action = ActionFactory(organization=org)
    client = client_for(reader_user)
    assert client.get(url(org, "actions:detail", pk=action.pk)).status_code == 200
    assert client.get(url(org, "actions:follow", pk=action.pk)).status_code == 403
    assert client.get(url(org, "actions:update", pk=action.pk)).status_code == 403


def test_update_changes_owner_and_establishments(org, admin_user, client_for, django_capture_on_commit_callbacks) -> None:
    from apps.tenants.models import Establishment

    member = MembershipFactory(organization=org, role=Role.CONTRIBUTOR)
    action = ActionFactory(organization=org, title="Avant")
    establishment = Establishment.objects.get(organization=org)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(admin_user).post(url(org, "actions:update", pk=action.pk), {
            "title": "Après", "priority": "high", "due_date": later(), "owner_member": member.pk,
            "establishments": [establishment.pk]})
    assert response.status_code == 302, response.content.decode()[:3000]
    action.refresh_from_db()
    assert action.title == "Après" and action.owner_member == member
    assert list(action.establishments.all()) == [establishment]
    assert len(callbacks) == 1  # the assignment e-mail, sent by the worker once committed


def test_detail_says_whether_the_source_still_stands(org, admin_user, client_for) -> None:
    _activity, dpi = gap_org(org)
    action = services.create_from_source(organization=org, actor=None, kind=SourceKind.BIA_GAP, source_id=dpi.pk,
                                         key="rto", data={"due_date": timezone.localdate()})
    services.action_set_status(action=action, actor=None, status=Status.DONE, proof_note="fait")
    client = client_for(admin_user)
    assert "l'écart persiste" in client.get(url(org, "actions:detail", pk=action.pk)).content.decode()
    from apps.bia.services import resource_update

    resource_update(resource=dpi, actor=None, data={"rto_capability_hours": 2})
    assert "l'écart est résolu" in client.get(url(org, "actions:detail", pk=action.pk)).content.decode()


def test_the_other_apps_pages_offer_create_an_action(org, admin_user, reader_user, client_for) -> None:
    from apps.governance import services as governance

    dpi = ResourceFactory(organization=org, name="DPI")
    test = RestoreTestFactory(organization=org, resource=dpi, result="failure")
    milestone = MilestoneFactory(trajectory=TrajectoryFactory(organization=org), title="VLAN dédié")
    meeting = governance.copil_meeting_create(organization=org, actor=None, data={"held_on": timezone.localdate()})
    decision = governance.decision_create(meeting=meeting, actor=None, data={"text": "Acheter des kits"})
    ActionFactory(organization=org, title="Kits", source_kind="decision", source_id=decision.pk)
    ActionFactory(organization=org, title="MFA", requirement_ids=["D2.O3.A"])
    client = client_for(admin_user)
    pages = {
        "backups:tests": f"source=restore_test&amp;id={test.pk}",
        "backups:trajectories": f"source=milestone&amp;id={milestone.pk}",
        "compliance:requirements": "source=requirement&amp;id=&amp;key=D2.O3.A",
    }
    for name, query in pages.items():
        assert query in client.get(url(org, name)).content.decode(), name
    meeting_page = client.get(url(org, "governance:meeting-detail", pk=meeting.pk)).content.decode()
    assert "Kits" in meeting_page and "Créer une autre action" in meeting_page
    assert "1 action ouverte" in client.get(url(org, "compliance:requirements")).content.decode()
    journey = client.get(url(org, "tenants:home")).content.decode()
    assert 'data-testid="stage-actions"' in journey and "Kits" in journey
    # A reader sees the actions, not the button.
    reader_page = client_for(reader_user).get(url(org, "backups:tests")).content.decode()
    assert "source=restore_test" not in reader_page


def test_direction_view_draws_from_server_data_without_inline_script(org, member_factory, client_for) -> None:
    ActionFactory(organization=org, title="En retard", due_date=timezone.localdate() - datetime.timedelta(days=2),
                  retro_entered=True, owner_name="Sylvie Roux", owner_email="s.roux@ght.example",
                  source_kind="decision")
    response = client_for(member_factory(org, Role.DIRECTION)).get(url(org, "actions:direction"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Sylvie Roux" in body and "/static/vendor/chartjs/chart.umd.min.js" in body
    data = json.loads(body.split('id="action-chart-data" type="application/json">')[1].split("</script>")[0])
    assert data["burndown"]["values"][-1] == 1 and data["bySource"]["late"] == [1]
    assert "<script>" not in body and "cdn" not in body.lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_proof_download_is_for_the_owner_and_the_plan_s_readers(org, client_for) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.compliance.pdf import minimal_pdf

    owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER)
    stranger = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER)
    action = ActionFactory(organization=org, owner_member=owner)
    services.action_set_status(action=action, actor=owner.user, status=Status.DONE, proof_upload=SimpleUploadedFile(
        "pv.pdf", minimal_pdf("PV"), content_type="application/pdf"))
    proof = url(org, "actions:proof", pk=action.pk)
    response = client_for(owner.user).get(proof)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for(stranger.user).get(proof).status_code == 404


def test_a_limited_member_cannot_reach_or_name_another_establishment(db, client_for) -> None:
    from tests.bia.factories import ActivityFactory, ActivityLinkFactory
    from tests.establishments import limited_member
    from tests.factories import EstablishmentFactory, OrganizationFactory

    org = OrganizationFactory(kind="ght")
    home = EstablishmentFactory(organization=org, name="CH de Saint-Aubin")
    other = EstablishmentFactory(organization=org, name="CHU de Valmont")
    upstream = ActivityFactory(organization=org, establishment=other, name="Dispensation", dmia_override_hours=48,
                               dmia_override_justification="x")
    downstream = ActivityFactory(organization=org, establishment=other, name="Réanimation", dmia_override_hours=4,
                                 dmia_override_justification="x")
    ActivityLinkFactory(organization=org, activity=downstream, depends_on=upstream)
    client = client_for(limited_member(org, Role.CONTRIBUTOR, home))
    source = url(org, "actions:create") + f"?source=bia_gap&id={upstream.pk}&key=activity_rto"
    assert client.get(source).status_code == 404
    form = client.get(url(org, "actions:create"))
    assert f'value="{other.pk}"' not in form.content.decode()
    response = client.post(url(org, "actions:create"), {"title": "Intrus", "priority": "medium", "due_date": later(),
                                                        "establishments": [other.pk]})
    assert response.status_code == 400 and "establishments" in response.context["form"].errors
    response = client.post(url(org, "actions:create"), {"title": "Sans", "priority": "medium", "due_date": later()})
    assert response.status_code == 400 and "vos établissements" in str(response.context["form"].errors)
    ok = client.post(url(org, "actions:create"), {"title": "Chez nous", "priority": "medium", "due_date": later(),
                                                  "establishments": [home.pk]})
    assert ok.status_code == 302
    assert list(Action.objects.get(title="Chez nous").establishments.all()) == [home]
