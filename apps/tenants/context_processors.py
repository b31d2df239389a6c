from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.tenants.selectors import limit_names, switcher_for


def tenant(request: HttpRequest) -> dict[str, Any]:
    """The current organization and membership, and the organization switcher's entries."""
    user = getattr(request, "user", None)
    membership = getattr(request, "membership", None)
    return {
        "organization": getattr(request, "organization", None),
        "membership": membership,
        "capabilities": membership.capabilities if membership else frozenset(),
        # Read with the membership on an organization's pages (the tenant middleware), lazily elsewhere.
        "switcher": getattr(request, "switcher", None) or SimpleLazyObject(lambda: switcher_for(user=user)),
        # A member limited to some establishments is told on every page what they are looking at.
        "establishment_limit": limit_names(organization=request.organization)  # type: ignore[attr-defined]
        if membership is not None and membership.allowed_establishment_ids is not None else None,
    }
