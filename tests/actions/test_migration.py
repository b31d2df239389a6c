"""The COPIL decisions recorded before the action plan become its actions (data migration 0002)."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from apps.actions.models import Action
from apps.governance import services as governance
from apps.governance.models import Decision
from apps.tenants.roles import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("apps.actions.migrations.0002_decisions_become_actions")


def test_each_decision_becomes_an_imported_action_and_keeps_its_link(org, other_org) -> None:
    MembershipFactory(organization=org, role=Role.CONTRIBUTOR, user=UserFactory(first_name="Karim",
                                                                                last_name="Benali"))
    past = timezone.localdate() - datetime.timedelta(days=40)
    meeting = governance.copil_meeting_create(organization=org, actor=None, data={"held_on": past})
    rows = [("Financer une copie immuable\nBudget 2026", "Karim Benali", "in_progress", ""),
            ("Acheter des kits papier", "Sylvie Roux", "open", "PA-KITS"),
            ("Désigner un référent", "", "done", ""),
            ("Externaliser les bandes", "", "cancelled", "")]
    decisions = [governance.decision_create(meeting=meeting, actor=None, data={
        "text": text, "owner": owner, "due_date": past, "status": status, "action_reference": ref})
        for text, owner, status, ref in rows]
    elsewhere = governance.decision_create(meeting=governance.copil_meeting_create(
        organization=other_org, actor=None, data={"held_on": past}), actor=None, data={"text": "Ailleurs"})
    migration.forwards(django_apps, None)
    migration.forwards(django_apps, None)  # again: nothing twice
    actions = {a.source_id: a for a in Action.objects.filter(organization=org).select_related("owner_member__user")}
    assert len(actions) == 4 and Action.objects.filter(organization=other_org).count() == 1
    copy = actions[decisions[0].pk]
    assert copy.title == "Financer une copie immuable" and copy.owner_member.user.last_name == "Benali"
    assert copy.status == "in_progress" and copy.retro_entered and copy.is_late  # a past due date, shown late
    assert copy.source_kind == "decision" and copy.source_label.startswith("Décision du COPIL du ")
    kits = actions[decisions[1].pk]
    assert kits.owner_member is None and kits.owner_name == "Sylvie Roux" and kits.status == "todo"
    assert actions[decisions[2].pk].status == "done" and actions[decisions[2].pk].has_proof
    assert actions[decisions[3].pk].status == "abandoned" and actions[decisions[3].pk].abandon_reason
    references = dict(Decision.objects.filter(organization=org).values_list("pk", "action_reference"))
    assert references[decisions[0].pk] == copy.reference and references[decisions[1].pk] == "PA-KITS"
    assert sorted(a.number for a in actions.values()) == [1, 2, 3, 4]
    assert Action.objects.get(organization=other_org).source_id == elsewhere.pk
    migration.backwards(django_apps, None)
    assert not Action.objects.filter(source_kind="decision").exists()
    assert Decision.objects.get(pk=decisions[0].pk).action_reference == ""
