"""Calendar arithmetic the standard library lacks: adding whole months to a date."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the end of a shorter month: 31 Dec + 2 → 28/29 Feb."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
