"""Validators for the identifiers of DOMAIN §8 and for typed amounts, with messages in Chinese."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# GB 32100-2015: the 31 characters allowed (no I, O, S, V, Z) and the weights of positions 1–17.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

# GB/T 2260 province-level division codes (first two digits of an administrative division).
# fmt: off
PROVINCE_CODES = frozenset((
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
))
# fmt: on

PROJECT_CODE_RE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})(-\d{3})?$")
# Old-form codes (2015–2020) open with the year; the new form (GB/T 40058, from late 2020)
# opens with YYMM. Years of the old form were issued from 2014 at the earliest.
OLD_FORM_YEARS = range(2014, 2021)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
BUILD_YEARS_RE = re.compile(r"^(\d{4})(?:-(\d{4}))?$")

# What a Chinese input method types in place of ASCII: full-width digits, point, comma, signs, space.
FULL_WIDTH_NUMBER = str.maketrans("０１２３４５６７８９．，－＋　", "0123456789.,-+ ")
# Thousands separators every three digits: "1,234.5", "12,345,678".
GROUPED_NUMBER_RE = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
# Digits and commas only, as a number would be typed with separators in the wrong places.
COMMA_NUMBER_RE = re.compile(r"^[+-]?[\d,]+(?:\.\d*)?$")


def credit_code_check_char(first17: str) -> str:
    """统一社会信用代码校验码: the 18th character computed from the first 17."""
    total = sum(
        CREDIT_CODE_CHARSET.index(ch) * weight
        for ch, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """统一社会信用代码: 18 characters whose last one is the GB 32100 check character."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位，当前为%(n)d位。"), params={"n": len(code)})
    if not CREDIT_CODE_RE.match(code):
        raise ValidationError(_("统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）。"))
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(_("统一社会信用代码校验位错误：第18位应为“%(c)s”。"), params={"c": expected})


def validate_project_code(value: str) -> None:
    """项目代码: the national investment-project code, old (year) or new (YYMM) form."""
    code = (value or "").strip()
    match = PROJECT_CODE_RE.match(code)
    if not match:
        raise ValidationError(
            _("项目代码格式应为 XXXX-XXXXXX-XX-XX-XXXXXX（可带 -XXX 后缀），例如 2020-440104-70-01-012345。")
        )
    prefix, division = match.group(1), match.group(2)
    if int(prefix) not in OLD_FORM_YEARS:
        month = int(prefix[2:])
        if int(prefix[:2]) < 20 or not 1 <= month <= 12:
            raise ValidationError(
                _("项目代码前4位应为赋码年份（2014–2020）或年月（YYMM），“%(p)s”均不符合。"),
                params={"p": prefix},
            )
    if division[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("项目代码中的行政区划代码“%(d)s”无效：省级代码“%(p)s”不存在。"),
            params={"d": division, "p": division[:2]},
        )


def validate_phone(value: str) -> None:
    """联系电话: a mainland mobile number or a landline with its area code."""
    phone = re.sub(r"\s", "", value or "")
    if not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
        raise ValidationError(_("电话号码格式不正确：应为11位手机号或带区号的固定电话（如 0375-1234567）。"))


def normalize_build_years(value: str) -> str:
    """建设年限: normalise dashes and spaces so that "2021—2023" reads "2021-2023"."""
    text = re.sub(r"\s", "", value or "")
    text = re.sub(r"[—–－~～至到]", "-", text).replace("年", "")
    return text


def validate_build_years(value: str) -> None:
    """建设年限: YYYY or YYYY-YYYY with the end year not before the start year."""
    text = normalize_build_years(value)
    match = BUILD_YEARS_RE.match(text)
    if not match:
        raise ValidationError(_("建设年限格式应为“2021-2023”或“2021”。"))
    start = int(match.group(1))
    end = int(match.group(2) or start)
    if not (1980 <= start <= 2100 and 1980 <= end <= 2100):
        raise ValidationError(_("建设年限的年份应在1980至2100之间。"))
    if end < start:
        raise ValidationError(_("建设年限的结束年份不能早于开始年份。"))


def normalize_amount(value: str) -> str:
    """金额输入: "1,234.5", "1，234.5" and "１２３４．５" read as "1234.5"; other text is left as typed.

    A comma is taken only as a thousands separator, every three digits: "12,5" is refused rather
    than read as 125 (or, as a decimal comma, 12.5).
    """
    text = value.translate(FULL_WIDTH_NUMBER).strip()
    if "," not in text or not COMMA_NUMBER_RE.match(text):
        return text
    if not GROUPED_NUMBER_RE.match(text):
        raise ValidationError(_("千分位逗号应每三位一个，例如“1,234.5”；小数点请用“.”。"), code="grouping")
    return text.replace(",", "")
