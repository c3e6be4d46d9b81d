"""Amounts in 万元: every money field of the site takes what offices type, in every form."""

from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.db import models

from lib.fields import MoneyFormField, money_field


class AmountForm(forms.Form):
    amount = MoneyFormField(
        max_digits=14, decimal_places=2, error_messages={"invalid": "请输入数字（单位：万元）。"}
    )


@pytest.mark.parametrize(
    ("typed", "value"),
    [("1,234.5", "1234.5"), ("1，234.5", "1234.5"), ("１２３４．５", "1234.5"), ("12,000", "12000")],
)
def test_money_form_field_accepts_thousands_separators_and_full_width_digits(typed: str, value: str) -> None:
    form = AmountForm({"amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal(value)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("约3000", "请输入数字（单位：万元）。"),
        ("3000万元", "请输入数字（单位：万元）。"),
        ("12,5", "千分位逗号"),
    ],
)
def test_money_form_field_still_refuses_what_is_not_an_exact_number(typed: str, message: str) -> None:
    form = AmountForm({"amount": typed})
    assert not form.is_valid()
    assert message in form.errors["amount"][0]


def test_money_form_field_is_a_text_box_with_a_decimal_keypad() -> None:
    html = str(AmountForm()["amount"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html


def test_every_amount_in_wan_yuan_of_the_site_is_typed_through_the_money_form_field() -> None:
    amounts = [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.DecimalField) and "万元" in str(field.verbose_name) and field.editable
    ]
    assert len(amounts) > 5
    assert [
        f"{f.model.__name__}.{f.name}" for f in amounts if not isinstance(f.formfield(), MoneyFormField)
    ] == []


def test_migrations_see_a_money_field_as_a_plain_decimal_field() -> None:
    _name, path, _args, kwargs = money_field("总投资（万元）").deconstruct()
    assert path == "django.db.models.DecimalField"
    assert (kwargs["max_digits"], kwargs["decimal_places"]) == (14, 2)
