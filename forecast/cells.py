"""年度目标预测's summary: `ForecastRow`s holding each plan entry's year-end forecast at the end of a
month, so that a scope's forecast is a few statements over its rows rather than every project
of the scope read and forecast on each request (about a second for a province's registry).

A month's rows, and its `ForecastCell`s adding them up per the figures' cell keys (so that
figures.cells.visible_cells reads them for every persona), are built whole the first time its
forecast is asked for (`ForecastBuild` says which months are kept, the latest KEPT_MONTHS of a
year), by the same arithmetic as the forecast from the tables (forecast.compute), and then kept
current with the tables:

- triggers mark the (year, responsible unit, owner unit) a write touches in `ForecastStale`, with
  the figures' trigger statements (figures.triggers): plan entries, year rows, projects whose name,
  category, units, status or completion date change, and plans whose year changes. A read
  rebuilds the rows of what is marked first, for every month kept of the year;
- the profiles a year's forecasts follow come from the past years: a mark in a past year checks
  the digest of the profiles of the years kept after it, and builds a year again whole when its
  profiles changed;
- a build records the settings, the plans in force of the past years, the arithmetic's edition
  (ARITHMETIC) and whether its year was the year under way (a suspension speaks for that year only); a read that finds any of them
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
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate
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
from forecast.models import MONTH_FIELDS, ForecastBuild, ForecastCell, ForecastRow, ForecastStale
from lib.sql import analyze_table
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
# The arithmetic's edition: a release that changes how a forecast is worked out raises it, and the
# months kept are built again.
ARITHMETIC = 1
# A scope of this many rows or more is listed by walking the rows in the list's order (SQLite).
WALK_FROM = 1_000
# The months of a year kept at most: the latest built.
KEPT_MONTHS = 3
# A build writing more rows than this refreshes the planner's statistics of the rows and cells.
ANALYZE_AFTER = 20_000

# The figures' trigger statements (figures.triggers.SOURCES) for the tables the rows come from;
# of a project, only the fields a forecast shows or follows.
SOURCES: dict[str, figure_triggers.Source] = {
    **{
        table: figure_triggers.SOURCES[table]
        for table in ("plans_planentry", "progress_yearprogress", "plans_plan")
    },
    "projects_project": (
        *figure_triggers.SOURCES["projects_project"][:5],
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
}
# A project has no entry when it is inserted, and its entries go before it.
EVENTS = {
    "plans_planentry": ("INSERT", "UPDATE", "DELETE"),
    "progress_yearprogress": ("INSERT", "UPDATE", "DELETE"),
    "projects_project": ("UPDATE",),
    "plans_plan": ("UPDATE",),
}
LOCKED = {
    table: figure_triggers.LOCKED[table]
    for table in ("plans_planentry", "progress_yearprogress", "plans_plan")
}
PREFIX = "forecast_stale"


def mark_all(connection: Any = default_connection) -> None:
    """Forget every month kept, so that the next read of each builds it again whole."""
    with connection.cursor() as cursor:
        for table in (ROWS, ForecastCell._meta.db_table, BUILDS):
            cursor.execute(f"DELETE FROM {table}")


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


@dataclass(frozen=True)
class Grounds:
    """What the forecasts of a year follow besides the tables' rows and the past years' profiles
    (Past), each cheap to read: whether it is the year under way, the settings, and the plans in
    force of the years before it."""

    current: bool
    stall_months: int
    risk_tenths: int
    history_years: int
    plans_key: str
    # The past years the profiles come from (forecast.history.History.read): the latest
    # FORECAST_HISTORY_YEARS with plans in force, not always the years just before.
    past_years: list[int]

    @classmethod
    def now(cls, year: int) -> "Grounds":
        plans = sorted(Plan.objects.in_force().filter(year__lt=year).values_list("year", "pk", "level"))
        window = settings.FORECAST_HISTORY_YEARS
        years = sorted({plan_year for plan_year, _pk, _level in plans})
        return cls(
            current=year == timezone.localdate().year,
            stall_months=settings.FORECAST_STALL_MONTHS,
            risk_tenths=risk_tenths(risk_threshold()),
            history_years=window,
            plans_key=digest([ARITHMETIC, *plans]),
            past_years=years[-window:] if window > 0 else [],
        )

    def hold_for(self, build: ForecastBuild) -> bool:
        return (
            build.current == self.current
            and build.stall_months == self.stall_months
            and build.risk_tenths == self.risk_tenths
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


ROW_COLUMNS = [
    "year",
    "month",
    "plan_id",
    "counted",
    "project_id",
    "name",
    "code",
    "category_id",
    "plan_type",
    "unit_id",
    "town_id",
    "owner_unit_id",
    "plan_cents",
    "completed_cents",
    "forecast_cents",
    "own_cents",
    "by_plan_cents",
    "tenths",
    "kind",
    "idle",
    "expected_share",
    "basis",
    "realisation",
    "active_from",
    "cancelled",
    *MONTH_FIELDS,
]
# What a cell adds up of its rows, and the keys it adds them up by.
AMOUNTS = ["plan_cents", "completed_cents", "forecast_cents", "own_cents", "by_plan_cents", *MONTH_FIELDS]
KEYS = ["plan_id", "counted", "category_id", "plan_type", "unit_id", "town_id"]


def write_rows(build: ForecastBuild, profiles: Profiles, entries: QuerySet[PlanEntry]) -> int:
    """Forecast `entries` at the end of the build's month, as forecast.compute does, and write their
    rows, many to a statement; returns how many."""
    year, month = build.year, build.month
    rows = read_rows(entries, year, month, profiles, current=build.current)
    n = len(rows.ids)
    if not n:
        return 0
    result = forecast_projects(rows.projects, month, build.stall_months)
    made = outcome(rows, result)
    ytd = np.rint(rows.projects.ytd * 100).astype(np.int64)
    keys = rows.keys
    columns: list[list[Any]] = [
        [year] * n,
        [month] * n,
        keys["plan_id"],
        keys["counted"],
        rows.ids,
        rows.names,
        rows.codes,
        keys["category_id"],
        keys["plan_type"],
        keys["unit_id"],
        keys["town_id"],
        keys["owner_unit_id"],
        rows.plan_cents.tolist(),
        rows.completed_cents.tolist(),
        made.forecast_cents.tolist(),
        made.own_cents.tolist(),
        made.by_plan_cents.tolist(),
        made.tenths.tolist(),
        result.kind.tolist(),
        result.idle.tolist(),
        result.expected_share.tolist(),
        rows.projects.basis.tolist(),
        rows.projects.realisation.tolist(),
        rows.projects.active_from.tolist(),
        [status == ProjectStatus.CANCELLED for status in rows.statuses],
        *(ytd[:, m].tolist() for m in range(12)),
    ]
    quote = default_connection.ops.quote_name
    names = ", ".join(quote(column) for column in ROW_COLUMNS)
    values = zip(*columns, strict=True)
    with default_connection.cursor() as cursor:
        if default_connection.vendor == "postgresql":
            # COPY: a month of a province's rows in a second or two, where INSERTs take twenty.
            with cursor.cursor.copy(f"COPY {quote(ROWS)} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            insert = f"INSERT INTO {quote(ROWS)} ({names}) VALUES ({', '.join(['%s'] * len(ROW_COLUMNS))})"
            batch = list(values)
            for first in range(0, n, BATCH):
                cursor.executemany(insert, batch[first : first + BATCH])
    return n


def add_up(build: ForecastBuild, units: list[int] | None) -> None:
    """The month's cells built again from its rows: all of them, or those of `units` (their rows
    per owner, and added up over the owners)."""
    quote = default_connection.ops.quote_name
    where, params = "", []
    cells = ForecastCell.objects.filter(year=build.year, month=build.month)
    if units is not None:
        if not units:
            return
        where = f" AND unit_id IN ({', '.join(['%s'] * len(units))})"
        params = list(units)
        cells = cells.filter(unit_id__in=units)
    cells.delete()
    table = quote(ForecastCell._meta.db_table)
    keys = ", ".join(quote(key) for key in KEYS)
    measures = ["count", "at_risk", *AMOUNTS]
    columns = f"year, month, per_owner, {keys}, owner_unit_id, {', '.join(quote(m) for m in measures)}"
    per_owner = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT year, month, TRUE, {keys}, owner_unit_id, COUNT(*), "
        "SUM(CASE WHEN tenths < %s THEN 1 ELSE 0 END), "
        f"{', '.join(f'SUM({quote(amount)})' for amount in AMOUNTS)} "
        f"FROM {quote(ROWS)} WHERE year = %s AND month = %s{where} "
        f"GROUP BY year, month, {keys}, owner_unit_id"
    )
    over_owners = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT year, month, FALSE, {keys}, NULL, {', '.join(f'SUM({quote(m)})' for m in measures)} "
        f"FROM {table} WHERE year = %s AND month = %s AND per_owner{where} "
        f"GROUP BY year, month, {keys}"
    )
    with default_connection.cursor() as cursor:
        cursor.execute(per_owner, [build.risk_tenths, build.year, build.month, *params])
        cursor.execute(over_owners, [build.year, build.month, *params])


def year_entries(year: int) -> QuerySet[PlanEntry]:
    """Every entry of the plans of `year` (in force or not: a read keeps those in force)."""
    return PlanEntry.objects.filter(plan_id__in=Plan.objects.filter(year=year).values("pk"))


def build_whole(year: int, month: int, grounds: Grounds, past: Past) -> tuple[ForecastBuild, int]:
    """The month's rows built whole, and its build recorded afresh; with the rows written."""
    ForecastRow.objects.filter(year=year, month=month).delete()
    ForecastBuild.objects.filter(year=year, month=month).delete()
    build = ForecastBuild.objects.create(
        year=year,
        month=month,
        current=grounds.current,
        stall_months=grounds.stall_months,
        risk_tenths=grounds.risk_tenths,
        history_years=grounds.history_years,
        plans_key=grounds.plans_key,
        profiles_key=past.key,
        profile_years=past.profiles.years,
        series=past.series,
    )
    written = write_rows(build, past.profiles, year_entries(year))
    add_up(build, None)
    if written > ANALYZE_AFTER:
        analyze_table(ROWS)
        analyze_table(ForecastCell._meta.db_table)
    return build, written


def rebuild(year: int, units: Iterable[int] | None = None, owners: Iterable[tuple[int, int]] = ()) -> int:
    """Build again the rows of `year`'s months kept: all of them when `units` is None, else those of
    `units` and of the (unit, owner) pairs of `owners`, or the whole month when its profiles
    changed; and build again whole the months of the years after it whose profiles its change
    moved. Returns how many rows were written."""
    written = 0
    # A past year may feed the profiles of any later year kept (the years with plans in force are
    # not always consecutive); a handful of months are kept in all.
    pasts: dict[int, Past] = {}
    for build in ForecastBuild.objects.filter(year__gt=year).order_by("year", "month"):
        past = pasts.setdefault(build.year, Past.of(build.year))
        if past.key != build.profiles_key:
            written += build_whole(build.year, build.month, Grounds.now(build.year), past)[1]
    builds = list(ForecastBuild.objects.filter(year=year).order_by("month"))
    if not builds:
        return written
    past = Past.of(year)
    grounds = Grounds.now(year)
    for build in builds:
        if units is None or past.key != build.profiles_key or not grounds.hold_for(build):
            written += build_whole(year, build.month, grounds, past)[1]
        else:
            entries_of, rows_of = rebuilt_projects(year, units, owners)
            gone = ForecastRow.objects.filter(rows_of, year=year, month=build.month)
            touched = {*units, *(unit for unit, _owner in owners), *gone.values_list("unit_id", flat=True)}
            gone.delete()
            written += write_rows(build, past.profiles, year_entries(year).filter(entries_of))
            add_up(build, sorted(touched))
    return written


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
    grounds = Grounds.now(year)
    stale = ForecastStale.objects.filter(year__in=[*grounds.past_years, year])
    build = ForecastBuild.objects.filter(year=year, month=month).first()
    if build is not None and grounds.hold_for(build) and not stale.exists():
        return build
    with transaction.atomic():
        if not SUMMARY.take_lock(wait=False):
            return None
        if stale.exists():
            SUMMARY.rebuild_marked(stale)
        build = ForecastBuild.objects.filter(year=year, month=month).first()
        if build is None or not grounds.hold_for(build):
            build, _written = build_whole(year, month, grounds, Past.of(year))
            forget_beyond(year, build)
    return build


def forget_beyond(year: int, build: ForecastBuild) -> None:
    """Keep `build` and the latest KEPT_MONTHS - 1 others of its year: every month kept is rebuilt
    where a write marks it, and a month-end's saves would otherwise rebuild a dozen months each."""
    others = ForecastBuild.objects.filter(year=year).exclude(pk=build.pk).order_by("-built_at", "-pk")
    months = list(others.values_list("month", flat=True)[KEPT_MONTHS - 1 :])
    if months:
        for model in (ForecastRow, ForecastCell, ForecastBuild):
            model._default_manager.filter(year=year, month__in=months).delete()


def in_force(year: int, scope: Scope) -> list[int]:
    """The plans in force of `year`, of the scope's level."""
    plans = Plan.objects.in_force().filter(year=year)
    if scope.level:
        plans = plans.filter(level=scope.level)
    return list(plans.values_list("pk", flat=True))


def scope_rows(year: int, month: int, scope: Scope, plans: list[int], count: int) -> QuerySet[ForecastRow]:
    """The month's rows of the scope's entries (`count` of them): of the plans `plans`, a project
    once when several, narrowed by the user's data scope (as projects.querysets.project_scope
    narrows projects), unit, town, category and plan type."""
    rows = ForecastRow.objects.filter(year=year, month=month, plan_id__in=plans)
    if len(plans) > 1:
        rows = rows.filter(counted=True)
    user = scope.user
    if user is not None and project_scope(user) is not None:
        unit = user.unit if user.is_authenticated and user.is_active else None
        if unit is None:
            return rows.none()
        subtree = unit_subtree(unit.path)
        if default_connection.vendor != "sqlite":
            rows = rows.filter(among("unit_id", subtree) | among("owner_unit_id", subtree))
        elif count >= WALK_FROM:
            # SQLite, which keeps no statistics of the rows, would find a large scope's rows through
            # the units' indexes and sort them all (a department's 20,000: 40 ms); asked as values,
            # which no index answers, the units leave it the order's index, walked until the page
            # is full.
            rows = rows.alias(unit_value=F("unit_id") + 0, owner_value=F("owner_unit_id") + 0).filter(
                among("unit_value", subtree) | among("owner_value", subtree)
            )
        else:
            # A small scope's rows, each column's own index searched: SQLite answers an OR of two
            # columns otherwise by reading every row of the month.
            found = [
                Q(pk__in=rows.filter(among(field, subtree)).values("pk"))
                for field in ("unit_id", "owner_unit_id")
            ]
            rows = ForecastRow.objects.filter(found[0] | found[1])
    return figure_cells.cut(rows, scope)


def scope_totals(year: int, month: int, scope: Scope, plans: list[int]) -> Totals:
    """The scope's rows added up, from the month's cells."""
    cells = ForecastCell.objects.filter(year=year, month=month, plan_id__in=plans)
    if len(plans) > 1:
        cells = cells.filter(counted=True)
    added = figure_cells.narrowed(cells, scope).aggregate(
        count=Sum("count", default=0),
        at_risk=Sum("at_risk", default=0),
        **{amount: Sum(amount, default=0) for amount in AMOUNTS[:5]},
        **{field: Sum(field, default=0) for field in MONTH_FIELDS[:month]},
    )
    return Totals(
        count=int(added["count"]),
        at_risk=int(added["at_risk"]),
        plan_cents=int(added["plan_cents"]),
        completed_cents=int(added["completed_cents"]),
        forecast_cents=int(added["forecast_cents"]),
        own_cents=int(added["own_cents"]),
        by_plan_cents=int(added["by_plan_cents"]),
        ytd_cents=[int(added[field]) for field in MONTH_FIELDS[:month]],
    )


def row_listed(row: ForecastRow, cut: int, words: dict[str, str]) -> dict[str, Any]:
    """A kept row as forecast.compute.forecast() lists a project, at risk below `cut` tenths."""
    at_risk = row.tenths < cut
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
    return listed_row(
        row.project_id,
        row.code,
        row.name,
        row.plan_cents,
        row.completed_cents,
        row.forecast_cents,
        row.tenths,
        at_risk,
        reason_for(facts, at_risk, words),
    )


def project_forecast(year: int, month: int, project_id: int) -> dict[str, Any] | None:
    """One project's forecast at the end of `month`, as its page's tab shows it: `row`, its
    counted entry of the plans in force listed as forecast.compute.forecast() lists it (None when
    it has none with an annual plan), `threshold` and `profile_years`; read from the kept month
    (which the tables' path would work out reading every past year's profile, half a second at
    100,000 projects). None when the month cannot be read at once."""
    build = kept(year, month)
    if build is None:
        return None
    plans = in_force(year, Scope())
    rows = ForecastRow.objects.filter(year=year, month=month, plan_id__in=plans, project_id=project_id)
    if len(plans) > 1:
        rows = rows.filter(counted=True)
    found = rows.first()
    threshold = risk_threshold()
    if not ForecastBuild.objects.filter(pk=build.pk).exists():
        return None
    return {
        "row": None if found is None else row_listed(found, risk_tenths(threshold), reason_words()),
        "threshold": threshold,
        "profile_years": list(build.profile_years),
    }


def scope_forecast(
    year: int,
    month: int,
    scope: Scope,
    *,
    limit: int | None = None,
    at_risk_only: bool = False,
    below: Decimal | None = None,
) -> dict[str, Any] | None:
    """forecast.compute.forecast() of the scope: its totals from the month's cells, the projects it
    lists from the rows; None when the summary does not serve the scope (cut by nature, size or a
    list) or cannot be read at once."""
    if scope.cuts_projects:
        return None
    build = kept(year, month)
    if build is None:
        return None
    plans = in_force(year, scope)
    totals = scope_totals(year, month, scope, plans)
    count = totals.count
    rows = scope_rows(year, month, scope, plans, count)
    threshold = risk_threshold()
    risky = Q(tenths__lt=risk_tenths(threshold))
    listed = rows.filter(risky) if at_risk_only else rows
    if below is not None:
        listed = listed.filter(tenths__lt=risk_tenths(below))
    # By name as Python compares names (the tables' path sorts there): by code point, which is
    # SQLite's own order and PostgreSQL's under the C collation, whatever the database's locale.
    name = Collate("name", "C") if default_connection.vendor == "postgresql" else F("name")
    listed = listed.order_by("tenths", name, "project_id")
    if limit is not None:
        listed = listed[:limit]
    words = reason_words()
    cut = risk_tenths(threshold)
    # An empty scope has nothing to list.
    projects = [row_listed(row, cut, words) for row in (listed if count else [])]
    if not ForecastBuild.objects.filter(pk=build.pk).exists():
        # Forgotten meanwhile (a fourth month built, a migrate): what was read may be partial.
        return None
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
