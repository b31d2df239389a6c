"""Celery tasks of the BIA (``CAMPAIGN_QUEUE``, the default queue unless tests use their own)."""

from __future__ import annotations

from celery import shared_task

from apps.bia import notifications


@shared_task(name="bia.campaign_remind")
def campaign_remind(organization_id: int, language: str, establishment_ids: list[int] | None = None) -> int:
    """E-mail every business owner whose BIA is not submitted yet; returns how many were reminded."""
    return notifications.send_reminders(organization_id, language, establishment_ids)
