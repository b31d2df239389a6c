"""Token authentication, the organization and capability check, and the per-token throttle (DRF classes; no
import of DRF's views here, so that the settings can name them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from apps.api.models import ApiToken
from apps.api.services import token_lookup

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenPrincipal:
    """``request.user`` of an API call: the token, authenticated, never a member nor a Django user."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token

    def __str__(self) -> str:
        return str(self.token)


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer rsl_<prefix>_<secret>``; unknown, revoked or expired → 401."""

    def authenticate(self, request: Request) -> tuple[TokenPrincipal, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after « Bearer », without spaces."))
        try:
            plain = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token.")) from None
        token = token_lookup(plain)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return TokenPrincipal(token), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="resilis"'


class TokenCapability(BasePermission):
    """The token's organization is the URL's (else 404), and it holds the capability of the method (else 403)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            raise exceptions.NotAuthenticated
        if token.organization.slug != view.kwargs.get("organization_slug"):
            raise exceptions.NotFound
        needed = view.capability if request.method in SAFE_METHODS else view.write_capability
        if not needed or not token.has_capability(needed):
            raise exceptions.PermissionDenied(_("This token does not have the « %(capability)s » capability.")
                                              % {"capability": needed or "—"})
        return True


class TokenRateThrottle(SimpleRateThrottle):
    """Per token, counted in the shared Redis cache (every web process sees the same count)."""

    scope = "api_token"

    def get_rate(self) -> str:
        return str(settings.API_THROTTLE_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.prefix}


