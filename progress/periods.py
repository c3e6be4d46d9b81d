"""Reporting periods (报送周期) and their deadlines."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from progress.choices import PARTS_PER_MONTH, Frequency

PART_LABELS = {
    Frequency.HALF_MONTHLY: (gettext_lazy("%(y)d年%(m)d月上半月"), gettext_lazy("%(y)d年%(m)d月下半月")),
    Frequency.TEN_DAILY: (
        gettext_lazy("%(y)d年%(m)d月上旬"),
        gettext_lazy("%(y)d年%(m)d月中旬"),
        gettext_lazy("%(y)d年%(m)d月下旬"),
    ),
}


WEEK_LABEL = gettext_lazy("%(y)d年%(m)d月第%(n)d周（%(s)s—%(e)s）")


def first_thursday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7)


def parts_in_month(frequency: str, year: int, month: int) -> int:
    """How many reporting periods the month has at `frequency`: 1, 2 or 3, and for weeks the
    number of its Thursdays (4 or 5), a week (Monday to Sunday) belonging to the month of its
    Thursday, as an ISO week belongs to the year of its Thursday."""
    if frequency != Frequency.WEEKLY:
        return PARTS_PER_MONTH[Frequency(frequency)]
    last = calendar.monthrange(year, month)[1]
    return (last - first_thursday(year, month).day) // 7 + 1


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: a month, a half or a ten-day part of it, or a week (周报) counted in
    the month of its Thursday."""

    year: int
    month: int
    part: int = 1
    frequency: str = Frequency.MONTHLY

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(_("月份应在1到12之间。"))
        if not 1 <= self.part <= parts_in_month(self.frequency, self.year, self.month):
            raise ValueError(_("报送周期的序号超出范围。"))

    @classmethod
    def parse(cls, text: str) -> "Period":
        """ "2026-03" → the monthly period of March 2026."""
        try:
            year_text, month_text = text.strip().split("-")[:2]
            return cls(int(year_text), int(month_text))
        except (ValueError, AttributeError) as error:
            raise ValueError(_("报送期应写作 YYYY-MM，例如 2026-03。")) from error

    @property
    def start(self) -> date:
        if self.frequency == Frequency.WEEKLY:
            return first_thursday(self.year, self.month) + timedelta(days=7 * (self.part - 1) - 3)
        if self.frequency == Frequency.HALF_MONTHLY:
            return date(self.year, self.month, 1 if self.part == 1 else 16)
        if self.frequency == Frequency.TEN_DAILY:
            return date(self.year, self.month, (1, 11, 21)[self.part - 1])
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        if self.frequency == Frequency.WEEKLY:
            return self.start + timedelta(days=6)
        last = calendar.monthrange(self.year, self.month)[1]
        if self.frequency == Frequency.HALF_MONTHLY and self.part == 1:
            return date(self.year, self.month, 15)
        if self.frequency == Frequency.TEN_DAILY and self.part < 3:
            return date(self.year, self.month, (10, 20)[self.part - 1])
        return date(self.year, self.month, last)

    @property
    def deadline(self) -> date:
        """报送截止日: monthly by the configured rule; shorter periods the day after they end (a
        week's on the Monday after it: 每周一报)."""
        if self.frequency != Frequency.MONTHLY:
            return self.end + timedelta(days=1)
        if settings.REPORT_DEADLINE_RULE == "workdays":
            return add_working_days(self.end, settings.REPORT_DEADLINE_WORKDAYS)
        last = calendar.monthrange(self.year, self.month)[1]
        return date(self.year, self.month, min(settings.REPORT_DEADLINE_DAY, last))

    @property
    def label(self) -> str:
        numbers = {"y": self.year, "m": self.month}
        if self.frequency == Frequency.WEEKLY:
            start, end = self.start, self.end
            return str(WEEK_LABEL) % {
                **numbers,
                "n": self.part,
                "s": _("%(m)d月%(d)d日") % {"m": start.month, "d": start.day},
                "e": _("%(m)d月%(d)d日") % {"m": end.month, "d": end.day},
            }
        if self.frequency in PART_LABELS:
            return str(PART_LABELS[Frequency(self.frequency)][self.part - 1]) % numbers
        return _("%(y)d年%(m)d月") % numbers

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}" + (
            f"-{self.part}" if self.frequency != Frequency.MONTHLY else ""
        )

    def previous(self) -> "Period":
        if self.part > 1:
            return Period(self.year, self.month, self.part - 1, self.frequency)
        year, month = (self.year, self.month - 1) if self.month > 1 else (self.year - 1, 12)
        return Period(year, month, parts_in_month(self.frequency, year, month), self.frequency)

    def next(self) -> "Period":
        if self.part < parts_in_month(self.frequency, self.year, self.month):
            return Period(self.year, self.month, self.part + 1, self.frequency)
        year, month = (self.year, self.month + 1) if self.month < 12 else (self.year + 1, 1)
        return Period(year, month, 1, self.frequency)

    def sort_key(self) -> int:
        return (self.year * 12 + self.month) * 10 + self.part


def add_working_days(day: date, count: int) -> date:
    """The date `count` working days (Monday to Friday) after `day`."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def current_period(today: date, frequency: str = Frequency.MONTHLY) -> Period:
    """The period a project reports for on `today`: the one that contains it."""
    if frequency == Frequency.WEEKLY:
        thursday = today + timedelta(days=3 - today.weekday())
        return Period(thursday.year, thursday.month, (thursday.day - 1) // 7 + 1, frequency)
    if frequency == Frequency.HALF_MONTHLY:
        return Period(today.year, today.month, 1 if today.day <= 15 else 2, frequency)
    if frequency == Frequency.TEN_DAILY:
        return Period(
            today.year, today.month, 1 if today.day <= 10 else 2 if today.day <= 20 else 3, frequency
        )
    return Period(today.year, today.month)
