"""Password policy: Django's validators plus at least three character classes."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from lib.passwords import CharacterClassValidator


@pytest.mark.parametrize("password", ["abcdefgh", "abcd1234", "ABCDEFGH", "12345678", "abc!@#$%"])
def test_passwords_with_fewer_than_three_classes_are_rejected(password: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CharacterClassValidator(min_classes=3).validate(password)
    assert caught.value.messages == ["密码须包含大写字母、小写字母、数字、符号中的至少3类。"]


@pytest.mark.parametrize("password", ["Abcd1234", "abcd123!", "ABCD!@#1", "Ab!defgh"])
def test_passwords_with_three_classes_pass(password: str) -> None:
    CharacterClassValidator(min_classes=3).validate(password)


def test_the_number_of_classes_is_configurable() -> None:
    CharacterClassValidator(min_classes=2).validate("abcd1234")
    with pytest.raises(ValidationError):
        CharacterClassValidator(min_classes=4).validate("Abcd1234")


def test_help_text_names_the_number_of_classes() -> None:
    assert "至少3类" in CharacterClassValidator(3).get_help_text()


@pytest.mark.parametrize("password", ["abcdefgh", "abcd1234", "Ab1!"])
def test_configured_policy_rejects_weak_passwords(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


def test_configured_policy_accepts_a_strong_password() -> None:
    validate_password("Xq7!kPz2mw")
