"""Synthetic action plans at real size, for the benchmark command and the query-count tests."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db.models import Max
from django.utils import timezone

from apps.actions.models import Action, ActionEstablishment, Priority, SourceKind, Status
from apps.compliance.catalogue import current_catalogue
from apps.tenants.models import Establishment, Membership, Organization

TITLES = ["Mettre à jour la procédure de restauration", "Doubler le lien réseau", "Former les équipes au mode "
          "dégradé", "Rédiger le plan de sauvegarde", "Tester le bouton rouge", "Négocier l'engagement de reprise",
          "Acheter des kits papier", "Activer la MFA sur la console"]


def seed_actions(*, organization: Organization, count: int, seed: int = 14, prefix: str = "") -> list[Action]:
    """Bulk-create ``count`` actions spread over statuses, priorities, sources, owners, establishments and due
    dates (a quarter overdue), with their history rows (pghistory's triggers fire on bulk inserts too)."""
    rng = random.Random(seed)
    today = timezone.localdate()
    members = list(Membership.objects.filter(organization=organization))
    establishments = list(Establishment.objects.filter(organization=organization))
    requirements = [r.id for r in current_catalogue().requirements]
    kinds = [k for k in SourceKind.values if k != SourceKind.EXERCISE_FINDING]
    start = (Action._base_manager.filter(organization=organization).aggregate(n=Max("number"))["n"] or 0) + 1
    rows = []
    for i in range(count):
        status = rng.choice([Status.TODO, Status.TODO, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.DONE,
                             Status.ABANDONED])
        owner = rng.choice(members) if members and rng.random() < 0.8 else None
        rows.append(Action(
            organization=organization, number=start + i, title=f"{prefix}{rng.choice(TITLES)} n°{i}",
            description="Action générée pour mesurer la page du plan.", source_kind=rng.choice(kinds),
            source_id=rng.randrange(1, 500), source_label=f"Origine {i}",
            requirement_ids=rng.sample(requirements, rng.choice([0, 1, 1, 2])),
            owner_member=owner, owner_name="" if owner else rng.choice(["", "Prestataire réseau"]),
            owner_email="" if owner else "prestataire@reseau.example",
            due_date=today + datetime.timedelta(days=rng.randrange(-90, 180)), retro_entered=True,
            priority=rng.choice(list(Priority.values)), status=status,
            abandon_reason="Doublon" if status == Status.ABANDONED else "",
            proof_note="Fait" if status == Status.DONE else "",
            closed_at=timezone.now() - datetime.timedelta(days=rng.randrange(0, 60))
            if status in (Status.DONE, Status.ABANDONED) else None,
        ))
    actions = Action.objects.bulk_create(rows, batch_size=1000)
    links: list[Any] = []
    for action in actions:
        if establishments and rng.random() < 0.7:
            for establishment in rng.sample(establishments, rng.choice([1, 1, min(2, len(establishments))])):
                links.append(ActionEstablishment(organization=organization, action=action, establishment=establishment))
    ActionEstablishment.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
    return actions
