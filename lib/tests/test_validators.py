"""Validators of DOMAIN §8: credit codes, project codes, phone numbers and build years."""

import pytest
from django.core.exceptions import ValidationError

from lib.validators import (
    credit_code_check_char,
    normalize_amount,
    normalize_build_years,
    validate_build_years,
    validate_credit_code,
    validate_phone,
    validate_project_code,
)


def messages_of(validator, value: str) -> str:
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return " ".join(caught.value.messages)


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "91110000600037341L", "91440300708461136T", "91110108551385082Q"],
)
def test_real_credit_codes_pass(code: str) -> None:
    validate_credit_code(code)


def test_check_character_is_computed_with_the_gb32100_weights() -> None:
    # Σ(value × weight) of the first 17 characters of 91110000600037341L is 538; 31 − 538 mod 31 = 20, the 21st character "L".
    assert credit_code_check_char("91110000600037341") == "L"
    assert credit_code_check_char("91350100M000100Y4") == "3"


def test_lower_case_credit_code_is_accepted() -> None:
    validate_credit_code("91350100m000100y43")


def test_credit_code_of_wrong_length_names_the_length() -> None:
    assert "当前为17位" in messages_of(validate_credit_code, "91350100M000100Y4")


@pytest.mark.parametrize("code", ["91350100M000100I43", "91350100M000100O43", "9135010AM000100Y43"])
def test_credit_code_with_forbidden_character_is_rejected(code: str) -> None:
    assert "不允许的字符" in messages_of(validate_credit_code, code)


def test_credit_code_with_wrong_check_character_names_the_right_one() -> None:
    assert "第18位应为“3”" in messages_of(validate_credit_code, "91350100M000100Y44")


@pytest.mark.parametrize(
    "code",
    [
        "2017-440104-70-01-012345",
        "2017-440104-70-01-012345-000",
        "2103-440104-04-01-123456",
        "2412-410523-04-02-654321",
    ],
)
def test_well_formed_project_codes_pass(code: str) -> None:
    validate_project_code(code)


@pytest.mark.parametrize(
    "code", ["2017-44010-70-01-012345", "2017440104700101 2345", "2017-440104-70-01-012345-00", ""]
)
def test_project_code_of_wrong_shape_is_rejected(code: str) -> None:
    assert "项目代码格式" in messages_of(validate_project_code, code)


def test_project_code_with_month_13_is_rejected() -> None:
    assert "2113" in messages_of(validate_project_code, "2113-440104-04-01-123456")


def test_project_code_with_unknown_province_is_rejected() -> None:
    assert "省级代码“99”不存在" in messages_of(validate_project_code, "2103-990104-04-01-123456")


@pytest.mark.parametrize(
    "phone", ["13812345678", "0375-1234567", "02012345678", "010-87654321", "139 1234 5678"]
)
def test_mobile_and_landline_numbers_pass(phone: str) -> None:
    validate_phone(phone)


@pytest.mark.parametrize(
    "phone", ["12812345678", "1381234567", "375-1234567", "0375-12345", "电话", "138123456789"]
)
def test_malformed_phone_numbers_are_rejected(phone: str) -> None:
    assert "电话号码格式不正确" in messages_of(validate_phone, phone)


@pytest.mark.parametrize(
    "years", ["2021-2023", "2021", "2021—2023", "2021年-2023年", "2021 ~ 2023", "2023-2023"]
)
def test_build_years_in_common_spellings_pass(years: str) -> None:
    validate_build_years(years)


def test_build_years_are_normalised_to_a_plain_dash() -> None:
    assert normalize_build_years("2021—2023") == "2021-2023"
    assert normalize_build_years(" 2021 至 2023 ") == "2021-2023"


def test_build_years_ending_before_they_start_are_rejected() -> None:
    assert "结束年份不能早于开始年份" in messages_of(validate_build_years, "2023-2021")


@pytest.mark.parametrize("years", ["21-23", "2021/2023", "二〇二一"])
def test_build_years_of_other_shapes_are_rejected(years: str) -> None:
    assert "建设年限格式" in messages_of(validate_build_years, years)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1,234.5", "1234.5"),
        ("1，234.5", "1234.5"),
        ("１２３４．５", "1234.5"),
        ("１，２３４", "1234"),
        ("12,345,678.90", "12345678.90"),
        (" 850　", "850"),
        ("850", "850"),
        ("约3,000", "约3,000"),
    ],
)
def test_amounts_typed_with_separators_or_full_width_digits_read_as_plain_numbers(
    typed: str, read: str
) -> None:
    assert normalize_amount(typed) == read


@pytest.mark.parametrize("typed", ["12,5", "1,2345", "1,234,56", ",123"])
def test_a_comma_that_is_not_a_thousands_separator_is_refused(typed: str) -> None:
    assert "千分位逗号应每三位一个" in messages_of(normalize_amount, typed)
