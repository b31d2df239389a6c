from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from apps.notifications.models import Notification

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Organization


def notifications_for(*, organization: Organization, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(organization=organization, recipient=user).select_related("actor")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(*, organization: Organization, user: User) -> int:
    return Notification.objects.filter(organization=organization, recipient=user, read_at__isnull=True).count()
