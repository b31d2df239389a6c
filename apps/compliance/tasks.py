"""Celery tasks of the compliance app (``PORTFOLIO_QUEUE``, the default queue unless tests use their own)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from apps.compliance import portfolio
from apps.core.tasks import TenantTask
from apps.tenants.models import Organization


@shared_task(base=TenantTask, bind=True, name="compliance.portfolio_refresh", queue_setting="PORTFOLIO_QUEUE")
def portfolio_refresh(self: TenantTask, organization: Organization) -> dict[str, Any]:
    """Compute and cache the organization's portfolio summary (for the whole organization: no limit)."""
    return portfolio.compute_summary(organization)
