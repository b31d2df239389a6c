"""Audit receivers for authentication and MFA events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from apps.core.models import AuditEvent
from apps.core.services import audit_log

if TYPE_CHECKING:
    from allauth.mfa.models import Authenticator

    from apps.accounts.models import User


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_log(action=AuditEvent.Action.LOGIN, actor=user, target=user.email, request=request)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit_log(action=AuditEvent.Action.LOGOUT, actor=user, target=user.email, request=request)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    login = credentials.get("email") or credentials.get("username") or ""
    audit_log(action=AuditEvent.Action.LOGIN_FAILED, target=login, request=request)


@receiver(user_locked_out)
def _locked_out(sender: Any, request: HttpRequest | None, username: str | None = None, ip_address: str | None = None, **kw: Any) -> None:
    audit_log(action=AuditEvent.Action.LOCKOUT, target=username or "", details={"ip": ip_address}, request=request)


@receiver(password_reset)
def _password_reset(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_log(action=AuditEvent.Action.PASSWORD_RESET, actor=user, target=user.email, request=request)


@receiver(password_changed)
def _password_changed(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_log(action=AuditEvent.Action.PASSWORD_CHANGED, actor=user, target=user.email, request=request)


@receiver(authenticator_added)
def _mfa_added(sender: Any, request: HttpRequest | None, user: User, authenticator: Authenticator, **kwargs: Any) -> None:
    audit_log(
        action=AuditEvent.Action.MFA_ENABLED, actor=user, target=user.email,
        details={"type": authenticator.type}, request=request,
    )


@receiver(authenticator_removed)
def _mfa_removed(sender: Any, request: HttpRequest | None, user: User, authenticator: Authenticator, **kwargs: Any) -> None:
    audit_log(
        action=AuditEvent.Action.MFA_DISABLED, actor=user, target=user.email,
        details={"type": authenticator.type}, request=request,
    )


@receiver(authenticator_reset)
def _mfa_reset(sender: Any, request: HttpRequest | None, user: User, authenticator: Authenticator, **kwargs: Any) -> None:
    audit_log(action=AuditEvent.Action.MFA_RECOVERY_CODES, actor=user, target=user.email, request=request)
