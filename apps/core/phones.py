"""Phone numbers: the one parser, validator, normaliser and formatter of every phone field (the crisis
cell's holders and deputies, its 24/7 number, the project team, user profiles), built on Google's
libphonenumber (the ``phonenumbers`` package).

- Accepted: a French number (« 02 41 35 36 37 », « 06 12 34 56 78 », overseas « 0692 12 34 56 »), an
  international one (« +33 2 41 35 36 37 », « 0033 … », « +44 20 7946 0958 »), a French short number
  (« 15 », « 112 », « 114 », « 17 », « 18 », « 116117 », « 3919 »…). Letters, too short, too long: refused.
- Stored: E.164 for a full number (« +33241353637 »), the digits for a short number (« 15 »).
- Shown: the French national format (« 02 41 35 36 37 »), the international one for a foreign number
  (« +44 20 7946 0958 »); ``tel:`` links use the stored form.
- A value typed before numbers were checked and that cannot be parsed is kept as typed (the data
  migrations never lose it) and flagged: ``phone_is_valid`` is False, so a crisis role holding it is not
  complete and the pages mark it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from phonenumbers import PhoneNumberFormat, shortnumberinfo

REGION = "FR"
# Mainland France first, then the overseas departments and collectivities that share its dialling
# (0 + 9 digits): « 0692 12 34 56 » is a valid number in Réunion, not in the mainland plan.
FRENCH_REGIONS = ("FR", "RE", "YT", "GP", "MQ", "GF", "PM", "BL", "MF")
# Digits and the separators people type; a letter (« abc », « poste 12 ») is refused, never turned into
# keypad digits as libphonenumber would do for vanity numbers.
_ALLOWED = re.compile(r"^\+?[\d\s.\-/()]+$")
SHORT_MAX_DIGITS = 6  # 116117, the longest French short number
FULL_MIN_DIGITS = 9  # a French number without its leading 0

INVALID_CHARACTERS = _("Type the number with digits only (spaces, dots and dashes are fine), e.g. 02 41 35 36 37 "
                       "or +33 2 41 35 36 37.")
TOO_SHORT = _("This number is too short: type the ten digits of a French number (02 41 35 36 37), a number "
              "starting with + from abroad, or a short number such as 15, 112 or 114.")
TOO_LONG = _("This number is too long: type the ten digits of a French number (02 41 35 36 37) or a number "
             "starting with + from abroad (+44 20 7946 0958).")
NOT_A_NUMBER = _("This is not a valid phone number: type a French number (02 41 35 36 37, 06 12 34 56 78), a "
                 "number starting with + from abroad (+44 20 7946 0958), or a short number such as 15, 112 or 114.")
FLAGGED = _("invalid number")


@dataclass(frozen=True)
class Phone:
    """A parsed number: ``stored`` is what the database keeps, ``display`` what people read."""

    stored: str
    display: str
    is_short: bool

    @property
    def tel(self) -> str:
        return f"tel:{self.stored}"


def _error(message: Any) -> ValidationError:
    return ValidationError(message, code="invalid_phone")


def _full(number: phonenumbers.PhoneNumber) -> Phone:
    region = phonenumbers.region_code_for_number(number)
    style = PhoneNumberFormat.NATIONAL if region in FRENCH_REGIONS else PhoneNumberFormat.INTERNATIONAL
    return Phone(stored=phonenumbers.format_number(number, PhoneNumberFormat.E164),
                 display=phonenumbers.format_number(number, style), is_short=False)


@lru_cache(maxsize=4096)
def parse_phone(raw: str) -> Phone:
    """Parse what someone typed; raise a ValidationError saying what is wrong, in their language."""
    text = raw.strip()
    if not _ALLOWED.fullmatch(text):
        raise _error(INVALID_CHARACTERS)
    digits = re.sub(r"\D", "", text)
    international = text.startswith("+") or digits.startswith("00")
    try:
        if not international and len(digits) <= SHORT_MAX_DIGITS:
            short = phonenumbers.parse(digits, REGION)
            if shortnumberinfo.is_valid_short_number_for_region(short, REGION):
                return Phone(stored=digits, display=digits, is_short=True)
        number = phonenumbers.parse(text, REGION)
        if phonenumbers.is_valid_number(number):
            return _full(number)
        if not international:
            for region in FRENCH_REGIONS[1:]:
                overseas = phonenumbers.parse(text, region)
                if phonenumbers.is_valid_number(overseas):
                    return _full(overseas)
    except phonenumbers.NumberParseException:
        raise _error(TOO_SHORT if len(digits) < 3 else NOT_A_NUMBER) from None
    if phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.TOO_LONG:
        raise _error(TOO_LONG)
    raise _error(TOO_SHORT if len(str(number.national_number)) < FULL_MIN_DIGITS else NOT_A_NUMBER)


def normalise_phone(raw: str | None) -> str:
    """The stored form of a typed number ("" for none); a ValidationError when it is not a number."""
    if raw is None or not raw.strip():
        return ""
    return parse_phone(raw).stored


def validate_phone(value: str) -> None:
    """Model field validator: empty, or a number ``parse_phone`` accepts."""
    if value and value.strip():
        parse_phone(value)


def phone_or_none(value: str | None) -> Phone | None:
    """The parsed number, or None for an empty or unparseable value (kept as typed, flagged)."""
    if not value or not value.strip():
        return None
    try:
        return parse_phone(value)
    except ValidationError:
        return None


def phone_is_valid(value: str | None) -> bool:
    return phone_or_none(value) is not None


def format_phone(value: str | None) -> str:
    """The national (or, abroad, international) form; an unparseable value as it was typed."""
    phone = phone_or_none(value)
    return phone.display if phone is not None else (value or "")


def phone_link(value: str | None) -> SafeString:
    """``<a href="tel:+33…">02 …</a>``; an unparseable value as typed, marked « numéro invalide », no link."""
    if not value or not value.strip():
        return mark_safe("")  # noqa: S308 - empty
    phone = phone_or_none(value)
    if phone is None:
        return format_html('<span class="phone-invalid">{}</span> <span class="badge bad">{}</span>', value, FLAGGED)
    return format_html('<a href="{}">{}</a>', phone.tel, phone.display)


def phones_in_text(text: str | None, *, links: bool = True) -> SafeString:
    """Free text (« Astreinte DSI : 06.70.12.34.56 ») escaped, each valid full number in it shown in the
    national form (a ``tel:`` link with ``links``); the rest untouched."""
    if not text:
        return mark_safe("")  # noqa: S308 - empty
    parts: list[str] = []
    last = 0
    for match in phonenumbers.PhoneNumberMatcher(text, REGION, leniency=phonenumbers.Leniency.VALID):
        phone = _full(match.number)
        parts.append(str(conditional_escape(text[last:match.start])))
        parts.append(str(format_html('<a href="{}">{}</a>', phone.tel, phone.display) if links
                         else conditional_escape(phone.display)))
        last = match.end
    parts.append(str(conditional_escape(text[last:])))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def normalise_phone_fields(data: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """For services: ``data`` with the named phone fields in their stored form; a ValidationError next to the
    field for a value that is not a number."""
    result = dict(data)
    for name in fields:
        if name in result and isinstance(result[name], str):
            try:
                result[name] = normalise_phone(result[name])
            except ValidationError as error:
                raise ValidationError({name: error.messages}) from None
    return result


class TelInput(forms.TextInput):
    input_type = "tel"


class PhoneFormField(forms.CharField):
    """A ``tel`` input that accepts what ``parse_phone`` accepts and cleans to the stored form."""

    widget = TelInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", _("French (02 41 35 36 37, 06 12 34 56 78), international (+44 20 7946 0958) "
                                         "or a short number (15, 112, 114)."))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "tel")

    def to_python(self, value: Any) -> str:
        return normalise_phone(super().to_python(value))

    def prepare_value(self, value: Any) -> Any:
        """Shown in the form as people read it; an unparseable stored value as typed, to correct."""
        return format_phone(value) if isinstance(value, str) else value
