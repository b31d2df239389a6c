"""Template filters of the main courante (``apps.core.logbook``)."""

from __future__ import annotations

import datetime

from django import template

from apps.core.logbook import offset_label

register = template.Library()


@register.filter
def offset_from(moment: datetime.datetime | None, origin: datetime.datetime | None) -> str:
    """« T+01:05 » (hours:minutes since ``origin``, e.g. DEBEX); « T-00:03 » before it."""
    if moment is None or origin is None:
        return ""
    return offset_label(moment, origin)
