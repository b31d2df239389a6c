"""Phone numbers in templates (``{% load phones %}``), all through ``apps.core.phones``:

- ``{{ value|phone }}``: the number as people read it (« 02 41 35 36 37 »), an unparseable one as typed;
- ``{{ value|phone_link }}``: a ``tel:`` link in the stored E.164 form, or the typed value flagged « numéro invalide »;
- ``{{ value|phone_is_valid }}``: for the print-outs that mark an unparseable value in words;
- ``{{ text|phones_in_text }}`` / ``{{ text|phone_links_in_text }}``: free text (« Astreinte DSI : 06.70.12.34.56 »)
  with each number in it formatted (and linked), the rest escaped.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from apps.core import phones

register = template.Library()


@register.filter
def phone(value: str | None) -> str:
    return phones.format_phone(value)


@register.filter
def phone_link(value: str | None) -> SafeString:
    return phones.phone_link(value)


@register.filter
def phone_is_valid(value: str | None) -> bool:
    return phones.phone_is_valid(value)


@register.filter(is_safe=True)
def phones_in_text(value: str | None) -> SafeString:
    return phones.phones_in_text(value, links=False)


@register.filter(is_safe=True)
def phone_links_in_text(value: str | None) -> SafeString:
    return phones.phones_in_text(value, links=True)
