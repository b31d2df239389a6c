"""The action plan's reads: the burn-down replayed from the history, open actions per stage and requirement,
what is late per owner."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from apps.actions import selectors, services
from apps.actions.models import Action, Status
from tests.actions.factories import ActionFactory
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _move(action: Action, *stamps: datetime.datetime) -> None:
    """Give the action's history events these timestamps, in order (as if it had lived in the past)."""
    events = list(django_apps.get_model("actions", "ActionEvent").objects.filter(pgh_obj_id=action.pk)
                  .order_by("pgh_id"))
    assert len(events) == len(stamps)
    for event, stamp in zip(events, stamps, strict=True):
        event.pgh_created_at = stamp
    type(events[0]).objects.bulk_update(events, ["pgh_created_at"])


def _weeks_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(weeks=n, hours=1)


def test_the_burn_down_replays_openings_closings_and_reopenings(org) -> None:
    due = timezone.localdate() + datetime.timedelta(days=30)
    closed = services.action_create(organization=org, actor=None, data={"title": "Fermée", "due_date": due})
    services.action_set_status(action=closed, actor=None, status=Status.DONE, proof_note="ok")
    _move(closed, _weeks_ago(10), _weeks_ago(4))
    reopened = services.action_create(organization=org, actor=None, data={"title": "Rouverte", "due_date": due})
    services.action_set_status(action=reopened, actor=None, status=Status.ABANDONED, abandon_reason="doublon")
    services.action_set_status(action=reopened, actor=None, status=Status.IN_PROGRESS)
    services.action_set_status(action=reopened, actor=None, status=Status.IN_PROGRESS, proof_note="x")  # no change
    _move(reopened, _weeks_ago(8), _weeks_ago(6), _weeks_ago(2))
    ActionFactory(organization=org, title="Cette semaine")
    values = selectors.burndown(organization=org, weeks=12)["values"]
    # Week ends from 11 weeks ago to today: nothing, + « Fermée » (10), + « Rouverte » (8), − « Rouverte » (6),
    # − « Fermée » (4), + « Rouverte » again (2), + this week's.
    assert values == [0, 1, 1, 2, 2, 1, 1, 0, 0, 1, 1, 2]


def test_open_actions_per_stage_follow_the_source_then_the_requirements(org) -> None:
    ActionFactory(organization=org, title="Écart", source_kind="bia_gap", requirement_ids=["D2.O3.A"])
    ActionFactory(organization=org, title="Deux exigences", requirement_ids=["D2.O3.A", "D2.O3.C"])
    ActionFactory(organization=org, title="Deux étapes", requirement_ids=["D2.P1", "D2.O4"],
                  due_date=timezone.localdate() - datetime.timedelta(days=1), retro_entered=True)
    ActionFactory(organization=org, title="Fermée", requirement_ids=["D2.P1"], status=Status.DONE, proof_note="ok")
    stages = selectors.open_actions_by_stage(organization=org)
    named = {key: sorted(a.title for a in bucket.first) for key, bucket in stages.items()}
    assert named == {"bia": ["Écart"], "backups": ["Deux exigences", "Deux étapes"], "governance": ["Deux étapes"]}
    assert stages["backups"].count == 2 and stages["backups"].overdue == 1
    assert Action.objects.filter(selectors.stage_q("backups")).count() == 2  # the list's filter says the same
    requirements = selectors.open_actions_by_requirement(organization=org)
    assert {k: v.count for k, v in requirements.items()} == {"D2.O3.A": 2, "D2.O3.C": 1, "D2.P1": 1, "D2.O4": 1}
    assert requirements["D2.P1"].first[0].reference.startswith("PA-")


def test_what_is_late_per_owner_most_late_first(org) -> None:
    late = timezone.localdate() - datetime.timedelta(days=5)
    karim = MembershipFactory(organization=org, user__first_name="Karim", user__last_name="Benali")
    for i in range(7):
        ActionFactory(organization=org, title=f"K{i}", owner_member=karim, due_date=late - datetime.timedelta(days=i),
                      retro_entered=True)
    ActionFactory(organization=org, title="Externe", owner_name="Sylvie Roux", owner_email="s@r.example",
                  due_date=late, retro_entered=True)
    ActionFactory(organization=org, title="Personne", due_date=late, retro_entered=True)
    ActionFactory(organization=org, title="À temps", owner_member=karim)
    rows = selectors.late_by_owner(organization=org)
    assert [(r.owner, r.count, r.external) for r in rows][0] == ("Karim Benali", 7, False)
    assert rows[0].oldest == late - datetime.timedelta(days=6)
    assert [a.title for a in rows[0].actions] == ["K6", "K5", "K4", "K3", "K2"]  # the five oldest
    assert {(r.owner, r.count, r.external) for r in rows[1:]} == {("Sylvie Roux", 1, True),
                                                                  ("Personne (non attribuée)", 1, False)}
