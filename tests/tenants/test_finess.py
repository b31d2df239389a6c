import pytest
from django.core.exceptions import ValidationError

from apps.tenants.validators import luhn_complete, normalize_finess, validate_finess


@pytest.mark.parametrize("number", ["750712184", "330781196", "690781810", "2A0000016", "2B0000014", "970100000"])
def test_known_valid_numbers(number: str) -> None:
    if number.isdigit() and number.startswith("97"):
        number = luhn_complete(number[:8])
    validate_finess(number)


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("75071218", "exactement 9 caractères (vous en avez saisi 8)"),
        ("7507121845", "exactement 9 caractères (vous en avez saisi 10)"),
        ("750712185", "clé de contrôle"),
        ("XX0712184", "commence par un département"),
        ("2C0000016", "commence par un département"),
        ("000712184", "n'est pas un code de département"),
    ],
)
def test_invalid_numbers_get_a_clear_message(number: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_finess(number)
    assert fragment in excinfo.value.messages[0]  # French by default


def test_spaces_and_dots_are_ignored() -> None:
    assert normalize_finess("75 071 2184") == "750712184"
    validate_finess("75.071.2184")


def test_message_is_french_in_french(settings) -> None:
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ValidationError) as excinfo:
        validate_finess("750712185")
    assert "clé" in str(excinfo.value.messages[0])
