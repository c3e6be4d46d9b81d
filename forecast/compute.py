"""年度目标预测 (DOMAIN §14): for a scope and a month, each planned project's completed investment
expected at December, its forecast completion rate and whether it is at risk, and the portfolio's
total with a range; and the backtest of the method against the years in the database.

Reads are set-based: the scope's entries with their year rows in one query, the past years from
the figures' summary in a few grouped ones (forecast.history); the arithmetic is on arrays
(forecast.model). The number of queries does not grow with the number of projects.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _t

from forecast.history import History, Profiles, in_force_plans, increments, scope_series
from forecast.model import (
    Basis,
    Floats,
    Ints,
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

# The columns read for each entry, in this order: identity, plan, schedule, what picks its profile.
HEAD = (
    "project_id",
    "project__code",
    "project__name",
    "plan_type",
    "planned_start_month",
    "planned_completion_month",
    "project__category_id",
    "project__responsible_unit_id",
    "project__status",
)


def risk_threshold() -> Decimal:
    """The forecast completion rate (%) below which a project is at risk (FORECAST_RISK_THRESHOLD)."""
    return Decimal(settings.FORECAST_RISK_THRESHOLD)


def money(value: float) -> Decimal:
    return quantize(Decimal(repr(round(float(value), 2))), 2)


def cents_of(values: Floats) -> Ints:
    """Amounts in 万元 as whole cents, each rounded as money() rounds it."""
    rounded = np.array([round(value, 2) for value in values.tolist()], dtype=np.float64)
    return np.rint(rounded * 100).astype(np.int64)


def exact_cents(values: Floats) -> Ints:
    """Amounts read from the database as floats (money columns, to the cent) as whole cents."""
    return np.rint(values * 100).astype(np.int64)


def from_cents(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def rates_in_tenths(forecast_cents: Ints, plan_cents: Ints) -> Ints:
    """completion_rate(forecast, plan) of every project in tenths of a percent, to the same rounding
    (half away from zero), in whole numbers; 0 where there is no plan."""
    plan = np.where(plan_cents > 0, plan_cents, 1)
    scaled = np.abs(forecast_cents) * 1000
    whole, rest = np.divmod(scaled, plan)
    tenths = np.sign(forecast_cents) * (whole + (2 * rest >= plan))
    return np.where(plan_cents > 0, tenths, 0)


@dataclass(frozen=True)
class Rows:
    """The planned projects of a year, as read: identity columns, the exact amounts in cents (the
    annual plan and the year-to-date at the end of the month) and the arrays the model takes."""

    ids: list[int]
    codes: list[str]
    names: list[str]
    plan_cents: Ints
    completed_cents: Ints
    statuses: list[str]
    projects: Projects
    actual: Floats


def assign_profiles(
    shares: Floats, basis: Ints, realisation: Floats, keys: dict[str, Ints], profiles: Profiles
) -> None:
    """Give each row the profile of its category's past years, else its unit's, else the whole
    portfolio's; a row none of them covers keeps its plan's schedule. One mask per category and
    unit that has a profile, not one lookup per row."""
    assigned = np.zeros(len(basis), dtype=bool)
    for of_row, found, which in (
        (keys["category"], profiles.by_category, Basis.CATEGORY),
        (keys["unit"], profiles.by_unit, Basis.UNIT),
    ):
        for key in np.unique(of_row[~assigned]).tolist():
            profile = found.get(key)
            if profile is None:
                continue
            mask = (of_row == key) & ~assigned
            shares[mask] = profile.shares
            basis[mask] = which
            realisation[mask] = profile.realisation
            assigned |= mask
    if profiles.portfolio is not None:
        rest = ~assigned
        shares[rest] = profiles.portfolio.shares
        basis[rest] = Basis.PORTFOLIO
        realisation[rest] = profiles.portfolio.realisation


def read_rows(
    entries: QuerySet[PlanEntry], year: int, month: int, profiles: Profiles, *, full_year: bool = False
) -> Rows:
    """The entries with an annual plan, with their project's year-to-date at the end of months 1 to
    `month` (all twelve with `full_year`, for the backtest), in one query.

    The amounts come as floats straight from the driver (no Decimal made for each cell): the
    model computes with floats, and the exact amounts shown are whole cents of them, which money
    columns hold exactly.
    """
    last = 12 if full_year else month
    month_ended = month_end(year, month or 1)
    floats = {
        f"m{m}": Coalesce(Cast(F(f"progress__{YearProgress.column(m)}"), FloatField()), Value(0.0))
        for m in range(1, last + 1)
    }
    # Finished by the end of the month: completed by then, or cancelled. A suspension is a state of
    # today, so it speaks for the year under way only.
    finished = Case(
        When(
            Q(project__actual_completion_date__lte=month_ended) | Q(project__status=ProjectStatus.CANCELLED),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
    queryset = (
        with_progress(entries.filter(annual_investment__gt=0), year)
        .annotate(plan_amount=Cast("annual_investment", FloatField()), finished=finished, **floats)
        .order_by("project__name", "project_id")
        .values_list(*HEAD, "plan_amount", "finished", *floats)
    )
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        # A scope that can match nothing (no plan in force, an empty list) is compiled by nobody.
        fetched: list[tuple[Any, ...]] = []
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
    n = len(fetched)
    columns: list[tuple[Any, ...]] = list(zip(*fetched, strict=True)) if n else [() for _ in range(11 + last)]
    ids, codes, names, plan_types, starts, ends, categories, units, statuses = columns[:9]
    plan = np.array(columns[9], dtype=np.float64)
    ytd = np.zeros((n, 12))
    if last:
        ytd[:, :last] = np.array(columns[11:], dtype=np.float64).T.reshape(n, last)
    new_start = np.array(plan_types, dtype=object) == PlanType.NEW_START
    completing = np.array(plan_types, dtype=object) == PlanType.COMPLETING
    start = np.where(new_start, np.array([m or 1 for m in starts], dtype=np.int64), 1)
    end = np.where(completing, np.array([m or 12 for m in ends], dtype=np.int64), 12)
    start = np.clip(start, 1, 12)
    end = np.clip(np.maximum(end, start), 1, 12)
    shares = schedule_shares(start, end) if n else np.zeros((0, 13))
    basis = np.full(n, Basis.SCHEDULE, dtype=np.int64)
    realisation = np.ones(n)
    keys = {
        "category": np.array([-1 if c is None else c for c in categories], dtype=np.int64),
        "unit": np.array([-1 if u is None else u for u in units], dtype=np.int64),
    }
    assign_profiles(shares, basis, realisation, keys, profiles)
    status_of = np.array(statuses, dtype=object)
    suspended_now = year == timezone.localdate().year and not full_year
    projects = Projects(
        plan=plan,
        ytd=ytd,
        active_from=start,
        active_until=end,
        finished=np.array(columns[10], dtype=bool),
        suspended=(status_of == ProjectStatus.SUSPENDED) if suspended_now else np.zeros(n, dtype=bool),
        shares=shares,
        basis=basis,
        realisation=realisation,
    )
    return Rows(
        ids=list(ids),
        codes=list(codes),
        names=list(names),
        plan_cents=exact_cents(plan),
        completed_cents=exact_cents(ytd[:, month - 1]) if month else np.zeros(n, dtype=np.int64),
        statuses=list(statuses),
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


def reason_words() -> dict[str, str]:
    """The words of the reasons in the active language, looked up once for all the rows of a
    forecast instead of once a row."""
    return {
        "cancelled": _t("项目已终止，按已完成投资计"),
        "completed": _t("项目已竣工，按已完成投资计"),
        "suspended": _t("项目暂停施工，按已完成投资计"),
        "stalled": _t("停滞%(n)d个月，按已完成投资计"),
        "not_due": _t("未到计划开工月份（%(m)d月），按计划安排"),
        "due": _t("计划工期已到，按已完成投资计"),
        "behind": _t("进度落后于计划：已完成年度计划的%(d).1f%%，按%(b)s此时应完成%(e).1f%%"),
        "pace": _t("按%(b)s（此时一般完成全年的%(s).1f%%）推算"),
        **{f"basis_{basis.value}": basis_label(basis) for basis in Basis},
    }


def reason_for(
    i: int,
    rows: Rows,
    result: Result,
    month: int,
    rate: Decimal | None,
    at_risk: bool,
    words: dict[str, str] | None = None,
) -> str:
    """Why project i's year-end is what it is, in the words of the office (`words`: reason_words(),
    given when there are many rows)."""
    words = words or reason_words()
    kind = Kind(int(result.kind[i]))
    if kind == Kind.FINISHED:
        return words["cancelled"] if rows.statuses[i] == ProjectStatus.CANCELLED else words["completed"]
    if kind == Kind.SUSPENDED:
        return words["suspended"]
    if kind == Kind.STALLED:
        return words["stalled"] % {"n": int(result.idle[i])}
    if kind == Kind.NOT_DUE:
        return words["not_due"] % {"m": int(rows.projects.active_from[i])}
    expected = result.expected_share[i]
    basis = words[f"basis_{int(rows.projects.basis[i])}"]
    if expected >= 1:
        return words["due"]
    plan = float(rows.projects.plan[i])
    done_rate = result.done[i] * 100 / plan if plan else 0.0
    expected_rate = expected * 100 * float(rows.projects.realisation[i])
    if at_risk and done_rate < expected_rate:
        return words["behind"] % {"d": done_rate, "b": basis, "e": expected_rate}
    return words["pace"] % {"b": basis, "s": expected * 100}


def forecast(
    year: int,
    month: int,
    scope: Scope | None = None,
    *,
    entries: QuerySet[PlanEntry] | None = None,
    limit: int | None = None,
    at_risk_only: bool = False,
    below: Decimal | None = None,
) -> dict[str, Any]:
    """年度目标预测 of the scope's planned projects at the end of `month` of `year`.

    `projects` lists every project with an annual plan, worst forecast rate first (only the at-risk
    ones with `at_risk_only`, those whose rate is below `below` with that, the first `limit` with a
    limit); `total` adds them up, with the range of the portfolio's year-end. The amounts, rate and
    reason are worked out for the projects listed only.
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

    forecast_cents = cents_of(result.forecast)
    tenths = rates_in_tenths(forecast_cents, rows.plan_cents)
    planned = rows.plan_cents > 0
    # rate < threshold, in whole tenths: below the threshold's tenths rounded up.
    at_risk = planned & (tenths < math.ceil(threshold * 10))
    at_risk_count = int(np.count_nonzero(at_risk))
    listed = at_risk if at_risk_only else np.ones(len(rows.ids), dtype=bool)
    if below is not None:
        listed = listed & planned & (tenths < math.ceil(below * 10))
    chosen = np.flatnonzero(listed)
    if limit is not None and len(chosen) > limit:
        # Only the rows whose rate is among the `limit` lowest can be listed; ties on the cut-off
        # rate are kept for the exact order below to settle.
        cutoff = np.partition(tenths[chosen], limit - 1)[limit - 1]
        chosen = chosen[tenths[chosen] <= cutoff]
    # Worst rate first, then by name, then in the order read (by name and id).
    rank, names = tenths.tolist(), rows.names
    order = sorted(chosen.tolist(), key=lambda i: (rank[i], names[i], i))
    if limit is not None:
        order = order[:limit]
    projects = []
    words = reason_words()
    for i in order:
        plan = from_cents(rows.plan_cents[i])
        rate = Decimal(int(tenths[i])).scaleb(-1) if planned[i] else None
        risky = bool(at_risk[i])
        projects.append(
            {
                "id": rows.ids[i],
                "code": rows.codes[i],
                "name": rows.names[i],
                "annual_plan": plan,
                "completed": from_cents(rows.completed_cents[i]),
                "forecast": from_cents(forecast_cents[i]),
                "forecast_rate": rate,
                "at_risk": risky,
                "reason": reason_for(i, rows, result, month, rate, risky, words),
            }
        )
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
    annual_plan = from_cents(int(np.sum(rows.plan_cents)))
    completed = from_cents(int(np.sum(rows.completed_cents)))
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
