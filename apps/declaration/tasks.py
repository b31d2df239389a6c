"""Celery tasks of the declaration app (``MAIL_QUEUE``). Thin, on ``apps.core.tasks.TenantTask``."""

from __future__ import annotations

from celery import shared_task

from apps.core.tasks import TenantTask
from apps.declaration import services
from apps.tenants.models import Organization


@shared_task(base=TenantTask, bind=True, name="declaration.send_reviewer_invitation", queue_setting="MAIL_QUEUE")
def send_reviewer_invitation(self: TenantTask, organization: Organization, grant_id: int) -> bool:
    """E-mail a reviewer's invitation; False when it was revoked, expired or accepted meanwhile."""
    return services.reviewer_invitation_send(organization=organization, grant_id=grant_id)
