"""The COPIL decisions recorded before the action plan existed become its actions.

Each decision gives one action (source « décision du COPIL », entered after the fact so that a past due date
stays and shows as late); its owner is the member whose name or e-mail the decision typed, else that name as an
external person (without e-mail: nobody is e-mailed until someone completes it); its status carries over
(« fait » with a note as proof, « annulée » as abandoned with its reason). The decision keeps its link: its
« action plan item » gets the action's reference when it had none. The words are French, the language the
decisions were recorded in. Running it again creates nothing twice.
"""

from django.db import migrations
from django.db.models import Max
from django.utils import timezone
from django_scopes import scopes_disabled

STATUSES = {"open": "todo", "in_progress": "in_progress", "done": "done", "cancelled": "abandoned"}
DONE_NOTE = "Décision soldée en COPIL (reprise de l'historique des décisions)."
CANCELLED_REASON = "Décision annulée en COPIL (reprise de l'historique des décisions)."


def _owner(members, text):
    wanted = (text or "").strip().casefold()
    if not wanted:
        return None
    for member in members:
        full = f"{member.user.first_name} {member.user.last_name}".strip().casefold()
        if wanted in {full, member.user.email.casefold()}:
            return member
    return None


def forwards(apps, schema_editor):
    Decision = apps.get_model("governance", "Decision")
    Action = apps.get_model("actions", "Action")
    Membership = apps.get_model("tenants", "Membership")
    now = timezone.now()
    with scopes_disabled():
        numbers = {}
        members = {}
        decisions = Decision.objects.select_related("meeting").order_by("organization_id", "meeting__held_on", "id")
        for decision in decisions:
            org_id = decision.organization_id
            if Action.objects.filter(organization_id=org_id, source_kind="decision", source_id=decision.pk).exists():
                continue
            if org_id not in numbers:
                numbers[org_id] = Action.objects.filter(organization_id=org_id).aggregate(n=Max("number"))["n"] or 0
                members[org_id] = list(Membership.objects.filter(organization_id=org_id).select_related("user"))
            numbers[org_id] += 1
            text = decision.text.strip()
            owner = _owner(members[org_id], decision.owner)
            status = STATUSES.get(decision.status, "todo")
            action = Action.objects.create(
                organization_id=org_id, number=numbers[org_id], title=(text.splitlines()[0] if text else "—")[:200],
                description=decision.text, source_kind="decision", source_id=decision.pk,
                source_label=f"Décision du COPIL du {decision.meeting.held_on:%d/%m/%Y}",
                owner_member=owner, owner_name="" if owner else decision.owner.strip()[:150],
                due_date=decision.due_date, retro_entered=True, priority="medium", status=status,
                closed_at=now if status in ("done", "abandoned") else None,
                proof_note=DONE_NOTE if status == "done" else "",
                abandon_reason=CANCELLED_REASON if status == "abandoned" else "",
            )
            if not decision.action_reference:
                decision.action_reference = f"PA-{action.number:03d}"
                decision.save(update_fields=["action_reference"])


def backwards(apps, schema_editor):
    Decision = apps.get_model("governance", "Decision")
    Action = apps.get_model("actions", "Action")
    with scopes_disabled():
        for action in Action.objects.filter(source_kind="decision", source_label__startswith="Décision du COPIL"):
            Decision.objects.filter(pk=action.source_id, action_reference=f"PA-{action.number:03d}").update(
                action_reference="")
            action.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("actions", "0001_action_plan"),
        ("governance", "0002_pssi_signatory_function"),
        ("tenants", "0004_organization_language"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
