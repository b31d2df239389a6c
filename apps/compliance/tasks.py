"""Celery tasks of the compliance app (``default`` queue; ``PORTFOLIO_QUEUE`` lets tests use their own)."""

from __future__ import annotations

from celery import shared_task
from django_scopes import scopes_disabled

from apps.compliance import portfolio
from apps.tenants.models import Organization


@shared_task(name="compliance.portfolio_refresh")
def portfolio_refresh(organization_ids: list[int]) -> int:
    """Compute and cache the portfolio summary of each organization; returns how many were done."""
    with scopes_disabled():
        organizations = list(Organization.objects.filter(pk__in=organization_ids))
    for organization in organizations:
        portfolio.compute_summary(organization)
    return len(organizations)
