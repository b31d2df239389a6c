"""allauth adapters: no open sign-up (people join by invitation), the client address rule, axes' username lookup,
and single sign-on that only opens existing accounts (``SocialAccountAdapter``)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _

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


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """An identity provider of an organization (``apps.sso``) logs people into the accounts they already have:
    the e-mail it asserts must be of one of its domains and belong to a member of its organization. No user,
    membership or sign-up is ever created by a login; an unknown address is refused with a clear message. The
    login then goes through allauth's stages as a password login does (the MFA code when the account has an
    authenticator), and the organization's « MFA required » policy is still enforced by the tenant middleware,
    whatever the provider asserts in its ``amr`` claim."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        from apps.core.models import AuditEvent
        from apps.core.services import audit_log
        from apps.sso.services import member_for_login, provider_for_app

        provider = provider_for_app(sociallogin.account.get_provider().app)
        email = (sociallogin.user.email or "").strip() or next(
            (a.email for a in sociallogin.email_addresses if a.email), "")
        user = member_for_login(provider=provider, email=email) if provider is not None and email else None
        if user is not None and sociallogin.state.get("process") == "connect" and (
                not request.user.is_authenticated or request.user.pk != user.pk):
            user = None  # linking a directory identity to the account logged in, and to no other
        if user is None:
            audit_log(action=AuditEvent.Action.LOGIN_FAILED, organization=provider.organization if provider else None,
                      target=email, details={"sso": sociallogin.account.provider, "reason": "no_membership"},
                      request=request)
            messages.error(request, _("No Resilis account matches « %(email)s » for this directory: ask the "
                                      "administrator of your organization for an invitation, or log in with your "
                                      "Resilis password.") % {"email": email or "?"})
            raise ImmediateHttpResponse(redirect("account_login"))
        if sociallogin.is_existing and sociallogin.user.pk != user.pk:
            raise ImmediateHttpResponse(redirect("account_login"))
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)  # links the provider's identity to the account; creates no user


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The login identifier, from allauth's credentials or the posted form (lower-cased e-mail)."""
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None and hasattr(request, "POST"):
        value = request.POST.get("login") or request.POST.get("username") or request.POST.get("email")
    return value.strip().lower() if value else None
