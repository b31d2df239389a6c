"""Small display helpers for the BIA templates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from apps.accounts.models import User

register = template.Library()

STATUS_CLASS = {"validated": "ok", "submitted": "warn", "in_progress": "warn", "sent_back": "bad", "not_started": ""}
CRITICALITY_CLASS = {"critical": "bad", "high": "warn", "medium": "", "low": "ok", "unknown": ""}


@register.filter
def status_class(value: str) -> str:
    return STATUS_CLASS.get(value, "")


@register.filter
def criticality_class(value: str) -> str:
    return CRITICALITY_CLASS.get(value, "")


@register.filter
def hours(value: Any) -> str:
    """« 4 h », « 1,5 h », or an em dash when unknown."""
    if value is None or value == "":
        return "—"
    number = float(value)
    text = number_format(int(number)) if number.is_integer() else number_format(round(number, 1))
    return _("%(hours)s h") % {"hours": text}


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def person(user: User | None) -> str:
    """A user's full name, else e-mail; an em dash for nobody."""
    if not user:
        return "—"
    return user.get_full_name() or user.email


# Short names for the CaRE perimeters in narrow table columns (the full label goes in the tooltip).
PERIMETER_SHORT = {
    "care_service": lambda: _("Care service"),
    "admin_process": lambda: _("Admin. process"),
    "technical_platform": lambda: _("Plateau technique"),
}


@register.filter
def perimeter_short(value: str) -> str:
    label = PERIMETER_SHORT.get(value)
    return str(label()) if label else "—"
