"""季考核: weighted indicators per town/street or department for a quarter, half-year or year.

Each indicator is a rate in percent per unit, computed in the database for the period's window;
a unit scores `weight × min(rate / target, 1)` on it. A rate with nothing to measure (no project
due to start, no problem raised) scores the full weight: there was nothing left undone.
Half-year (半年兑现) and year (全年总评) use the same indicators over the longer window.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert
from assessment.models import Indicator
from figures.compute import (
    completed_by,
    reporting_aggregates,
    reporting_counts,
    reporting_frequencies,
    reporting_parts,
    with_report,
)
from lib.dates import month_end
from lib.numbers import percent, quantize
from org.choices import UnitKind
from org.models import Unit
from plans.choices import PlanType
from plans.models import PlanEntry
from plans.scope import Scope, scope_entries
from problems.choices import ProblemStatus
from problems.models import Problem

ZERO = Decimal(0)
GROUPS = {
    "town": ("project__town", UnitKind.TOWN),
    "department": ("project__responsible_unit", UnitKind.DEPARTMENT),
}
PERIOD_KINDS = {"quarter": _("季度"), "half": _("半年"), "year": _("全年")}


@dataclass(frozen=True)
class Window:
    """考核期: the months an assessment covers."""

    year: int
    kind: str
    number: int = 1

    @property
    def first_month(self) -> int:
        if self.kind == "quarter":
            return self.number * 3 - 2
        if self.kind == "half":
            return 1 if self.number == 1 else 7
        return 1

    @property
    def last_month(self) -> int:
        if self.kind == "quarter":
            return self.number * 3
        if self.kind == "half":
            return 6 if self.number == 1 else 12
        return 12

    @property
    def label(self) -> str:
        """考核期 as titles name it: 2026年第4季度, 2026年上半年, 2026年全年."""
        if self.kind == "quarter":
            return _t("%(year)d年第%(n)d季度") % {"year": self.year, "n": self.number}
        if self.kind == "half" and self.number == 1:
            return _t("%(year)d年上半年") % {"year": self.year}
        if self.kind == "half":
            return _t("%(year)d年下半年") % {"year": self.year}
        return _t("%(year)d年全年") % {"year": self.year}

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        return month_end(self.year, self.last_month)


Rates = dict[int, Decimal | None]
Provider = Callable[[QuerySet[PlanEntry], str, Window], Rates]
PROVIDERS: dict[str, Provider] = {}


def provider(code: str) -> Callable[[Provider], Provider]:
    """Register the function computing an indicator's rate per unit."""

    def register(function: Provider) -> Provider:
        PROVIDERS[code] = function
        return function

    return register


@provider("completion_rate")
def completion_rates(entries: QuerySet[PlanEntry], key: str, window: Window) -> Rates:
    """年度计划完成率 at the end of the window, per unit."""
    planned = dict(
        entries.order_by().values(key).annotate(total=Sum("annual_investment")).values_list(key, "total")
    )
    completed = completed_by(entries, window.year, window.last_month, key)
    return {unit: percent(completed.get(unit, ZERO), plan) for unit, plan in planned.items()}


@provider("start_rate")
def start_rates(entries: QuerySet[PlanEntry], key: str, window: Window) -> Rates:
    """开工率: projects started among those planned to start by the end of the window."""
    rows = (
        entries.filter(plan_type=PlanType.NEW_START, planned_start_month__lte=window.last_month)
        .order_by()
        .values(key)
        .annotate(due=Count("id"), started=Count("id", filter=Q(project__actual_start_date__lte=window.end)))
    )
    return {row[key]: percent(row["started"], row["due"]) for row in rows}


@provider("on_time_reporting")
def on_time_rates(entries: QuerySet[PlanEntry], key: str, window: Window) -> Rates:
    """按时报送率: reporting periods first submitted by their deadline among the periods due in the
    window, month by month as the figures count them (a month, or each half or ten-day part)."""
    frequencies = reporting_frequencies()
    due: dict[int, int] = {}
    on_time: dict[int, int] = {}
    for month in range(window.first_month, window.last_month + 1):
        rows = (
            with_report(entries.order_by(), window.year, month, reporting_parts(frequencies))
            .values(key)
            .annotate(**reporting_aggregates(window.year, month, frequencies))
        )
        for row in rows:
            counts = reporting_counts(row)
            due[row[key]] = due.get(row[key], 0) + counts["due"]
            on_time[row[key]] = on_time.get(row[key], 0) + counts["on_time"]
    return {unit: percent(on_time[unit], count) for unit, count in due.items()}


class ScoreCell(TypedDict):
    indicator: Indicator
    rate: Decimal | None
    score: Decimal


class ScoreRow(TypedDict):
    """One unit's line: its score on each indicator, the total, and its place once ranked."""

    unit: Unit
    cells: list[ScoreCell]
    total: Decimal
    rank: NotRequired[int]


def scores(group: str, window: Window, user: Any = None) -> dict[str, Any]:
    """Score and rank of every town/street (group="town") or department for the window."""
    key, kind = GROUPS[group]
    indicators = list(Indicator.objects.filter(is_active=True))
    entries = scope_entries(window.year, Scope(user=user)).exclude(**{f"{key}__isnull": True})
    units = Unit.objects.filter(kind=kind, is_active=True)
    if user is not None and not user.sees_everything:
        units = units.visible_to(user)
    rates = {
        i.code: PROVIDERS[i.code](entries, key, window) if i.code in PROVIDERS else {} for i in indicators
    }
    rows: list[ScoreRow] = []
    for unit in units.order_by("sort_order", "name"):
        cells: list[ScoreCell] = []
        total = ZERO
        for indicator in indicators:
            rate = rates[indicator.code].get(unit.pk)
            ratio = Decimal(1) if rate is None else min(rate / indicator.target, Decimal(1))
            score = quantize(indicator.weight * ratio, 2)
            total += score
            cells.append({"indicator": indicator, "rate": rate, "score": score})
        rows.append({"unit": unit, "cells": cells, "total": quantize(total, 2)})
    rows.sort(key=lambda r: (-r["total"], r["unit"].name))
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
    return {
        "window": window,
        "group": group,
        "indicators": indicators,
        "rows": rows,
        "full_marks": sum((i.weight for i in indicators), ZERO),
    }


def _closure(rows: QuerySet[Any], key: str, closed: Q) -> Rates:
    return {
        row[key]: percent(row["closed"], row["raised"])
        for row in rows.order_by().values(key).annotate(raised=Count("id"), closed=Count("id", filter=closed))
    }


@provider("problem_closure")
def problem_closure(entries: QuerySet[PlanEntry], key: str, window: Window) -> Rates:
    """问题销号率: problems raised this year by the window's end, and how many were solved by then."""

    problems = Problem.objects.filter(
        project__in=entries.values("project_id"), raised_at__year=window.year, raised_at__date__lte=window.end
    )
    return _closure(problems, key, Q(status=ProblemStatus.RESOLVED, resolved_at__date__lte=window.end))


@provider("warning_closure")
def warning_closure(entries: QuerySet[PlanEntry], key: str, window: Window) -> Rates:
    """预警销号率: warnings raised this year by the window's end, and how many were closed by then."""

    alerts = Alert.objects.filter(
        project__in=entries.values("project_id"), opened_on__year=window.year, opened_on__lte=window.end
    )
    return _closure(alerts, key, Q(closed_at__date__lte=window.end))
