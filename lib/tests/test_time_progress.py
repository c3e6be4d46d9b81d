"""时间进度 at a month's end (m / 12) and by days for the month under way (DOMAIN §9)."""

from datetime import date
from decimal import Decimal

import pytest

from lib.numbers import (
    ahead_of_progress,
    elapsed_of_year,
    period_time_progress,
    time_progress,
    time_progress_by_day,
)


@pytest.mark.parametrize(
    ("day", "progress"),
    [
        (date(2026, 1, 1), Decimal("0.3")),  # 1 / 365
        (date(2026, 6, 30), Decimal("49.6")),  # 181 / 365
        (date(2026, 12, 5), Decimal("92.9")),  # 339 / 365
        (date(2026, 12, 31), Decimal("100.0")),
        (date(2028, 2, 29), Decimal("16.4")),  # 60 / 366 in a leap year
        (date(2028, 12, 31), Decimal("100.0")),
    ],
)
def test_time_progress_by_day_counts_the_days_of_the_year_up_to_and_including_today(day, progress):
    assert time_progress_by_day(day) == progress


def test_the_month_under_way_is_counted_by_days_and_every_other_month_at_its_end():
    fifth = date(2026, 12, 5)
    assert elapsed_of_year(2026, 12, fifth) == (339, 365)
    assert period_time_progress(2026, 12, fifth) == Decimal("92.9")
    assert elapsed_of_year(2026, 11, fifth) == (11, 12)
    assert period_time_progress(2026, 11, fifth) == time_progress(11) == Decimal("91.7")
    # The same month of another year is not under way.
    assert period_time_progress(2025, 12, fifth) == Decimal("100.0")
    assert period_time_progress(2026, 12) == time_progress(12) == Decimal("100.0")


def test_every_month_end_is_the_month_over_twelve_as_before():
    assert [period_time_progress(2026, m) for m in range(1, 13)] == [time_progress(m) for m in range(1, 13)]


def test_ahead_of_progress_is_the_rate_less_the_time_progress():
    assert ahead_of_progress(Decimal("87.0"), Decimal("92.9")) == Decimal("-5.9")
    assert ahead_of_progress(Decimal("105.4"), Decimal("100.0")) == Decimal("5.4")
    assert ahead_of_progress(None, Decimal("92.9")) is None
