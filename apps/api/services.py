"""API tokens: creation (shown once), revocation, authentication and the record of their use."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.api.models import ApiToken
from apps.core.models import AuditEvent
from apps.core.services import audit_log, client_ip, ensure_same_organization
from apps.tenants.models import Establishment, Organization

if TYPE_CHECKING:
    from apps.accounts.models import User

TOKEN_PREFIX = "rsl"  # noqa: S105 - a public marker, not a secret; every Resilis token starts with « rsl_ »: secret scanners can recognise it
MAX_LIFETIME = timedelta(days=730)

# What a token may be given: read and write capabilities of the domains the API serves.
API_CAPABILITIES = ("org.view", "bia.view", "bia.change", "plans.view", "backups.view", "backups.change",
                    "exercises.view", "actions.view", "actions.change", "compliance.view")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, organization: Organization, actor: User | None, name: str, capabilities: Iterable[str],
                 expires_at: datetime, establishments: Iterable[Establishment] | None = None,
                 request: HttpRequest | None = None) -> tuple[ApiToken, str]:
    """A new token and its plain value, which is never stored: the caller shows it once."""
    capabilities = sorted(set(capabilities))
    unknown = set(capabilities) - set(API_CAPABILITIES)
    if unknown or not capabilities:
        raise ValidationError({"capabilities": _("Choose at least one capability among those offered.")})
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    if expires_at > now + MAX_LIFETIME:
        raise ValidationError({"expires_at": _("A token lasts at most two years.")})
    chosen = list(establishments or [])
    ensure_same_organization(organization, chosen)
    prefix = secrets.token_hex(6)
    plain = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(organization=organization, name=name.strip(), prefix=prefix, secret_hash=_digest(plain),
                     capabilities=capabilities, restricted_to_establishments=bool(chosen), expires_at=expires_at,
                     created_by=actor)
    token.full_clean()
    token.save()
    token.establishments.set(chosen)
    audit_log(action=AuditEvent.Action.SETTINGS_CHANGED, actor=actor, organization=organization,
              target=str(token), request=request,
              details={"api_token": "created", "prefix": prefix, "capabilities": capabilities,
                       "establishments": [e.pk for e in chosen], "expires_at": expires_at.isoformat()})
    return token, plain


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User | None, request: HttpRequest | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        audit_log(action=AuditEvent.Action.SETTINGS_CHANGED, actor=actor, organization=token.organization,
                  target=str(token), request=request, details={"api_token": "revoked", "prefix": token.prefix})
    return token


def token_lookup(plain: str) -> ApiToken | None:
    """The active token this value is, or ``None`` (malformed, unknown, wrong secret, revoked or expired)."""
    parts = plain.split("_", 2)  # the secret itself may contain « _ » (URL-safe base64)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or len(parts[1]) > 16:
        return None
    # Outside any tenant scope: the token tells which organization the request is for.
    token = ApiToken._base_manager.select_related("organization").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _digest(plain)):
        return None
    return token if token.is_active else None


def token_touch(*, token: ApiToken, request: HttpRequest | None = None) -> None:
    """Record a use on the token's row: one UPDATE (count, time, address) per request instead of one audit row
    per request; creation and revocation are audit events."""
    ApiToken._base_manager.filter(pk=token.pk).update(use_count=F("use_count") + 1, last_used_at=timezone.now(),
                                                      last_used_ip=client_ip(request))
