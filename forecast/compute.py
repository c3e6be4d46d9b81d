"""年度目标预测 (DOMAIN §14): for a scope and a month, each planned project's completed investment
expected at December, its forecast completion rate and whether it is at risk, and the portfolio's
total with a range; and the backtest of the method against the years in the database.

Reads are set-based: the scope's entries with their year rows in one query, the past years from
the figures' summary in a few grouped ones (forecast.history); the arithmetic is on arrays
(forecast.model). The number of queries does not grow with the number of projects.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import F, FloatField, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _t

from forecast.history import History, Profiles, in_force_plans, increments, scope_series
from forecast.model import (
    Basis,
    Floats,
    Kind,
    Projects,
    Result,
    Spread,
    forecast_projects,
    schedule_shares,
    seasonal_spread,
)
from lib.dates import month_end
from lib.numbers import completion_rate, quantize
from plans.choices import PlanType
from plans.models import PlanEntry
from plans.scope import Scope, scope_entries
from progress.models import YearProgress
from progress.yearly import with_progress
from projects.choices import ProjectStatus

ZERO = Decimal("0.00")
HEAD = (
    "project_id",
    "project__code",
    "project__name",
    "annual_investment",
    "plan_type",
    "planned_start_month",
    "planned_completion_month",
    "project__category_id",
    "project__responsible_unit_id",
    "project__status",
    "project__actual_completion_date",
)


def risk_threshold() -> Decimal:
    """The forecast completion rate (%) below which a project is at risk (FORECAST_RISK_THRESHOLD)."""
    return Decimal(settings.FORECAST_RISK_THRESHOLD)


def money(value: float) -> Decimal:
    return quantize(Decimal(repr(round(float(value), 2))), 2)


@dataclass(frozen=True)
class Rows:
    """The planned projects of a year, as read: identity columns and the arrays the model takes."""

    ids: list[int]
    codes: list[str]
    names: list[str]
    plans: list[Decimal]
    completed: list[Decimal]
    statuses: list[str]
    projects: Projects
    actual: Floats


def read_rows(
    entries: QuerySet[PlanEntry], year: int, month: int, profiles: Profiles, *, full_year: bool = False
) -> Rows:
    """The entries with an annual plan, with their project's year-to-date at the end of months 1 to
    `month` (all twelve with `full_year`, for the backtest), in one query."""
    last = 12 if full_year else month
    # The months feed the model as floats, read as such (no Decimal made for each cell); the month's
    # own year-to-date also comes exact, for the amounts shown.
    floats = {
        f"m{m}": Coalesce(Cast(F(f"progress__{YearProgress.column(m)}"), FloatField()), Value(0.0))
        for m in range(1, last + 1)
    }
    exact = [f"progress__{YearProgress.column(month)}"] if month else []
    rows = list(
        with_progress(entries.filter(annual_investment__gt=0), year)
        .annotate(**floats)
        .order_by("project__name", "project_id")
        .values_list(*HEAD, *exact, *floats)
    )
    n = len(rows)
    width = len(HEAD) + len(exact)
    ytd = (
        np.array([row[width:] for row in rows], dtype=np.float64).reshape(n, last)
        if n
        else np.zeros((0, last))
    )
    ytd = np.pad(ytd, ((0, 0), (0, 12 - last)))
    plan = np.array([float(r[3]) for r in rows]) if n else np.zeros(0)
    start = np.array([(r[5] or 1) if r[4] == PlanType.NEW_START else 1 for r in rows], dtype=np.int64)
    end = np.array([(r[6] or 12) if r[4] == PlanType.COMPLETING else 12 for r in rows], dtype=np.int64)
    start = np.clip(start, 1, 12)
    end = np.clip(np.maximum(end, start), 1, 12)
    shares = schedule_shares(start, end) if n else np.zeros((0, 13))
    basis = np.full(n, Basis.SCHEDULE, dtype=np.int64)
    realisation = np.ones(n)
    portfolio = profiles.portfolio
    for i, row in enumerate(rows):
        found = profiles.by_category.get(row[7])
        which = Basis.CATEGORY
        if found is None:
            found, which = profiles.by_unit.get(row[8]), Basis.UNIT
        if found is None:
            found, which = portfolio, Basis.PORTFOLIO
        if found is not None:
            shares[i] = found.shares
            basis[i] = which
            realisation[i] = found.realisation
    statuses = [r[9] for r in rows]
    # Finished by the end of the month: completed by then, or cancelled. A suspension is a state of
    # today, so it speaks for the year under way only.
    month_ended = month_end(year, month or 1)
    finished = [r[10] is not None and r[10] <= month_ended or r[9] == ProjectStatus.CANCELLED for r in rows]
    suspended_now = year == timezone.localdate().year and not full_year
    projects = Projects(
        plan=plan,
        ytd=ytd,
        active_from=start,
        active_until=end,
        finished=np.array(finished, dtype=bool),
        suspended=np.array([suspended_now and s == ProjectStatus.SUSPENDED for s in statuses], dtype=bool),
        shares=shares,
        basis=basis,
        realisation=realisation,
    )
    completed_column = len(HEAD)
    return Rows(
        ids=[r[0] for r in rows],
        codes=[r[1] for r in rows],
        names=[r[2] for r in rows],
        plans=[r[3] for r in rows],
        completed=[quantize(r[completed_column] or ZERO, 2) if month else ZERO for r in rows],
        statuses=statuses,
        projects=projects,
        actual=ytd[:, 11],
    )


def basis_label(basis: int) -> str:
    return {
        Basis.CATEGORY: _t("同类项目往年季节规律"),
        Basis.UNIT: _t("本单位项目往年季节规律"),
        Basis.PORTFOLIO: _t("全部项目往年季节规律"),
        Basis.SCHEDULE: _t("计划进度安排"),
    }[Basis(basis)]


def reason_for(i: int, rows: Rows, result: Result, month: int, rate: Decimal | None, at_risk: bool) -> str:
    """Why project i's year-end is what it is, in the words of the office."""
    kind = Kind(int(result.kind[i]))
    if kind == Kind.FINISHED:
        status = rows.statuses[i]
        return (
            _t("项目已终止，按已完成投资计")
            if status == ProjectStatus.CANCELLED
            else _t("项目已竣工，按已完成投资计")
        )
    if kind == Kind.SUSPENDED:
        return _t("项目暂停施工，按已完成投资计")
    if kind == Kind.STALLED:
        return _t("停滞%(n)d个月，按已完成投资计") % {"n": int(result.idle[i])}
    if kind == Kind.NOT_DUE:
        return _t("未到计划开工月份（%(m)d月），按计划安排") % {"m": int(rows.projects.active_from[i])}
    expected = result.expected_share[i]
    basis = basis_label(int(rows.projects.basis[i]))
    if expected >= 1:
        return _t("计划工期已到，按已完成投资计")
    plan = float(rows.projects.plan[i])
    done_rate = result.done[i] * 100 / plan if plan else 0.0
    expected_rate = expected * 100 * float(rows.projects.realisation[i])
    if at_risk and done_rate < expected_rate:
        return _t("进度落后于计划：已完成年度计划的%(d).1f%%，按%(b)s此时应完成%(e).1f%%") % {
            "d": done_rate,
            "b": basis,
            "e": expected_rate,
        }
    return _t("按%(b)s（此时一般完成全年的%(s).1f%%）推算") % {"b": basis, "s": expected * 100}


def forecast(
    year: int,
    month: int,
    scope: Scope | None = None,
    *,
    entries: QuerySet[PlanEntry] | None = None,
    limit: int | None = None,
    at_risk_only: bool = False,
) -> dict[str, Any]:
    """年度目标预测 of the scope's planned projects at the end of `month` of `year`.

    `projects` lists every project with an annual plan, worst forecast rate first (only the at-risk
    ones with `at_risk_only`, the first `limit` with a limit); `total` adds them up, with the range
    of the portfolio's year-end.
    """
    scope = scope or Scope()
    if entries is None:
        entries = scope_entries(year, scope)
    window = settings.FORECAST_HISTORY_YEARS
    history = History.read(year, window)
    profiles = history.profiles(year)
    rows = read_rows(entries, year, month, profiles)
    result = forecast_projects(rows.projects, month, settings.FORECAST_STALL_MONTHS)
    threshold = risk_threshold()

    items = []
    for i in range(len(rows.ids)):
        predicted = money(result.forecast[i])
        rate = completion_rate(predicted, rows.plans[i])
        at_risk = rate is not None and rate < threshold
        items.append((rate if rate is not None else Decimal(0), rows.names[i], i, predicted, at_risk))
    at_risk_count = sum(1 for item in items if item[4])
    items.sort(key=lambda item: (item[0], item[1]))
    chosen = [item for item in items if item[4]] if at_risk_only else items
    if limit is not None:
        chosen = chosen[:limit]
    projects = [
        {
            "id": rows.ids[i],
            "code": rows.codes[i],
            "name": rows.names[i],
            "annual_plan": rows.plans[i],
            "completed": rows.completed[i],
            "forecast": predicted,
            "forecast_rate": rate,
            "at_risk": at_risk,
            "reason": reason_for(i, rows, result, month, rate, at_risk),
        }
        for rate, _name, i, predicted, at_risk in chosen
    ]
    return {
        "period": {"year": year, "month": month},
        "threshold": threshold,
        "projects": projects,
        "total": portfolio_total(year, month, scope, rows, result, history, at_risk_count),
        "profile_years": profiles.years,
    }


def portfolio_total(
    year: int, month: int, scope: Scope, rows: Rows, result: Result, history: History, at_risk_count: int
) -> dict[str, Any]:
    """The scope's totals: annual plan and completed (exact), the year-end forecast and its range."""
    annual_plan = quantize(sum(rows.plans, ZERO), 2)
    completed = quantize(sum(rows.completed, ZERO), 2)
    point = float(np.sum(result.forecast))
    low, high, method = year_end_range(result, portfolio_spread(year, month, scope, rows, history))
    total_forecast = money(point)
    low_amount, high_amount = money(low), money(high)
    return {
        "count": len(rows.ids),
        "at_risk": at_risk_count,
        "annual_plan": annual_plan,
        "completed": completed,
        "completion_rate": completion_rate(completed, annual_plan),
        "forecast": total_forecast,
        "forecast_rate": completion_rate(total_forecast, annual_plan),
        "low": low_amount,
        "high": high_amount,
        "low_rate": completion_rate(low_amount, annual_plan),
        "high_rate": completion_rate(high_amount, annual_plan),
        "range_method": method,
    }


def year_end_range(result: Result, spread: Spread | None) -> tuple[float, float, str]:
    """The portfolio's year-end range: what is done plus the rest of the year stretched by the
    seasonal model's spread ("ets"); without one, between the two estimates the projects'
    forecasts weigh, their own months alone and the plan alone ("bracket"), or nothing left to
    forecast ("none")."""
    point = float(np.sum(result.forecast))
    done = float(np.sum(result.done))
    remaining = max(point - done, 0.0)
    if spread is not None:
        return done + remaining * spread.low, done + remaining * spread.high, spread.method
    own, plan = float(np.sum(result.by_own)), float(np.sum(result.by_plan))
    if remaining <= 0 and own <= point and plan <= point:
        return point, point, "none"
    return min(own, plan, point), max(own, plan, point), "bracket"


def portfolio_spread(year: int, month: int, scope: Scope, rows: Rows, history: History) -> Spread | None:
    """The spread of the rest of the year from the scope's monthly series (past years, then this
    year's months so far), or None without two years of it."""
    if month >= 12 or not rows.ids:
        return None
    past = scope_series(year, scope, settings.FORECAST_HISTORY_YEARS, history)
    this_year = increments(np.sum(rows.projects.ytd[:, :month], axis=0)) if month else np.zeros(0)
    return seasonal_spread(np.concatenate((past, this_year)), 12 - month)


@dataclass
class Errors:
    """The errors of the forecasts made at one month, added up over the years backtested."""

    forecasts: int = 0
    points: float = 0.0
    amount: float = 0.0
    risk_right: int = 0
    years: int = 0
    total_points: float = 0.0
    covered: int = 0

    def row(self, month: int) -> dict[str, Any]:
        n, y = self.forecasts, self.years
        return {
            "month": month,
            "years": y,
            "forecasts": n,
            "mae_points": round(self.points / n, 1) if n else None,
            "mae_amount": money(self.amount / n) if n else None,
            "total_error_points": round(self.total_points / y, 1) if y else None,
            "risk_accuracy": round(self.risk_right * 100 / n, 1) if n else None,
            "range_coverage": round(self.covered * 100 / y, 1) if y else None,
        }


def complete_years(before: int) -> list[int]:
    """The years before `before` whose plans are in the database: the years a backtest can judge."""
    return sorted(year for year in in_force_plans() if year < before)


def backtest(before: int) -> dict[str, Any]:
    """年度目标预测回测: for each year before `before` with plans, the forecast made at the end of
    each month 1–11 from what was known then (that year's months so far, the profiles of the
    years before it), against the year's actual end.

    By month: the mean absolute error per project in percentage points of the completion rate
    and in 万元, the mean error of the portfolio total in points, the share of projects whose
    at-risk call was right, and the share of years whose actual total fell within the range.
    """
    years = complete_years(before)
    history = History.read(before, None)
    window = settings.FORECAST_HISTORY_YEARS
    threshold = float(risk_threshold())
    errors = {month: Errors() for month in range(1, 12)}
    judged = []
    for year in years:
        profiles = history.profiles(year, window)
        rows = read_rows(scope_entries(year, Scope()), year, 12, profiles, full_year=True)
        plan = rows.projects.plan
        if not len(plan):
            continue
        judged.append(year)
        actual = rows.actual
        actual_total, plan_total = float(actual.sum()), float(plan.sum())
        past = [history.portfolio_year(y) for y in range(year - window, year)]
        series: list[Floats] = []
        for found in reversed(past):
            if found is None:
                break
            series.insert(0, increments(found))
        for month in range(1, 12):
            result = forecast_projects(rows.projects, month, settings.FORECAST_STALL_MONTHS)
            predicted = result.forecast
            tally = errors[month]
            tally.forecasts += len(plan)
            tally.points += float(np.sum(np.abs(predicted - actual) / plan)) * 100
            tally.amount += float(np.sum(np.abs(predicted - actual)))
            tally.risk_right += int(
                np.sum((predicted * 100 < plan * threshold) == (actual * 100 < plan * threshold))
            )
            tally.years += 1
            tally.total_points += abs(float(predicted.sum()) - actual_total) * 100 / plan_total
            so_far = increments(np.sum(rows.projects.ytd[:, :month], axis=0))
            spread = seasonal_spread(np.concatenate([*series, so_far]), 12 - month)
            low, high, _method = year_end_range(result, spread)
            tally.covered += int(low - 0.005 <= actual_total <= high + 0.005)
    return {"years": judged, "months": [errors[month].row(month) for month in range(1, 12)]}
