"""The crisis day's services: activation, the live ticks, closing and its report, the kit's copy register."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.backups.measured import measures
from apps.continuity import services as continuity
from apps.continuity.models import PlanVersion, ReflexSheet
from apps.core.models import AuditEvent
from apps.crisis import documents, notifications, selectors, services
from apps.crisis.models import Crisis, CrisisLogEntry, KitCopy, RecoveryProgress, SignalementDone
from apps.governance.models import CrisisAssignment, CrisisRole
from apps.tenants.roles import Role
from tests.bia.factories import ResourceFactory
from tests.crisis.factories import copy_in, crisis_in, plan_with_sheet, urgences

pytestmark = pytest.mark.django_db


def _cell(org, member) -> None:
    role = CrisisRole.objects.create(organization=org, kind=CrisisRole.Kind.DIRECTOR)
    CrisisAssignment.objects.create(organization=org, role=role, position="holder", member=member,
                                    phone="+33612345678")
    CrisisAssignment.objects.create(organization=org, role=role, position="deputy", external_name="M. Adjoint",
                                    phone="+33698765432")


def test_activation_records_time_versions_signalements_audit_and_notifies(org, member_factory) -> None:
    director = member_factory(org, Role.DIRECTION)
    _cell(org, director.memberships.get(organization=org))
    plan = plan_with_sheet(org, activities=[urgences(org)])
    crisis = crisis_in(org, actor=director, plan=plan, is_exercise=True)
    assert crisis.is_active and crisis.is_exercise and crisis.activated_by == director
    assert [v.plan_id for v in selectors.activated_versions(crisis=crisis)] == [plan.pk]
    recipients = {s.recipient: s.delay_hours for s in SignalementDone.objects.filter(crisis=crisis)}
    assert recipients == {"cert_sante": None, "ars": None, "anssi": None, "cnil": 72, "police": None}
    assert AuditEvent.objects.filter(organization=org, action="crisis_activated", actor=director).exists()
    assert CrisisLogEntry.objects.filter(crisis=crisis, kind="milestone").count() == 1
    # The worker's message: the holder by e-mail; the external deputy has no address (no SMS gateway here).
    assert notifications.send_activation(organization=org, crisis_id=crisis.pk) == 1
    assert mail.outbox[-1].to == [director.email] and "[" in mail.outbox[-1].subject
    crisis.refresh_from_db()
    assert crisis.notified_count == 1


def test_only_approved_versions_and_two_crises_coexist(org) -> None:
    plan = plan_with_sheet(org)
    first = crisis_in(org, plan=plan)
    second = crisis_in(org, plan=plan, title="Panne réseau")
    services.crisis_close(crisis=first, actor=None, closing_note="Retour au nominal")
    first.refresh_from_db()
    assert first.retex_exercise is not None
    second.refresh_from_db()
    assert first.status == Crisis.Status.CLOSED and second.is_active
    draft = continuity.version_for_edit(plan=plan, actor=None)
    with pytest.raises(ValidationError):
        services.crisis_activate(organization=org, actor=None, title="X", scenario=first.scenario,
                                 versions=[draft])


def test_live_state_counts_down_the_dmia_and_the_degraded_mode(org) -> None:
    activity = urgences(org)
    from apps.bia.models import ActivityDependency

    ActivityDependency.objects.create(organization=org, activity=activity, resource=ResourceFactory(organization=org),
                                      workaround_exists=True, workaround_hours=2)
    crisis = crisis_in(org, plan=plan_with_sheet(org, activities=[activity]),
                       at=timezone.now() - datetime.timedelta(hours=1))
    state = selectors.live_state(crisis=crisis)
    clock = next(c for c in state.activities if c.activity_id == activity.pk)
    assert 3 * 3600 - 60 < clock.dmia_left_seconds <= 3 * 3600 and not clock.dmia_exceeded
    services.degraded_activate(crisis=crisis, actor=None, activity=activity,
                               at=timezone.now() - datetime.timedelta(hours=3))
    clock = next(c for c in selectors.live_state(crisis=crisis).activities if c.activity_id == activity.pk)
    assert clock.degraded_at is not None and clock.degraded_exceeded  # 2 h of workaround, activated 3 h ago


def test_ticks_recovery_and_real_incident_evidence(org, member_factory) -> None:
    rpcra = member_factory(org, Role.RPCRA)
    crisis = crisis_in(org, plan=plan_with_sheet(org), at=timezone.now() - datetime.timedelta(hours=5))
    sheet = ReflexSheet.objects.get(version__in=[v.pk for v in selectors.activated_versions(crisis=crisis)])
    assert services.reflex_tick(crisis=crisis, actor=rpcra, sheet=sheet, line=1)
    line = selectors.live_state(crisis=crisis).sheets[0].lines[1]
    assert line.ticked_at is not None and line.ticked_by == (rpcra.get_full_name() or rpcra.email)
    with pytest.raises(ValidationError):
        services.reflex_tick(crisis=crisis, actor=rpcra, sheet=sheet, line=9)
    dpi = ResourceFactory(organization=org, name="DPI", kind="application")
    row = RecoveryProgress.objects.create(organization=org, crisis=crisis, resource=dpi, position=1)
    for expected in ("in_progress", "restored", "verified"):
        row = services.recovery_advance(crisis=crisis, actor=rpcra, progress=row,
                                        membership=rpcra.memberships.get(organization=org))
        assert row.status == expected
    # A real crisis: the measured RTA (about 5 h) is the system's measured capability now, labelled as such.
    assert row.evidence_test is not None and "incident" in row.evidence_test.notes
    assert 4.9 < measures(organization=org)[dpi.pk].rto_hours < 5.1
    signalement = SignalementDone.objects.get(crisis=crisis, recipient="cnil")
    assert services.signalement_set(crisis=crisis, actor=rpcra, signalement=signalement).done_at is not None


def test_exercise_recovery_is_not_evidence_and_its_retex_is_a_field_exercise(org) -> None:
    crisis = crisis_in(org, plan=plan_with_sheet(org), is_exercise=True)
    row = RecoveryProgress.objects.create(organization=org, crisis=crisis, position=1,
                                          resource=ResourceFactory(organization=org, kind="application"))
    for _ in range(3):
        row = services.recovery_advance(crisis=crisis, actor=None, progress=row)
    assert row.status == "verified" and row.evidence_test is None
    crisis = services.crisis_close(crisis=crisis, actor=None, closing_note="FINEX")
    exercise = crisis.retex_exercise
    assert (exercise.scope, exercise.format, exercise.status) == ("pca", "field", "finished")
    assert list(exercise.tested_versions.values_list("version_id", flat=True)) == [
        v.pk for v in selectors.activated_versions(crisis=crisis)]


def test_closing_writes_the_report_pdf(org) -> None:
    crisis = crisis_in(org, plan=plan_with_sheet(org))
    with pytest.raises(ValidationError):
        services.crisis_close(crisis=crisis, actor=None, closing_note=" ")
    services.crisis_close(crisis=crisis, actor=None, closing_note="Retour au nominal à 18 h")
    crisis.refresh_from_db()
    # The RETEX opens as for an exercise; a real crisis is kept as « not a PCA test » (CaRE asks for an exercise).
    assert crisis.retex_exercise.status == "finished" and crisis.retex_exercise.scope == "technical"
    assert crisis.retex_exercise.debex_at == crisis.activated_at and crisis.retex_exercise.finex_at == crisis.closed_at
    assert documents.render_report(organization=org, crisis_id=crisis.pk)
    crisis.refresh_from_db()
    assert crisis.report_file.endswith(".pdf") and crisis.report_pages >= 1
    with pytest.raises(ValidationError):
        services.signalement_set(crisis=crisis, actor=None, signalement=crisis.signalements.first())


def test_kit_copies_are_numbered_built_and_go_stale_on_a_new_approval(org, member_factory) -> None:
    holder = member_factory(org, Role.READER)
    plan = plan_with_sheet(org)
    membership = holder.memberships.get(organization=org)
    first = copy_in(org, holder_member=membership, planned_total=3)
    second = copy_in(org, fmt=KitCopy.Format.HTML)
    assert (first.number, second.number) == (1, 2)
    assert documents.build_copy(organization=org, copy_id=first.pk)
    assert documents.build_copy(organization=org, copy_id=second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.pages >= 4 and second.size_bytes > 1000
    html = documents.kit_html(organization=org, copy=second, for_pdf=False)
    assert "Diffusion restreinte" in html and "Copie n° 2 / 2" in html
    assert "<script" not in html and "http://" not in html and "https://" not in html and "<link" not in html
    # A newer version approved → both older copies « périmées », the member holder told to replace it.
    continuity.version_for_edit(plan=plan, actor=None)
    continuity.plan_submit(plan=plan, actor=None)
    continuity.plan_approve(plan=plan, actor=None, acknowledge_incomplete=True)
    assert selectors.stale_count(organization=org) == 2
    assert notifications.send_stale(organization=org, copy_ids=[first.pk, second.pk]) == 1
    assert mail.outbox[-1].to == [holder.email]
    services.kit_copy_set_state(copy=first, actor=None, state=KitCopy.State.DESTROYED)
    assert selectors.stale_count(organization=org) == 1
    third = copy_in(org)
    newest = PlanVersion.objects.get(plan=plan, status="approved")
    assert third.number == 3 and third.versions[0]["version"] == newest.pk and third.state == "current"
