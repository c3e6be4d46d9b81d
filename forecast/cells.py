"""年度目标预测's summary: `ForecastRow`s holding each plan entry's year-end forecast at the end of a
month, so that a scope's forecast is a few statements over its rows rather than every project
of the scope read and forecast on each request (about a second for a province's registry).

A month's rows are built whole the first time its forecast is asked for (`ForecastBuild` says
which months are kept), by the same arithmetic as the forecast from the tables
(forecast.compute), and then kept current with the tables:

- triggers mark the (year, responsible unit, owner unit) a write touches in `ForecastStale`, with
  the figures' trigger statements (figures.triggers): plan entries, year rows, projects whose name,
  category, units, status or completion date change, and plans whose year changes. A read
  rebuilds the rows of what is marked first, for every month kept of the year;
- the profiles a year's forecasts follow come from the past years: a mark in a past year checks
  the digest of the profiles of the years kept after it, and builds a year again whole when its
  profiles changed;
- a build records the settings and the plans in force of its past years, and whether its year
  was the year under way (a suspension speaks for that year only); a read that finds any of them
  changed builds the month again whole.

A scope cut by 投资性质, size or a named list, or a forecast of given entries (one project's page),
is worked out from the tables.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from figures import cells as figure_cells
from figures import triggers as figure_triggers
from figures.summary import Summary
from forecast.compute import (
    Facts,
    Totals,
    listed_row,
    outcome,
    portfolio_spread,
    portfolio_total,
    read_rows,
    reason_for,
    reason_words,
    risk_tenths,
    risk_threshold,
)
from forecast.history import History, Profiles, scope_series
from forecast.model import forecast_projects
from forecast.models import MONTH_FIELDS, ForecastBuild, ForecastRow, ForecastStale
from org.models import among
from org.models import subtree as unit_subtree
from plans.models import Plan, PlanEntry
from plans.scope import Scope
from projects.choices import ProjectStatus
from projects.models import Project
from projects.querysets import project_scope

ROWS = ForecastRow._meta.db_table
BUILDS = ForecastBuild._meta.db_table
STALE = ForecastStale._meta.db_table
PROJECTS = Project._meta.db_table
# The advisory lock a rebuild takes on PostgreSQL (a number of the application's own choosing).
REFRESH_LOCK = 7_202_621
# Rows written a statement at a time when a month is built.
BATCH = 2_000

UNIT = "COALESCE(p.responsible_unit_id, 0)"
OWNER = "COALESCE(p.owner_unit_id, 0)"
# As figures.triggers.SOURCES: the marks of each table's changed row `{r}`.
SOURCES: dict[str, figure_triggers.Source] = {
    "plans_planentry": (
        "pl.year",
        UNIT,
        OWNER,
        "plans_plan pl, projects_project p",
        "pl.id = {r}.plan_id AND p.id = {r}.project_id",
        None,
    ),
    "progress_yearprogress": (
        "{r}.year",
        UNIT,
        OWNER,
        "projects_project p",
        "p.id = {r}.project_id",
        None,
    ),
    "projects_project": (
        "pl.year",
        "COALESCE({r}.responsible_unit_id, 0)",
        "COALESCE({r}.owner_unit_id, 0)",
        "plans_planentry e, plans_plan pl",
        "e.project_id = {r}.id AND pl.id = e.plan_id",
        [
            "name",
            "code",
            "category_id",
            "responsible_unit_id",
            "town_id",
            "owner_unit_id",
            "status",
            "actual_completion_date",
        ],
    ),
    "plans_plan": (
        "{r}.year",
        UNIT,
        OWNER,
        "plans_planentry e, projects_project p",
        "e.plan_id = {r}.id AND p.id = e.project_id",
        ["year"],
    ),
}
# A project has no entry when it is inserted, and its entries go before it.
EVENTS = {
    "plans_planentry": ("INSERT", "UPDATE", "DELETE"),
    "progress_yearprogress": ("INSERT", "UPDATE", "DELETE"),
    "projects_project": ("UPDATE",),
    "plans_plan": ("UPDATE",),
}
LOCKED = {
    "plans_planentry": "SELECT project_id FROM {rows}",
    "progress_yearprogress": "SELECT project_id FROM {rows}",
    "plans_plan": "SELECT e.project_id FROM {rows} r JOIN plans_planentry e ON e.plan_id = r.id",
}
PREFIX = "forecast_stale"


def mark_all(connection: Any = default_connection) -> None:
    """Forget every month kept, so that the next read of each builds it again whole."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ROWS}")
        cursor.execute(f"DELETE FROM {BUILDS}")


def digest(parts: Iterable[Any]) -> str:
    """A short fingerprint of `parts` (numbers, arrays, lists of them), the same for the same values."""
    hashed = hashlib.sha256()
    for part in parts:
        if isinstance(part, np.ndarray):
            hashed.update(np.ascontiguousarray(part, dtype=np.float64).tobytes())
        else:
            hashed.update(repr(part).encode())
        hashed.update(b"|")
    return hashed.hexdigest()


def plans_key(year: int) -> str:
    """The plans in force of the years whose past the forecasts of `year` follow."""
    window = settings.FORECAST_HISTORY_YEARS
    plans = Plan.objects.in_force().filter(year__gte=year - window, year__lt=year)
    return digest(sorted(plans.values_list("year", "pk", "level")))


@dataclass(frozen=True)
class Grounds:
    """What the forecasts of a year follow besides the year's own rows: the settings, whether it is
    the year under way, the plans in force before it, the past years' profiles, and the whole
    district's months over those years."""

    current: bool
    stall_months: int
    history_years: int
    plans_key: str

    @classmethod
    def now(cls, year: int) -> "Grounds":
        return cls(
            current=year == timezone.localdate().year,
            stall_months=settings.FORECAST_STALL_MONTHS,
            history_years=settings.FORECAST_HISTORY_YEARS,
            plans_key=plans_key(year),
        )

    def hold_for(self, build: ForecastBuild) -> bool:
        return (
            build.current == self.current
            and build.stall_months == self.stall_months
            and build.history_years == self.history_years
            and build.plans_key == self.plans_key
        )


@dataclass(frozen=True)
class Past:
    """The past years a year's forecasts follow: their profiles, with a digest of them, and the
    whole district's completed investment month by month over them."""

    profiles: Profiles
    series: list[float]
    key: str

    @classmethod
    def of(cls, year: int) -> "Past":
        window = settings.FORECAST_HISTORY_YEARS
        history = History.read(year, window)
        profiles = history.profiles(year)
        series = [float(value) for value in scope_series(year, Scope(), window, history).tolist()]
        parts: list[Any] = [profiles.years, series]
        for found in (profiles.by_category, profiles.by_unit):
            for key in sorted(found):
                parts += [key, found[key].shares, found[key].realisation]
        if profiles.portfolio is not None:
            parts += [profiles.portfolio.shares, profiles.portfolio.realisation]
        return cls(profiles, series, digest(parts))


def rebuilt_projects(year: int, units: Iterable[int], owners: Iterable[tuple[int, int]]) -> tuple[Q, Q]:
    """For marks of whole `units` and of (unit, owner) pairs: the condition on entries of the
    projects they name now, and on rows of what they named (a project moved or an entry gone)."""
    whole = sorted(set(units))
    pairs = sorted({(unit, owner) for unit, owner in owners if unit not in whole})
    conditions, params, _cells = figure_cells.whole_units(year, whole)
    named = [Q(unit_id__in=whole)] if whole else []
    for unit, owner in pairs:
        condition, owner_params = figure_cells.owner_projects(unit, owner)
        conditions.append(condition)
        params += owner_params
        named.append(Q(unit_id=unit, owner_unit_id=owner or None))
    if not conditions:
        return Q(pk__in=[]), Q(pk__in=[])
    projects = RawSQL(f"SELECT rp.id FROM {PROJECTS} rp WHERE {' OR '.join(conditions)}", params)
    return Q(project_id__in=projects), Q(project_id__in=projects) | Q(*named, _connector=Q.OR)


def write_rows(build: ForecastBuild, profiles: Profiles, entries: QuerySet[PlanEntry]) -> int:
    """Forecast `entries` at the end of the build's month, as forecast.compute does, and write their
    rows; returns how many."""
    year, month = build.year, build.month
    rows = read_rows(entries, year, month, profiles, current=build.current)
    result = forecast_projects(rows.projects, month, build.stall_months)
    made = outcome(rows, result)
    ytd = np.rint(rows.projects.ytd * 100).astype(np.int64)
    keys = rows.keys
    statuses = rows.statuses
    objects = [
        ForecastRow(
            year=year,
            month=month,
            plan_id=keys["plan_id"][i],
            counted=keys["counted"][i],
            project_id=rows.ids[i],
            name=rows.names[i],
            code=rows.codes[i],
            category_id=keys["category_id"][i],
            plan_type=keys["plan_type"][i],
            unit_id=keys["unit_id"][i],
            town_id=keys["town_id"][i],
            owner_unit_id=keys["owner_unit_id"][i],
            plan_cents=int(rows.plan_cents[i]),
            completed_cents=int(rows.completed_cents[i]),
            forecast_cents=int(made.forecast_cents[i]),
            own_cents=int(made.own_cents[i]),
            by_plan_cents=int(made.by_plan_cents[i]),
            tenths=int(made.tenths[i]),
            kind=int(result.kind[i]),
            idle=int(result.idle[i]),
            expected_share=float(result.expected_share[i]),
            basis=int(rows.projects.basis[i]),
            realisation=float(rows.projects.realisation[i]),
            active_from=int(rows.projects.active_from[i]),
            cancelled=statuses[i] == ProjectStatus.CANCELLED,
            **{field: int(ytd[i, m]) for m, field in enumerate(MONTH_FIELDS)},
        )
        for i in range(len(rows.ids))
    ]
    ForecastRow.objects.bulk_create(objects, batch_size=BATCH)
    return len(objects)


def year_entries(year: int) -> QuerySet[PlanEntry]:
    """Every entry of the plans of `year` (in force or not: a read keeps those in force)."""
    return PlanEntry.objects.filter(plan_id__in=Plan.objects.filter(year=year).values("pk"))


def build_whole(year: int, month: int, grounds: Grounds, past: Past) -> ForecastBuild:
    """The month's rows built whole, and its build recorded afresh."""
    ForecastRow.objects.filter(year=year, month=month).delete()
    ForecastBuild.objects.filter(year=year, month=month).delete()
    build = ForecastBuild.objects.create(
        year=year,
        month=month,
        current=grounds.current,
        stall_months=grounds.stall_months,
        history_years=grounds.history_years,
        plans_key=grounds.plans_key,
        profiles_key=past.key,
        profile_years=past.profiles.years,
        series=past.series,
    )
    write_rows(build, past.profiles, year_entries(year))
    return build


def rebuild(year: int, units: Iterable[int] | None = None, owners: Iterable[tuple[int, int]] = ()) -> int:
    """Build again the rows of `year`'s months kept: all of them when `units` is None, else those of
    `units` and of the (unit, owner) pairs of `owners`, or the whole month when its profiles
    changed; and build again whole the months of the years after it whose profiles its change
    moved. Returns the months rebuilt whole or in part."""
    done = 0
    window = settings.FORECAST_HISTORY_YEARS
    later = ForecastBuild.objects.filter(year__gt=year, year__lte=year + window).order_by("year", "month")
    for build in later:
        past = Past.of(build.year)
        if past.key != build.profiles_key:
            build_whole(build.year, build.month, Grounds.now(build.year), past)
            done += 1
    builds = list(ForecastBuild.objects.filter(year=year).order_by("month"))
    if not builds:
        return done
    past = Past.of(year)
    grounds = Grounds.now(year)
    for build in builds:
        if units is None or past.key != build.profiles_key or not grounds.hold_for(build):
            build_whole(year, build.month, grounds, past)
        else:
            entries_of, rows_of = rebuilt_projects(year, units, owners)
            ForecastRow.objects.filter(rows_of, year=year, month=build.month).delete()
            write_rows(build, past.profiles, year_entries(year).filter(entries_of))
        done += 1
    return done


SUMMARY = Summary(
    name="年度目标预测",
    cells=ForecastRow,
    stale=ForecastStale,
    sources=SOURCES,
    events=EVENTS,
    locked=LOCKED,
    prefix=PREFIX,
    lock=REFRESH_LOCK,
    rebuild=rebuild,
    years=lambda: ForecastBuild.objects.values_list("year", flat=True),
)
statements = SUMMARY.statements
refresh = SUMMARY.refresh
rebuild_all = SUMMARY.rebuild_all


def kept(year: int, month: int) -> ForecastBuild | None:
    """The month's build, current with the tables: the marks of its year and of the past years its
    profiles come from rebuilt, and the month built whole when it is not kept yet or what it
    followed changed. None when another process is rebuilding the forecasts this very moment
    (PostgreSQL): the caller works the forecast out from the tables instead of queueing."""
    window = settings.FORECAST_HISTORY_YEARS
    stale = ForecastStale.objects.filter(year__gte=year - window, year__lte=year)
    grounds = Grounds.now(year)
    build = ForecastBuild.objects.filter(year=year, month=month).first()
    if build is not None and grounds.hold_for(build) and not stale.exists():
        return build
    with transaction.atomic():
        if not SUMMARY.take_lock(wait=False):
            return None
        SUMMARY.rebuild_marked(stale)
        build = ForecastBuild.objects.filter(year=year, month=month).first()
        if build is None or not grounds.hold_for(build):
            build = build_whole(year, month, grounds, Past.of(year))
    return build


def scope_rows(year: int, month: int, scope: Scope) -> QuerySet[ForecastRow]:
    """The month's rows of the scope's entries: of the plans in force of its level, a project once
    when several are, narrowed by the user's data scope (as projects.querysets.project_scope
    narrows projects), unit, town, category and plan type."""
    plans = Plan.objects.in_force().filter(year=year)
    if scope.level:
        plans = plans.filter(level=scope.level)
    in_force = list(plans.values_list("pk", flat=True))
    rows = ForecastRow.objects.filter(year=year, month=month, plan_id__in=in_force)
    if len(in_force) > 1:
        rows = rows.filter(counted=True)
    user = scope.user
    if user is not None and project_scope(user) is not None:
        unit = user.unit if user.is_authenticated and user.is_active else None
        if unit is None:
            return rows.none()
        subtree = unit_subtree(unit.path)
        rows = rows.filter(among("unit_id", subtree) | among("owner_unit_id", subtree))
    return figure_cells.cut(rows, scope)


def scope_forecast(
    year: int,
    month: int,
    scope: Scope,
    *,
    limit: int | None = None,
    at_risk_only: bool = False,
    below: Decimal | None = None,
) -> dict[str, Any] | None:
    """forecast.compute.forecast() of the scope, read from its rows; None when the summary does not
    serve the scope (cut by nature, size or a list) or cannot be read at once."""
    if scope.cuts_projects:
        return None
    build = kept(year, month)
    if build is None:
        return None
    rows = scope_rows(year, month, scope)
    threshold = risk_threshold()
    risky = Q(tenths__lt=risk_tenths(threshold))
    added = rows.aggregate(
        plan=Sum("plan_cents", default=0),
        completed=Sum("completed_cents", default=0),
        forecast=Sum("forecast_cents", default=0),
        own=Sum("own_cents", default=0),
        by_plan=Sum("by_plan_cents", default=0),
        **{f"m{m}": Sum(field, default=0) for m, field in enumerate(MONTH_FIELDS[:month], start=1)},
    )
    count = rows.count()
    at_risk = rows.filter(risky).count()
    totals = Totals(
        count=count,
        at_risk=at_risk,
        plan_cents=int(added["plan"]),
        completed_cents=int(added["completed"]),
        forecast_cents=int(added["forecast"]),
        own_cents=int(added["own"]),
        by_plan_cents=int(added["by_plan"]),
        ytd_cents=[int(added[f"m{m}"]) for m in range(1, month + 1)],
    )
    listed = rows.filter(risky) if at_risk_only else rows
    if below is not None:
        listed = listed.filter(tenths__lt=risk_tenths(below))
    listed = listed.order_by("tenths", "name", "project_id")
    if limit is not None:
        listed = listed[:limit]
    words = reason_words()
    cut = risk_tenths(threshold)
    projects = []
    for row in listed:
        at_risk_row = row.tenths < cut
        facts = Facts(
            kind=row.kind,
            cancelled=row.cancelled,
            idle=row.idle,
            active_from=row.active_from,
            expected_share=row.expected_share,
            basis=row.basis,
            plan=row.plan_cents / 100,
            done=row.completed_cents / 100,
            realisation=row.realisation,
        )
        projects.append(
            listed_row(
                row.project_id,
                row.code,
                row.name,
                row.plan_cents,
                row.completed_cents,
                row.forecast_cents,
                row.tenths,
                at_risk_row,
                reason_for(facts, at_risk_row, words),
            )
        )
    if month < 12 and count:
        whole = not scope.narrowed
        window = settings.FORECAST_HISTORY_YEARS
        past = (
            np.array(build.series, dtype=np.float64)
            if whole
            else scope_series(year, scope, window, History({}, {}))
        )
    else:
        past = np.zeros(0)
    return {
        "period": {"year": year, "month": month},
        "threshold": threshold,
        "projects": projects,
        "total": portfolio_total(totals, portfolio_spread(month, totals, past)),
        "profile_years": list(build.profile_years),
    }
