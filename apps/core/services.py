"""Cross-cutting write helpers: the audit log and a validated field update."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.core.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.accounts.models import User
    from apps.tenants.models import Organization


def _ip_or_none(value: str | None) -> str | None:
    """A valid IPv4/IPv6 address (an optional port dropped), or None: the audit column is ``inet``."""
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, trusting exactly ``settings.TRUSTED_PROXY_COUNT`` reverse proxies.

    With no trusted proxy, ``REMOTE_ADDR`` only: X-Forwarded-For is whatever the client typed. With
    N trusted proxies, each appends the address it saw to X-Forwarded-For, so the N-th entry from the
    right is the one written by the outermost trusted proxy; entries further left are the client's
    own claims. A header too short or malformed did not come through our proxies: ``REMOTE_ADDR``.
    The audit trail, django-axes (``AXES_CLIENT_IP_CALLABLE``) and allauth's rate limits (the
    account adapter) all use this one rule, so forging the header dodges no lockout.
    """
    if request is None:
        return None
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(entries) >= count and (address := _ip_or_none(entries[-count])):
            return address
    return _ip_or_none(request.META.get("REMOTE_ADDR"))


def audit_log(
    *,
    action: str,
    actor: User | AnonymousUser | None = None,
    organization: Organization | None = None,
    target: str = "",
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Record a security-relevant action (see ``AuditEvent.Action``)."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        organization=organization,
        target=str(target)[:255],
        details=details or {},
        ip_address=client_ip(request),
    )


def ensure_same_organization(organization: Organization, values: Mapping[str, Any] | Iterable[Any]) -> None:
    """Refuse a service call that links rows of another organization, or of an establishment the member's
    limit hides (``apps.core.tenancy``): the one check every service runs on the objects it is given.

    ``values`` is a mapping (``{"field": obj}``: the error goes next to that field) or a list of objects.
    """
    from apps.core import tenancy

    items = values.items() if isinstance(values, Mapping) else ((None, value) for value in values)
    limited = tenancy.is_limited()
    for name, value in items:
        if not isinstance(value, models.Model) or not hasattr(value, "organization_id"):
            continue
        if value.organization_id != organization.pk:
            message = _("Choose an item of this organization.")
        elif limited and tenancy.model_limit(type(value)) is not None \
                and not type(value)._default_manager.filter(pk=value.pk).exists():
            message = _("Choose an item of your own establishments.")
        else:
            continue
        raise ValidationError({name: message} if name else message)


@transaction.atomic
def model_update(*, instance: models.Model, data: dict[str, Any], fields: list[str]) -> tuple[models.Model, bool]:
    """Set ``fields`` from ``data`` on ``instance``, validate, save only what changed.

    Returns the instance and whether anything changed (after HackSoftware's ``model_update``).
    """
    changed: list[str] = []
    for field in fields:
        if field not in data:
            continue
        if getattr(instance, field) != data[field]:
            setattr(instance, field, data[field])
            changed.append(field)
    if changed:
        instance.full_clean()
        auto_now = [f.name for f in instance._meta.fields if getattr(f, "auto_now", False)]
        instance.save(update_fields=changed + auto_now)
    return instance, bool(changed)
