"""Helpers shared by the BIA services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.tenants.models import Organization


def check_same_org(organization: Organization, **objects: Any) -> None:
    for field, obj in objects.items():
        if obj is not None and obj.organization_id != organization.id:
            raise ValidationError({field: _("Choose one of this organization's items.")})
