"""Model fields every app defines alike."""

from typing import Any

from django.db import models

# 万元 to the cent, up to 999,999,999,999.99 (a sum over a province's plans fits).
MONEY_DIGITS, MONEY_PLACES = 14, 2


def money_field(verbose_name: Any = None, **options: Any) -> models.DecimalField:
    """金额（万元）: a Decimal to the cent, never a float."""
    return models.DecimalField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **options)
