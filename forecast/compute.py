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
    "plan_id",
    "counted",
    "project__town_id",
    "project__owner_unit_id",
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
    # The keys a scope narrows the entries by, as the figures' cells have them.
    keys: dict[str, list[Any]]


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
    entries: QuerySet[PlanEntry],
    year: int,
    month: int,
    profiles: Profiles,
    *,
    full_year: bool = False,
    current: bool | None = None,
) -> Rows:
    """The entries with an annual plan, with their project's year-to-date at the end of months 1 to
    `month` (all twelve with `full_year`, for the backtest), in one query. A suspension counts in
    the year under way only: `current` says whether `year` is (by default, today's year).

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
    head = len(HEAD)
    columns: list[tuple[Any, ...]] = (
        list(zip(*fetched, strict=True)) if n else [() for _ in range(head + 2 + last)]
    )
    ids, codes, names, plan_types, starts, ends, categories, units, statuses = columns[:9]
    plan_ids, counted, towns, owners = columns[9:head]
    plan = np.array(columns[head], dtype=np.float64)
    ytd = np.zeros((n, 12))
    if last:
        ytd[:, :last] = np.array(columns[head + 2 :], dtype=np.float64).T.reshape(n, last)
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
    if current is None:
        current = year == timezone.localdate().year
    suspended_now = current and not full_year
    projects = Projects(
        plan=plan,
        ytd=ytd,
        active_from=start,
        active_until=end,
        finished=np.array(columns[head + 1], dtype=bool),
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
        keys={
            "plan_id": list(plan_ids),
            "counted": list(counted),
            "category_id": list(categories),
            "plan_type": list(plan_types),
            "unit_id": [unit or 0 for unit in units],
            "town_id": list(towns),
            "owner_unit_id": list(owners),
        },
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


@dataclass(frozen=True)
class Facts:
    """What the reason for a project's year-end is worked out from (forecast.model.Result and the
    row read): how it was forecast, the months it has been idle, its planned start month, the share
    of the year's work its profile expects done by now, the profile followed, its plan and what is
    done (万元), and what past years realised of their plans."""

    kind: int
    cancelled: bool
    idle: int
    active_from: int
    expected_share: float
    basis: int
    plan: float
    done: float
    realisation: float


def facts_of(i: int, rows: Rows, result: Result) -> Facts:
    return Facts(
        kind=int(result.kind[i]),
        cancelled=rows.statuses[i] == ProjectStatus.CANCELLED,
        idle=int(result.idle[i]),
        active_from=int(rows.projects.active_from[i]),
        expected_share=float(result.expected_share[i]),
        basis=int(rows.projects.basis[i]),
        plan=float(rows.projects.plan[i]),
        done=float(result.done[i]),
        realisation=float(rows.projects.realisation[i]),
    )


def reason_for(facts: Facts, at_risk: bool, words: dict[str, str] | None = None) -> str:
    """Why a project's year-end is what it is, in the words of the office (`words`: reason_words(),
    given when there are many rows)."""
    words = words or reason_words()
    kind = Kind(facts.kind)
    if kind == Kind.FINISHED:
        return words["cancelled"] if facts.cancelled else words["completed"]
    if kind == Kind.SUSPENDED:
        return words["suspended"]
    if kind == Kind.STALLED:
        return words["stalled"] % {"n": facts.idle}
    if kind == Kind.NOT_DUE:
        return words["not_due"] % {"m": facts.active_from}
    expected = facts.expected_share
    basis = words[f"basis_{facts.basis}"]
    if expected >= 1:
        return words["due"]
    done_rate = facts.done * 100 / facts.plan if facts.plan else 0.0
    expected_rate = expected * 100 * facts.realisation
    if at_risk and done_rate < expected_rate:
        return words["behind"] % {"d": done_rate, "b": basis, "e": expected_rate}
    return words["pace"] % {"b": basis, "s": expected * 100}


@dataclass(frozen=True)
class Outcome:
    """Each row's forecast as it is shown and added up: the year-end, the estimate by its own months
    alone and the one by the plan alone in whole cents, and the forecast rate in tenths of a percent."""

    forecast_cents: Ints
    own_cents: Ints
    by_plan_cents: Ints
    tenths: Ints


def outcome(rows: Rows, result: Result) -> Outcome:
    forecast_cents = cents_of(result.forecast)
    return Outcome(
        forecast_cents,
        cents_of(result.by_own),
        cents_of(result.by_plan),
        rates_in_tenths(forecast_cents, rows.plan_cents),
    )


def risk_tenths(threshold: Decimal) -> int:
    """A rate below `threshold` (%), in whole tenths: below the threshold's tenths rounded up."""
    return math.ceil(threshold * 10)


@dataclass(frozen=True)
class Totals:
    """A scope's rows added up: how many, how many at risk, the amounts in whole cents (annual plan,
    completed, the year-end forecast and its two estimates) and the year-to-date at the end of each
    month so far."""

    count: int
    at_risk: int
    plan_cents: int
    completed_cents: int
    forecast_cents: int
    own_cents: int
    by_plan_cents: int
    ytd_cents: list[int]


def listed_row(
    project_id: int,
    code: str,
    name: str,
    plan_cents: int,
    completed_cents: int,
    forecast_cents: int,
    tenths: int,
    at_risk: bool,
    reason: str,
) -> dict[str, Any]:
    """A project as the forecast lists it."""
    return {
        "id": project_id,
        "code": code,
        "name": name,
        "annual_plan": from_cents(plan_cents),
        "completed": from_cents(completed_cents),
        "forecast": from_cents(forecast_cents),
        "forecast_rate": Decimal(int(tenths)).scaleb(-1) if plan_cents > 0 else None,
        "at_risk": at_risk,
        "reason": reason,
    }


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

    Without `entries` the forecast of a scope the summary serves is read from it (forecast.cells),
    unless another process is rebuilding it this very moment; else, and for `entries` given, it is
    worked out here from the tables.
    """
    scope = scope or Scope()
    if entries is None:
        from forecast import cells

        kept = cells.scope_forecast(year, month, scope, limit=limit, at_risk_only=at_risk_only, below=below)
        if kept is not None:
            return kept
        entries = scope_entries(year, scope)
    window = settings.FORECAST_HISTORY_YEARS
    history = History.read(year, window)
    profiles = history.profiles(year)
    rows = read_rows(entries, year, month, profiles)
    result = forecast_projects(rows.projects, month, settings.FORECAST_STALL_MONTHS)
    made = outcome(rows, result)
    threshold = risk_threshold()
    tenths = made.tenths
    planned = rows.plan_cents > 0
    at_risk = planned & (tenths < risk_tenths(threshold))
    listed = at_risk if at_risk_only else np.ones(len(rows.ids), dtype=bool)
    if below is not None:
        listed = listed & planned & (tenths < risk_tenths(below))
    chosen = np.flatnonzero(listed)
    if limit is not None and len(chosen) > limit:
        # Only the rows whose rate is among the `limit` lowest can be listed; ties on the cut-off
        # rate are kept for the exact order below to settle.
        cutoff = np.partition(tenths[chosen], limit - 1)[limit - 1]
        chosen = chosen[tenths[chosen] <= cutoff]
    # Worst rate first, then by name, then in the order read (by name and id).
    rank, names = tenths.tolist(), rows.names
    order = sorted(chosen.tolist(), key=lambda i: (rank[i], names[i], rows.ids[i]))
    if limit is not None:
        order = order[:limit]
    words = reason_words()
    projects = [
        listed_row(
            rows.ids[i],
            rows.codes[i],
            rows.names[i],
            int(rows.plan_cents[i]),
            int(rows.completed_cents[i]),
            int(made.forecast_cents[i]),
            int(tenths[i]),
            bool(at_risk[i]),
            reason_for(facts_of(i, rows, result), bool(at_risk[i]), words),
        )
        for i in order
    ]
    ytd = exact_cents(rows.projects.ytd[:, :month]).sum(axis=0) if month else np.zeros(0, dtype=np.int64)
    totals = Totals(
        count=len(rows.ids),
        at_risk=int(np.count_nonzero(at_risk)),
        plan_cents=int(np.sum(rows.plan_cents)),
        completed_cents=int(np.sum(rows.completed_cents)),
        forecast_cents=int(np.sum(made.forecast_cents)),
        own_cents=int(np.sum(made.own_cents)),
        by_plan_cents=int(np.sum(made.by_plan_cents)),
        ytd_cents=[int(value) for value in ytd.tolist()],
    )
    # The past months are read only when there is a rest of the year to put a range on.
    past = scope_series(year, scope, window, history) if month < 12 and totals.count else np.zeros(0)
    return {
        "period": {"year": year, "month": month},
        "threshold": threshold,
        "projects": projects,
        "total": portfolio_total(totals, portfolio_spread(month, totals, past)),
        "profile_years": profiles.years,
    }


def portfolio_total(totals: Totals, spread: Spread | None) -> dict[str, Any]:
    """The scope's totals: annual plan, completed and the year-end forecast (exact, the sums of the
    projects'), and the forecast's range."""
    annual_plan = from_cents(totals.plan_cents)
    completed = from_cents(totals.completed_cents)
    total_forecast = from_cents(totals.forecast_cents)
    low, high, method = year_end_range(
        totals.forecast_cents / 100,
        totals.completed_cents / 100,
        totals.own_cents / 100,
        totals.by_plan_cents / 100,
        spread,
    )
    low_amount, high_amount = money(low), money(high)
    return {
        "count": totals.count,
        "at_risk": totals.at_risk,
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


def year_end_range(
    point: float, done: float, own: float, plan: float, spread: Spread | None
) -> tuple[float, float, str]:
    """The portfolio's year-end range, from its forecast (`point`), what is done and the two
    estimates the forecasts weigh (their own months alone, the plan alone): what is done plus the
    rest of the year stretched by the seasonal model's spread ("ets"); without one, between those
    estimates ("bracket"), or nothing left to forecast ("none")."""
    remaining = max(point - done, 0.0)
    if spread is not None:
        return done + remaining * spread.low, done + remaining * spread.high, spread.method
    if remaining <= 0 and own <= point and plan <= point:
        return point, point, "none"
    return min(own, plan, point), max(own, plan, point), "bracket"


def portfolio_spread(month: int, totals: Totals, past: Floats) -> Spread | None:
    """The spread of the rest of the year from the scope's monthly series (`past` years, then this
    year's months so far), or None without two years of it."""
    if month >= 12 or not totals.count:
        return None
    this_year = increments(np.array(totals.ytd_cents, dtype=np.float64) / 100) if month else np.zeros(0)
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
            low, high, _method = year_end_range(
                float(predicted.sum()),
                float(result.done.sum()),
                float(result.by_own.sum()),
                float(result.by_plan.sum()),
                spread,
            )
            tally.covered += int(low - 0.005 <= actual_total <= high + 0.005)
    return {"years": judged, "months": [errors[month].row(month) for month in range(1, 12)]}
