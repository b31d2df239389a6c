"""Celery tasks of the BIA: the campaign's e-mails (``CAMPAIGN_QUEUE``) and the analysis computed again
after writes (``ANALYSIS_QUEUE``); both the default queue unless tests use their own. Thin, on
``apps.core.tasks.TenantTask``: the work is in ``apps.bia.notifications`` and ``apps.bia.selectors``."""

from __future__ import annotations

from celery import shared_task

from apps.bia import notifications
from apps.core.tasks import TenantTask
from apps.tenants.models import Organization


@shared_task(base=TenantTask, bind=True, name="bia.campaign_remind", queue_setting="CAMPAIGN_QUEUE")
def campaign_remind(self: TenantTask, organization: Organization) -> int:
    """E-mail every business owner whose BIA is not submitted yet; returns how many were reminded."""
    return notifications.send_reminders(organization=organization)


@shared_task(base=TenantTask, bind=True, name="bia.notify_owner_assigned", queue_setting="CAMPAIGN_QUEUE")
def notify_owner_assigned(self: TenantTask, organization: Organization, activity_id: int) -> bool:
    """Tell the business owner an activity is now theirs to answer; False when there is nobody to tell."""
    return notifications.send_assigned(organization=organization, activity_id=activity_id)


@shared_task(base=TenantTask, bind=True, name="bia.notify_sent_back", queue_setting="CAMPAIGN_QUEUE")
def notify_sent_back(self: TenantTask, organization: Organization, activity_id: int) -> bool:
    """Tell the business owner their BIA was sent back, with the RPCRA's comment."""
    return notifications.send_sent_back(organization=organization, activity_id=activity_id)


@shared_task(base=TenantTask, bind=True, name="bia.analysis_refresh", queue_setting="ANALYSIS_QUEUE")
def analysis_refresh(self: TenantTask, organization: Organization) -> int:
    """Compute the analysis again after writes (``apps.bia.refresh``); returns how many were computed."""
    from apps.bia import refresh, selectors

    refresh.refresh_started(organization.pk)
    return selectors.refresh_analysis(organization=organization)
