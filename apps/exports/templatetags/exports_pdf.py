"""Filters for the PDF dossier: French typography and CSS strings."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

NNBSP = "\u202f"  # espace fine insécable
NBSP = "\u00a0"

_BEFORE_HIGH_PUNCT = re.compile(r"\s+([;:!?»%])")
_AFTER_OPEN_QUOTE = re.compile(r"«\s+")


@register.filter(is_safe=True)
def fr_typo(value: object) -> SafeString:
    """Escape, then put the non-breaking thin spaces French typography wants before ; : ! ? » % and after «."""
    # Any template value: conditional_escape str()s it (the stubs only list str and SafeData).
    text = str(conditional_escape(value))  # type: ignore[arg-type]
    text = _BEFORE_HIGH_PUNCT.sub(lambda m: (NBSP if m.group(1) in ":%" else NNBSP) + m.group(1), text)
    text = _AFTER_OPEN_QUOTE.sub("«" + NNBSP, text)
    return mark_safe(text)  # noqa: S308 - escaped above


@register.filter
def css_string(value: object) -> SafeString:
    """A double-quoted CSS string literal for a translated text (``content: …``)."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3C ")
    return mark_safe(f'"{text}"')  # noqa: S308 - quoted and escaped for CSS above
