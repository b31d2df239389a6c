"""Cross-cutting write helpers: the audit log and a validated field update."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
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
    """Record a security-relevant action (see ``AuditEvent.Action``).

    An event recorded inside a member's establishment limit carries that limit, so that a limited reader
    of the log sees the events of their establishments and never the organization-wide ones.
    """
    from apps.core import tenancy

    if actor is not None and not actor.is_authenticated:
        actor = None
    limit = tenancy.allowed_establishments()
    return AuditEvent.objects.create(
        establishment_ids=sorted(limit) if limit is not None else None,
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

    items = [(name, value) for name, value in (values.items() if isinstance(values, Mapping) else
                                              ((None, value) for value in values))
             if isinstance(value, models.Model) and hasattr(value, "organization_id")]
    for name, value in items:
        if value.organization_id != organization.pk:
            message = _("Choose an item of this organization.")
            raise ValidationError({name: message} if name else message)
    if not tenancy.is_limited():
        return
    # One query per model, whatever the number of objects (a plan's perimeter can hold hundreds of activities).
    by_model: dict[type[models.Model], set[Any]] = {}
    for _name, value in items:
        if tenancy.model_limit(type(value)) is not None:
            by_model.setdefault(type(value), set()).add(value.pk)
    hidden: set[tuple[type[models.Model], Any]] = set()
    for model, pks in by_model.items():
        visible = set(model._default_manager.filter(pk__in=pks).values_list("pk", flat=True))
        hidden |= {(model, pk) for pk in pks - visible}
    for name, value in items:
        if (type(value), value.pk) in hidden:
            message = _("Choose an item of your own establishments.")
            raise ValidationError({name: message} if name else message)


M = TypeVar("M", bound=models.Model)


@transaction.atomic
def model_update(*, instance: M, data: dict[str, Any], fields: list[str]) -> tuple[M, bool]:
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


class RowInvalid(ValidationError):
    """A row of a batch (``models_update_many``) failed its validation; ``index`` is its position in the batch."""

    def __init__(self, index: int, error: ValidationError) -> None:
        super().__init__(error.messages)
        self.index = index


def models_update_many(*, updates: list[tuple[M, dict[str, Any]]], fields: list[str], unique_fields: set[str],
                       batch_size: int = 1000) -> list[M]:
    """``model_update`` for many rows of one model (an import of thousands): each instance set from its data and
    validated (fields and ``clean``; the unique and check constraints, which cost queries, only for a row that
    changes one of ``unique_fields``: the database enforces them anyway), then one ``UPDATE`` per batch and
    set of changed fields. Foreign keys are not checked here: the caller checked their organization (and the member's
    limit) once for the batch. A row that fails raises ``RowInvalid`` with its index. Returns the changed rows."""
    if not updates:
        return []
    now = timezone.now()
    auto_now = [f.name for f in updates[0][0]._meta.fields if getattr(f, "auto_now", False)]
    foreign = [f.name for f in updates[0][0]._meta.fields if f.is_relation]
    groups: dict[tuple[str, ...], list[M]] = {}
    for index, (instance, data) in enumerate(updates):
        changed = [f for f in fields if f in data and getattr(instance, f) != data[f]]
        if not changed:
            continue
        for f in changed:
            setattr(instance, f, data[f])
        checked = bool(unique_fields & set(changed))
        try:
            # A unique check skips a constraint whose fields are excluded (``organization`` is in each of them).
            instance.full_clean(exclude=None if checked else foreign, validate_unique=checked,
                                validate_constraints=checked)
        except ValidationError as error:
            raise RowInvalid(index, error) from error
        for f in auto_now:
            setattr(instance, f, now)  # bulk_update does not apply auto_now
        groups.setdefault(tuple(changed), []).append(instance)
    for changed_fields, instances in groups.items():
        for start in range(0, len(instances), batch_size):
            _update_from_values(instances[start:start + batch_size], [*changed_fields, *auto_now])
    return [i for group in groups.values() for i in group]


def _update_from_values(instances: list[Any], fields: list[str]) -> None:
    """``UPDATE … FROM (VALUES …)``: one statement for the batch, each row its own values. Django's
    ``bulk_update`` builds a ``CASE`` per field and row instead: measured on 5,000 activities, 2.2 s of CPU in
    this process and 4.5 s in all against 0.1 s and 2.1 s. Tenant-owned rows only (the organization is in the
    condition, as a safety net under the caller's checks)."""
    from django.db import connection

    meta = instances[0]._meta
    columns = [meta.pk, *(meta.get_field(f) for f in fields)]
    qn = connection.ops.quote_name
    row = "(" + ", ".join(f"%s::{c.db_type(connection)}" for c in columns) + ")"
    params = [c.get_db_prep_save(getattr(i, c.attname), connection) for i in instances for c in columns]
    names = ", ".join(qn(c.column) for c in columns)
    assignments = ", ".join(f"{qn(c.column)} = v.{qn(c.column)}" for c in columns[1:])
    params.append(instances[0].organization_id)
    pk = qn(meta.pk.column)
    sql = (f"UPDATE {qn(meta.db_table)} AS t SET {assignments} "  # noqa: S608 - the model's names; values are parameters
           f"FROM (VALUES {', '.join([row] * len(instances))}) AS v({names}) "
           f"WHERE t.{pk} = v.{pk} AND t.organization_id = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def business_event(*, action: str, actor: User | AnonymousUser | None, obj: models.Model, reason: str = "",
                   request: HttpRequest | None = None) -> AuditEvent:
    """A business event on one object (submitted, approved, returned with its reason, validated): a row of the
    activity log that the object's « Historique » shows between its field changes (``apps.core.history``)."""
    details: dict[str, Any] = {"model": obj._meta.label_lower, "pk": obj.pk}
    if reason:
        details["reason"] = reason
    return audit_log(action=action, actor=actor, organization=getattr(obj, "organization", None), target=str(obj),
                     details=details, request=request)
