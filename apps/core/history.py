"""Row history for domain models: ``@track_history()`` on every tenant-owned model.

pghistory installs PostgreSQL triggers, so bulk updates and raw SQL are recorded too. The
context (user, URL) comes from ``pghistory.middleware.HistoryMiddleware`` for requests and from
``pghistory.context(user=…)`` in tasks and commands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pghistory
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet

_M = TypeVar("_M", bound=models.Model)


def track_history(**kwargs: Any) -> Callable[[type[_M]], type[_M]]:
    """The class decorator."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs)


# Models whose « Historique » a member may read (``app_label.modelname``); each app registers its own
# from ``AppConfig.ready`` with ``register_history``.
_HISTORY_MODELS: set[str] = {"tenants.organization", "tenants.establishment", "tenants.site", "tenants.membership"}


def register_history(*labels: str) -> None:
    _HISTORY_MODELS.update(label.lower() for label in labels)


def history_readable(label: str) -> bool:
    return label in _HISTORY_MODELS


def history_for(obj: models.Model) -> QuerySet[Any]:
    """Events of one object, newest first. The caller has already resolved ``obj`` in its tenant."""
    from pghistory.models import Events

    return Events.objects.tracks(obj).order_by("-pgh_created_at")


# --- « Historique » as a person reads it ------------------------------------------------------------------------

# Bookkeeping columns nobody asked to read.
HIDDEN_FIELDS = {"id", "organization", "created_at", "updated_at"}


def _field_for(model: type[models.Model], name: str) -> models.Field[Any, Any] | None:
    found: Any
    try:
        found = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - pghistory may store the attname (``owner_id``)
        found = next((f for f in model._meta.concrete_fields if f.attname == name), None)
    return found if isinstance(found, models.Field) else None


def _format(field: models.Field[Any, Any] | None, value: Any, names: dict[tuple[Any, Any], str]) -> str:
    from django.utils import formats, timezone
    from django.utils.dateparse import parse_date, parse_datetime
    from django.utils.translation import gettext as _

    if value is None or value == "" or value == []:
        return "—"
    if field is None:
        return str(value)
    if field.is_relation and field.related_model is not None:
        return names.get((field.related_model, value), str(_("(no longer available)")))
    if isinstance(field, models.BooleanField):
        return str(_("Yes") if value else _("No"))
    if field.choices:
        labels = {str(k): v for k, v in field.flatchoices}
        if isinstance(value, list):
            return ", ".join(str(labels.get(str(v), v)) for v in value)
        return str(labels.get(str(value), value))
    if isinstance(field, models.DateTimeField):
        parsed = parse_datetime(str(value))
        if parsed is not None:
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
            return formats.date_format(timezone.localtime(parsed), "SHORT_DATETIME_FORMAT")
    if isinstance(field, models.DateField):
        day = parse_date(str(value))
        if day is not None:
            return formats.date_format(day, "SHORT_DATE_FORMAT")
    if isinstance(field, models.JSONField | models.BinaryField):
        return str(_("(changed)"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return formats.number_format(value)
    text = str(value)
    return text if len(text) <= 300 else text[:300] + "…"


def _related_names(model: type[models.Model], diffs: list[dict[str, Any]]) -> dict[tuple[Any, Any], str]:
    """The names of the rows the foreign keys of ``diffs`` point to (one query per related model)."""
    from django_scopes import scopes_disabled

    wanted: dict[Any, set[Any]] = {}
    for diff in diffs:
        for name, values in diff.items():
            field = _field_for(model, name)
            if field is not None and field.is_relation and field.related_model is not None:
                wanted.setdefault(field.related_model, set()).update(v for v in values if v is not None)
    names: dict[tuple[Any, Any], str] = {}
    for related, ids in wanted.items():
        manager = related._default_manager
        if related is get_user_model():
            with scopes_disabled():
                rows = list(manager.filter(pk__in=ids))
            for row in rows:
                names[(related, row.pk)] = row.get_full_name() or row.email  # type: ignore[attr-defined]
            continue
        # Tenant rows through their (limited) managers: a row the reader may not see stays unnamed.
        for row in manager.filter(pk__in=ids):
            names[(related, row.pk)] = str(row)
    return names


def readable_changes(model: type[models.Model], diff: dict[str, Any],
                     names: dict[tuple[Any, Any], str]) -> list[dict[str, str]]:
    """One line per changed field: its verbose name and the values as the pages show them."""
    lines = []
    for name, values in diff.items():
        field = _field_for(model, name)
        if name in HIDDEN_FIELDS or (field is not None and field.name in HIDDEN_FIELDS):
            continue
        label = str(field.verbose_name) if field is not None else name
        before, after = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
        old, new = _format(field, before, names), _format(field, after, names)
        if old == new:
            continue
        lines.append({"field": label[:1].upper() + label[1:], "before": old, "after": new})
    return lines


def readable_history(obj: models.Model, events: list[Any], *, newest_first_window: tuple[Any, Any]) -> list[dict[str, Any]]:
    """The rows of « Historique »: field changes (no row without a readable change) and the object's business
    events (submitted, approved, returned with the reason, validated: ``apps.core.services.business_event``)
    between ``newest_first_window`` (oldest, newest or None) dates, newest first."""
    from django.utils.translation import gettext as _

    from apps.accounts.models import User
    from apps.core.models import AuditEvent

    model = type(obj)
    diffs = [e.pgh_diff or {} for e in events]
    names = _related_names(model, diffs)
    user_ids = {(e.pgh_context or {}).get("user") for e in events if e.pgh_context}
    from django_scopes import scopes_disabled

    with scopes_disabled():
        users = {u.pk: u for u in User.objects.filter(pk__in=[u for u in user_ids if u])}
    rows: list[dict[str, Any]] = []
    for event, diff in zip(events, diffs, strict=True):
        changes = readable_changes(model, diff, names) if event.pgh_label == "update" else []
        if event.pgh_label == "update" and not changes:
            continue  # only bookkeeping changed
        label = {"insert": _("Created"), "update": _("Modified"), "delete": _("Deleted")}.get(event.pgh_label,
                                                                                            event.pgh_label)
        user_id = (event.pgh_context or {}).get("user")
        rows.append({"when": event.pgh_created_at, "label": label, "user": users.get(user_id) if user_id else None,
                     "changes": changes, "reason": "", "business": False})
    oldest, newest = newest_first_window
    business = AuditEvent.objects.filter(organization_id=getattr(obj, "organization_id", obj.pk),
                                         details__model=model._meta.label_lower, details__pk=obj.pk)
    if oldest is not None:
        business = business.filter(created_at__gte=oldest)
    if newest is not None:
        business = business.filter(created_at__lte=newest)
    for item in business.select_related("actor"):
        rows.append({"when": item.created_at, "label": item.get_action_display(), "user": item.actor, "changes": [],
                     "reason": (item.details or {}).get("reason", ""), "business": True})
    rows.sort(key=lambda r: r["when"], reverse=True)
    return rows
