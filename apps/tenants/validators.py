"""FINESS numbers: 9 characters, a département prefix, and a Luhn check key.

FINESS EJ (entité juridique) and EG/ET (établissement géographique) share the format: the first
two characters are the département (01–95, 2A/2B for Corse, 97/98 for overseas), then 7
characters whose last is a Luhn key when the whole number is numeric (e.g. 750712184,
330781196, 690781810).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FINESS_RE = re.compile(r"^(?:\d{2}|2[AB])[0-9]{7}$")


def luhn_is_valid(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def luhn_complete(prefix: str) -> str:
    """Append the Luhn key to an 8-digit prefix (used for demo data)."""
    for key in range(10):
        if luhn_is_valid(prefix + str(key)):
            return prefix + str(key)
    raise AssertionError("unreachable")


def normalize_finess(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def validate_finess(value: str) -> None:
    number = normalize_finess(value)
    if len(number) != 9:
        raise ValidationError(
            _("A FINESS number has exactly 9 characters (you typed %(count)s)."),
            code="finess_length",
            params={"count": len(number)},
        )
    if not FINESS_RE.match(number):
        raise ValidationError(
            _("A FINESS number starts with a département (01 to 95, 2A, 2B, 97 or 98) followed by 7 digits."),
            code="finess_format",
        )
    department = number[:2]
    if department == "00" or department == "96" or department == "99":
        raise ValidationError(_("%(dep)s is not a French département code."), code="finess_department", params={"dep": department})
    if number.isdigit() and not luhn_is_valid(number):
        raise ValidationError(
            _("The check key of this FINESS number is wrong: please check the last digit."),
            code="finess_key",
        )
