"""Celery tasks of the tenants app (``MAIL_QUEUE``). Thin, on ``apps.core.tasks.TenantTask``."""

from __future__ import annotations

from celery import shared_task

from apps.core.tasks import TenantTask
from apps.tenants import services
from apps.tenants.models import Organization


@shared_task(base=TenantTask, bind=True, name="tenants.send_invitation", queue_setting="MAIL_QUEUE")
def send_invitation(self: TenantTask, organization: Organization, invitation_id: int) -> bool:
    """E-mail an invitation; False when it was revoked or accepted meanwhile."""
    return services.invitation_send(organization=organization, invitation_id=invitation_id)
