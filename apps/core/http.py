"""The request of a tenant page, as the tenant middleware leaves it.

``apps.tenants.middleware.TenantMiddleware`` sets ``request.organization`` and ``request.membership`` on
every request (``None`` outside ``/o/<org_slug>/``). Views under ``/o/<org_slug>/`` see a
``TenantRequest``: the organization, the member's membership and an authenticated user are all there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django.http import HttpRequest

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Membership, Organization


class TenantRequest(HttpRequest):
    """Only a type: no request is ever built from it (the middleware sets the attributes)."""

    organization: Organization
    membership: Membership
    user: User  # anonymous visitors are sent to the login page before any tenant view runs


def is_tenant_request(request: HttpRequest) -> TypeGuard[TenantRequest]:
    """Whether the tenant middleware resolved an organization and a membership for this request."""
    return getattr(request, "membership", None) is not None
