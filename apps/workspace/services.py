from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from apps.workspace.models import RequirementSnapshot

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def requirement_snapshot_take(*, organization: Organization, day: datetime.date | None = None) -> RequirementSnapshot:
    """Count the requirements by status for ``day`` (today); taking it again the same day updates it.
    Runs inside the organization's scope, organization-wide (the beat task has no establishment limit)."""
    from apps.compliance.selectors import requirement_statuses, status_summary

    summary = status_summary(requirement_statuses(organization=organization))
    snapshot, _created = RequirementSnapshot.objects.update_or_create(
        organization=organization, day=day or timezone.localdate(),
        defaults={"met": summary["met"], "partial": summary["partial"], "not_met": summary["not_met"],
                  "unchecked": summary["unchecked"]})
    return snapshot
