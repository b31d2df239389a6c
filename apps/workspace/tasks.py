"""Beat's daily snapshot of the requirement statuses (``workspace.snapshot_all`` → one task per organization)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from apps.core.tasks import TenantTask
from apps.tenants.models import Organization
from apps.workspace import services


@shared_task(base=TenantTask, bind=True, name="workspace.snapshot", queue_setting="MAIL_QUEUE")
def snapshot(self: TenantTask, organization: Organization) -> int:
    return services.requirement_snapshot_take(organization=organization).met


@shared_task(name="workspace.snapshot_all")
def snapshot_all() -> int:
    count = 0
    for pk, language in Organization.objects.order_by("pk").values_list("pk", "language"):
        snapshot.apply_async(args=[pk], kwargs={"language": language, "user_id": None, "establishment_ids": None},
                             queue=settings.MAIL_QUEUE)
        count += 1
    return count
