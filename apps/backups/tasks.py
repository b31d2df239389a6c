"""Celery tasks of the backups. Thin: the work is in ``apps.backups.feed``.

``backups.escalate_alerts`` runs hourly (``CELERY_BEAT_SCHEDULE``): alerts left unresolved past the
organization's delay become actions, even when the backup tool stops posting altogether.
"""

from __future__ import annotations

from celery import shared_task
from django_scopes import scopes_disabled

from apps.backups.feed import alerts_escalate
from apps.backups.models import BackupAlert
from apps.core.tasks import TenantTask
from apps.tenants.models import Organization


@shared_task(base=TenantTask, bind=True, name="backups.escalate_organization")
def escalate_organization(self: TenantTask, organization: Organization) -> int:
    return len(alerts_escalate(organization=organization))


@shared_task(name="backups.escalate_alerts")
def escalate_alerts() -> int:
    """Beat's entry point: one task per organization with an open alert not yet turned into an action."""
    with scopes_disabled():  # which organizations have work: ids only, then each runs in its own scope
        ids = sorted(set(BackupAlert.objects.filter(resolved_at__isnull=True, action__isnull=True)
                         .values_list("organization_id", flat=True)))
    for pk in ids:
        language = Organization.objects.filter(pk=pk).values_list("language", flat=True).first()
        escalate_organization.apply_async(args=[pk], kwargs={"language": language, "user_id": None,
                                                             "establishment_ids": None})
    return len(ids)
