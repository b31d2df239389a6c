"""Kwargs factories for the action plan's URLs (see tests/isolation.py).

Inside ``tests.establishments.objects_in`` the action names that establishment, so every URL is checked on the
establishment axis too (no ``ORG_WIDE``).
"""

from tests.actions.factories import ActionFactory
from tests.compliance.factories import EvidenceFactory


def _action(org):
    return {"pk": ActionFactory(organization=org).pk}


def _with_proof(org):
    from django.contrib.contenttypes.models import ContentType

    from apps.actions.models import Action

    action = ActionFactory(organization=org, status="done", proof_note="")
    evidence = EvidenceFactory(organization=org, title="Preuve de clôture", requirement_ids=[],
                               content_type=ContentType.objects.get_for_model(Action), object_id=action.pk)
    Action.objects.filter(pk=action.pk).update(proof_evidence=evidence)
    return {"pk": action.pk}


URL_KWARGS = {
    "actions:detail": _action,
    "actions:update": _action,
    "actions:follow": _action,
    "actions:proof": _with_proof,
}
ORG_WIDE: set[str] = set()
