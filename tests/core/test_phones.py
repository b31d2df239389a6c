"""Phone numbers at their boundaries (issue 12, « sane inputs »): one parser for every phone field."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.core.phones import (
    PhoneFormField,
    format_phone,
    normalise_phone,
    parse_phone,
    phone_is_valid,
    phone_link,
    phones_in_text,
)


@pytest.mark.parametrize(("typed", "stored", "shown"), [
    ("02 41 35 36 37", "+33241353637", "02 41 35 36 37"),  # French national, landline
    ("06.70.12.34.56", "+33670123456", "06 70 12 34 56"),  # mobile, with dots
    ("+33 2 41 35 36 37", "+33241353637", "02 41 35 36 37"),  # E.164 of a French number
    ("0033 2 41 35 36 37", "+33241353637", "02 41 35 36 37"),  # the international prefix dialled from France
    ("+44 20 7946 0958", "+442079460958", "+44 20 7946 0958"),  # foreign: shown internationally
    ("0692 12 34 56", "+262692123456", "0692 12 34 56"),  # Réunion, dialled nationally
    ("15", "15", "15"), ("112", "112", "112"), ("114", "114", "114"),  # short numbers: SAMU, Europe, deaf
    ("17", "17", "17"), ("18", "18", "18"), ("116117", "116117", "116117"), ("3919", "3919", "3919"),
])
def test_accepted_numbers_are_stored_normalised_and_shown_nationally(typed, stored, shown) -> None:  # noqa: ANN001
    assert normalise_phone(typed) == stored
    assert format_phone(stored) == shown
    assert parse_phone(stored).stored == stored  # stable: normalising twice changes nothing
    assert phone_link(stored) == f'<a href="tel:{stored}">{shown}</a>'


@pytest.mark.parametrize(("typed", "message"), [
    ("abc", "chiffres"), ("02 41 35 36 37 poste 12", "chiffres"),  # letters
    ("123", "trop court"), ("06", "trop court"), ("02 41", "trop court"),  # too short
    ("+33 6 70 12 34 56 78", "trop long"),  # too long
    ("07 00 00 00 00", "n'est pas un numéro"),  # the right length, not a French number
])
def test_refused_numbers_say_why_in_french(typed, message) -> None:  # noqa: ANN001
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        normalise_phone(typed)
    assert message in " ".join(error.value.messages)


def test_empty_is_allowed_and_stays_empty() -> None:
    assert normalise_phone("") == "" and normalise_phone("   ") == "" and normalise_phone(None) == ""
    assert not phone_is_valid("") and str(phone_link("")) == ""


def test_an_unparseable_value_is_shown_as_typed_and_flagged_never_as_a_link() -> None:
    assert format_phone("abc") == "abc" and not phone_is_valid("abc")
    with translation.override("fr"):
        html = str(phone_link("abc<script>"))
    assert "tel:" not in html and "numéro invalide" in html and "&lt;script&gt;" in html


def test_the_form_field_cleans_to_the_stored_form_and_shows_the_national_one() -> None:
    field = PhoneFormField(required=False)
    assert field.clean("02 41 35 36 37") == "+33241353637"
    assert field.clean("") == ""
    assert field.prepare_value("+33241353637") == "02 41 35 36 37"
    assert field.prepare_value("abc") == "abc"  # kept as typed, to be corrected
    assert 'type="tel"' in field.widget.render("phone", "")
    with pytest.raises(ValidationError):
        field.clean("abc")


def test_numbers_in_free_text_are_formatted_and_the_rest_escaped() -> None:
    html = str(phones_in_text("Astreinte DSI : 06.70.12.34.56 <b>, SAMU 15"))
    assert '<a href="tel:+33670123456">06 70 12 34 56</a>' in html
    assert "&lt;b&gt;" in html and "SAMU 15" in html
    assert str(phones_in_text("Standard 02 41 35 36 37", links=False)) == "Standard 02 41 35 36 37"
