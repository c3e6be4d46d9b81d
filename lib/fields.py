"""Model and form fields every app defines alike: amounts in 万元."""

from typing import Any

from django import forms
from django.db import models

from lib.validators import normalize_amount

# 万元 to the cent, up to 999,999,999,999.99 (a sum over a province's plans fits).
MONEY_DIGITS, MONEY_PLACES = 14, 2


class MoneyFormField(forms.DecimalField):
    """金额输入（万元）: a text box that takes what offices type, "1,234.5", "1，234.5", "１２３４．５"."""

    # A number box would drop "1,234.5" before the server sees it; a text box with a decimal keypad.
    widget = forms.TextInput

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = normalize_amount(value)
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if not isinstance(widget, forms.NumberInput | forms.HiddenInput):
            attrs.setdefault("inputmode", "decimal")
        return attrs


class MoneyField(models.DecimalField):
    """金额（万元） in the database: a DecimalField whose form field is MoneyFormField."""

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(
            form_class=form_class or MoneyFormField, choices_form_class=choices_form_class, **kwargs
        )

    def deconstruct(self) -> Any:
        # Migrations see a plain DecimalField: only the form field differs.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def money_field(verbose_name: Any = None, **options: Any) -> models.DecimalField:
    """金额（万元）: a Decimal to the cent, never a float."""
    return MoneyField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **options)
