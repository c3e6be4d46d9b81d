"""Money and share arithmetic: exact Decimal in 万元, 亿元 for display, largest-remainder shares."""

import calendar
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

WAN_PER_YI = Decimal(10_000)
CENT = Decimal("0.01")
# The exponents quantize() rounds to, by number of places (0.1, 0.01, …), made once.
EXPONENTS = {places: Decimal(1).scaleb(-places) for places in range(9)}


def quantize(value: Decimal | int, places: int = 2) -> Decimal:
    """Round half up to the given number of decimal places, the way official tables round."""
    if not isinstance(value, Decimal):
        value = Decimal(value)
    exponent = EXPONENTS.get(places) or Decimal(1).scaleb(-places)
    return value.quantize(exponent, rounding=ROUND_HALF_UP)


def wan_to_yi(amount_wan: Decimal | int | None, places: int = 2) -> Decimal:
    """亿元 from 万元."""
    return quantize(Decimal(amount_wan or 0) / WAN_PER_YI, places)


def percent(part: Decimal | int, whole: Decimal | int, places: int = 1) -> Decimal | None:
    """part / whole × 100, rounded; None when the whole is zero."""
    if not whole:
        return None
    return quantize(Decimal(part) * 100 / Decimal(whole), places)


def largest_remainder_shares(counts: Sequence[int | Decimal], places: int = 1) -> list[Decimal]:
    """占比 of parts of a whole, rounded so that they add up to exactly 100 (largest-remainder method)."""
    total = sum(Decimal(c) for c in counts)
    if not total:
        return [Decimal(0).quantize(Decimal(1).scaleb(-places)) for _ in counts]
    unit = Decimal(1).scaleb(-places)
    scaled = [Decimal(c) * 100 / total / unit for c in counts]
    floors = [int(s) for s in scaled]
    missing = int(Decimal(100) / unit) - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-(scaled[i] - floors[i]), i))
    for i in order[:missing]:
        floors[i] += 1
    return [(Decimal(f) * unit).quantize(unit) for f in floors]


def size_bucket(total_wan: Decimal | None) -> str:
    """Size bucket of DOMAIN §9 for a total investment in 万元."""
    amount = Decimal(total_wan or 0)
    if amount >= 100_000:
        return "10y+"
    if amount >= 50_000:
        return "5-10y"
    if amount >= 10_000:
        return "1-5y"
    return "<1y"


def year_on_year(this: Decimal | int, last: Decimal | int | None, places: int = 1) -> Decimal | None:
    """同比: (this − last) / last × 100; None when there is no last year to compare with."""
    if not last:
        return None
    return quantize((Decimal(this) - Decimal(last)) * 100 / Decimal(last), places)


def completion_rate(completed: Decimal, planned: Decimal) -> Decimal | None:
    """年度计划完成率: 年度完成投资 / 年度计划投资 × 100, 1 decimal."""
    return percent(completed, planned, 1)


def time_progress(month: int) -> Decimal:
    """时间进度 at the end of month m: m / 12 × 100, 1 decimal."""
    return quantize(Decimal(month) * 100 / 12, 1)


def ahead_of_time(rate: Decimal | None, month: int) -> Decimal | None:
    """快于(+)/慢于(−)时间进度 x 个百分点."""
    return None if rate is None else quantize(rate - time_progress(month), 1)


def elapsed_of_year(year: int, month: int, today: date | None = None) -> tuple[int, int]:
    """How much of the year the period (year, month) has run, as (elapsed, whole).

    At the end of month m: m of 12 (DOMAIN §9). While that month is under way on `today`: the days
    of the year up to and including today, of the days in the year (§9's "by days").
    """
    if today is not None and (today.year, today.month) == (year, month):
        return today.timetuple().tm_yday, 366 if calendar.isleap(year) else 365
    return month, 12


def time_progress_by_day(day: date) -> Decimal:
    """时间进度 by days: days of the year up to and including `day` / days in the year × 100, 1 decimal."""
    elapsed, whole = elapsed_of_year(day.year, day.month, day)
    return quantize(Decimal(elapsed) * 100 / whole, 1)


def period_time_progress(year: int, month: int, today: date | None = None) -> Decimal:
    """时间进度 of a period seen on `today`: by days while its month is under way, else at the month's end."""
    elapsed, whole = elapsed_of_year(year, month, today)
    return quantize(Decimal(elapsed) * 100 / whole, 1)


def ahead_of_progress(rate: Decimal | None, progress: Decimal) -> Decimal | None:
    """快于(+)/慢于(−)时间进度 x 个百分点, against a time progress already worked out."""
    return None if rate is None else quantize(rate - progress, 1)
