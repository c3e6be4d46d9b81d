"""Calendar arithmetic the standard library lacks, and how a span of months is written."""

import calendar
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the end of a shorter month: 31 Dec + 2 → 28/29 Feb."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_so_far(year: int, month: int) -> str:
    """The months of a year up to `month`, as figures are titled: 2026年1–10月, or 2026年1月."""
    if month == 1:
        return _("%(year)s年1月") % {"year": year}
    return _("%(year)s年1–%(month)s月") % {"year": year, "month": month}


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def end_of_day(day: date) -> datetime:
    """The last instant of a day, in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.max))
