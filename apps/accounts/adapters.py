"""allauth adapter: no open sign-up (people join by invitation), the client address rule, and axes' username lookup."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from apps.core.services import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are created when an invitation is accepted (apps.tenants.views.InvitationAcceptView).
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits use the same trusted-proxy rule as the audit trail and django-axes.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The login identifier, from allauth's credentials or the posted form (lower-cased e-mail)."""
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None and hasattr(request, "POST"):
        value = request.POST.get("login") or request.POST.get("username") or request.POST.get("email")
    return value.strip().lower() if value else None
