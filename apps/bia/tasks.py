"""Celery tasks of the BIA: the campaign's e-mails (``CAMPAIGN_QUEUE``) and the analysis computed again
after writes (``ANALYSIS_QUEUE``); both the default queue unless tests use their own. Thin, on
``apps.core.tasks.TenantTask``: the work is in ``apps.bia.notifications`` and ``apps.bia.selectors``."""

from __future__ import annotations

from celery import shared_task

from apps.bia import notifications
from apps.core.tasks import TenantTask
from apps.tenants.models import Organization


@shared_task(base=TenantTask, bind=True, name="bia.campaign_remind", queue_setting="CAMPAIGN_QUEUE")
def campaign_remind(self: TenantTask, organization: Organization, owner_ids: list[int] | None = None) -> int:
    """E-mail every business owner (or those of ``owner_ids``, whose 24 h slot was claimed) whose BIA is not
    submitted yet; returns how many were reminded."""
    return notifications.send_reminders(organization=organization, owner_ids=owner_ids)


@shared_task(name="bia.campaign_reminders_dispatch")
def campaign_reminders_dispatch() -> int:
    """Beat, every morning: the automatic reminders of the campaigns whose reminder day is today (N days before
    and after the due date), throttled with the manual ones (``apps.bia.campaign``); returns how many were queued."""
    from django_scopes import scopes_disabled

    from apps.bia import campaign
    from apps.bia.models import Campaign
    from apps.core.tasks import enqueue_on_commit
    from apps.core.tenancy import tenant_scope

    with scopes_disabled():
        organization_ids = sorted(set(Campaign.objects.values_list("organization_id", flat=True)))
    queued = 0
    for organization in Organization.objects.filter(pk__in=organization_ids).order_by("pk"):
        with tenant_scope(organization):
            due = campaign.campaigns_due_for_reminder(organization=organization)
            owner_ids = set(notifications.unfinished(organization=organization)
                            .filter(establishment_id__in=[c.establishment_id for c in due])
                            .values_list("owner_id", flat=True))
            claimed, _throttled = campaign.claim_owners(organization=organization, owner_ids=sorted(owner_ids))
            if claimed:
                enqueue_on_commit(campaign_remind, organization, owner_ids=claimed, language=organization.language)
                queued += 1
    return queued


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
