"""Small display helpers for the plan templates."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """A user's full name, else their e-mail; « — » when nobody."""
    if user is None:
        return "—"
    return user.get_full_name() or user.email


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """``mapping[key]``, or « » when absent (a template cannot index a dict by a variable)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
