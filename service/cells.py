"""分包领导's summary: `LeaderCell` rows adding up the year's plan entries per 分包领导 and per
combination of the keys a scope narrows by, built from the tables and kept current with them.

A cell holds what service.figures.leader_table() adds up over a scope's entries (how many,
年度计划投资, 年度完成投资 at each month's end, the warnings open on their projects), grouped by plan,
counting mark, category, plan type, responsible unit, town, owner unit and leader. Read for a
scope the figures' cells serve (figures.cells.narrowed), they give the figures the tables give,
as long as none is stale.

Triggers mark the (year, responsible unit, owner unit) a write touches in `LeaderStale`, with the
figures' trigger statements (figures.triggers) over the tables the cells come from: plan
entries, year rows, plans whose year changes, projects whose category, units, town or leader
change, and warnings opened, closed, recoloured or moved. The marks are the leader cells' own:
a warnings scan changing thousands of warnings rebuilds these cells (one grouped pass over a
unit's entries), never the figures' far larger ones. `refreshed()` rebuilds what is marked
before the cells are read.
"""

import operator
from collections.abc import Iterable
from datetime import date
from functools import reduce
from typing import Any

from django.db import connection as default_connection
from django.db import transaction
from django.db.models import Q, QuerySet, Sum

from alerts.choices import AlertState, Colour
from alerts.models import Alert
from figures import cells as figure_cells
from figures import triggers as figure_triggers
from figures.cells import narrowed, owner_projects, whole_units
from lib import triggers as lib_triggers
from lib.dates import end_of_day, month_end
from lib.sql import analyze_table
from plans.models import Plan, PlanEntry
from plans.scope import Scope
from progress.models import YearProgress
from projects.models import Project
from service.models import LeaderCell, LeaderStale

CELLS = LeaderCell._meta.db_table
STALE = LeaderStale._meta.db_table
ALERTS = Alert._meta.db_table
MONTHS = range(1, 13)
# The advisory lock a rebuild takes on PostgreSQL (a number of the application's own choosing).
REFRESH_LOCK = 7_202_614
# A rebuild writing more cells than this refreshes the planner's statistics of the cells.
ANALYZE_AFTER = 20_000
KEYS = ["plan_id", "counted", "category_id", "plan_type", "unit_id", "town_id", "owner_unit_id", "leader_id"]
UNIT_KEY = "COALESCE(p.responsible_unit_id, 0)"

ENTRY_YEAR = "pl.year"
UNIT = "COALESCE(p.responsible_unit_id, 0)"
OWNER = "COALESCE(p.owner_unit_id, 0)"
# As figures.triggers.SOURCES: the marks of each table's changed row `{r}`.
SOURCES: dict[str, figure_triggers.Source] = {
    "plans_planentry": (
        ENTRY_YEAR,
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
        ENTRY_YEAR,
        "COALESCE({r}.responsible_unit_id, 0)",
        "COALESCE({r}.owner_unit_id, 0)",
        "plans_planentry e, plans_plan pl",
        "e.project_id = {r}.id AND pl.id = e.plan_id",
        ["category_id", "responsible_unit_id", "town_id", "owner_unit_id", "leader_in_charge_id"],
    ),
    "plans_plan": (
        "{r}.year",
        UNIT,
        OWNER,
        "plans_planentry e, projects_project p",
        "e.plan_id = {r}.id AND p.id = e.project_id",
        ["year"],
    ),
    # A warning counts on its project's entries of every year.
    ALERTS: (
        ENTRY_YEAR,
        UNIT,
        OWNER,
        "projects_project p, plans_planentry e, plans_plan pl",
        "p.id = {r}.project_id AND e.project_id = p.id AND pl.id = e.plan_id",
        ["project_id", "state", "colour", "opened_on", "closed_at"],
    ),
}
EVENTS = {
    "plans_planentry": ("INSERT", "UPDATE", "DELETE"),
    "progress_yearprogress": ("INSERT", "UPDATE", "DELETE"),
    # A project's entries may go in before it within a transaction (the foreign keys are checked
    # at commit): their marks, read through the project, are then written by its own insert.
    "projects_project": ("INSERT", "UPDATE"),
    "plans_plan": ("UPDATE",),
    ALERTS: ("INSERT", "UPDATE", "DELETE"),
}
LOCKED = {
    "plans_planentry": "SELECT project_id FROM {rows}",
    "progress_yearprogress": "SELECT project_id FROM {rows}",
    "plans_plan": "SELECT e.project_id FROM {rows} r JOIN plans_planentry e ON e.plan_id = r.id",
    ALERTS: "SELECT project_id FROM {rows}",
}
PREFIX = "leader_stale"


def statements(connection: Any) -> tuple[list[str], list[str]]:
    if connection.vendor == "postgresql":
        return figure_triggers.postgresql_sql(SOURCES, EVENTS, STALE, PREFIX, LOCKED)
    return figure_triggers.sqlite_sql(SOURCES, EVENTS, STALE, PREFIX)


def install(connection: Any = default_connection) -> None:
    lib_triggers.install(connection, statements)


def remove(connection: Any = default_connection) -> None:
    lib_triggers.remove(connection, statements)


def mark_all(connection: Any = default_connection) -> None:
    """Mark every (year, unit) that has entries, so that the next read builds its cells."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STALE} (year, unit_id) SELECT DISTINCT pl.year, {UNIT} "
            "FROM plans_planentry e JOIN plans_plan pl ON pl.id = e.plan_id "
            "JOIN projects_project p ON p.id = e.project_id"
        )


def rebuild(year: int, units: Iterable[int] | None = None, owners: Iterable[tuple[int, int]] = ()) -> int:
    """Build the leader cells of `year` again from the tables: all of them when `units` is None,
    else those of `units` and of the (unit, owner) pairs of `owners` (owner 0: the projects
    without an owner unit), with their units' cells added up over the owners; returns how many
    cells were written."""
    quote = default_connection.ops.quote_name
    cells = LeaderCell.objects.filter(year=year)
    where = ""
    where_params: list[Any] = []
    rollup_where, rollup_params = "", []
    if units is not None:
        whole = sorted(set(units))
        pairs = sorted({(unit, owner) for unit, owner in owners if unit not in whole})
        if not whole and not pairs:
            return 0
        # The projects rebuilt, found through the indexes on their units (0: none), then their
        # entries and warnings through the indexes on the project; the year in every term of the
        # cells taken away, so that each is found through the index on (year, unit).
        conditions, where_params, stale = whole_units(year, whole)
        for unit, owner in pairs:
            condition, params = owner_projects(unit, owner)
            conditions.append(condition)
            where_params += params
            stale.append(Q(year=year, unit_id=unit, per_owner=True, owner_unit_id=owner or None))
        touched = sorted(set(whole) | {unit for unit, _owner in pairs})
        stale.append(Q(year=year, unit_id__in=touched, per_owner=False))
        cells = LeaderCell.objects.filter(reduce(operator.or_, stale))
        where = (
            f" AND {{}}.project_id IN (SELECT rp.id FROM {quote(Project._meta.db_table)} rp "
            f"WHERE {' OR '.join(conditions)})"
        )
        rollup_where = f" AND unit_id IN ({', '.join(['%s'] * len(touched))})"
        rollup_params = touched
    cells.delete()
    keys = [
        "e.plan_id",
        "e.counted",
        "p.category_id",
        "e.plan_type",
        UNIT_KEY,
        "p.town_id",
        "p.owner_unit_id",
        "p.leader_in_charge_id",
    ]

    # The warnings of each project whose entries are rebuilt, added up once per project: open by
    # colour, and lit this year and closed by each month's end (`closed_at` compared with the end
    # of the month's last day, as a moment stored as the database stores it).
    count = "SUM(CASE WHEN {} THEN 1 ELSE 0 END)"
    opened = ["a.opened_on >= %s AND a.opened_on <= %s" for _m in MONTHS]
    warnings = [
        count.format(f"a.state = '{AlertState.OPEN}' AND a.colour = '{Colour.RED}'") + " AS red",
        count.format(f"a.state = '{AlertState.OPEN}' AND a.colour = '{Colour.YELLOW}'") + " AS yellow",
        *(count.format(condition) + f" AS raised_{m}" for m, condition in zip(MONTHS, opened, strict=True)),
        *(
            count.format(f"{condition} AND a.closed_at <= %s") + f" AS closed_{m}"
            for m, condition in zip(MONTHS, opened, strict=True)
        ),
    ]
    first = date(year, 1, 1)
    ends = [month_end(year, m) for m in MONTHS]
    warning_params: list[Any] = [value for end in ends for value in (first, end)]
    for end in ends:
        moment = default_connection.ops.adapt_datetimefield_value(end_of_day(end))
        warning_params += [first, end, moment]
    warned = (
        f"SELECT a.project_id, {', '.join(warnings)} FROM {quote(ALERTS)} a "
        f"WHERE TRUE{where.format('a')} GROUP BY a.project_id"
    )
    sums = [
        "COUNT(*)",
        "COALESCE(SUM(e.annual_investment), 0)",
        *(f"COALESCE(SUM(y.{quote(YearProgress.column(m))}), 0)" for m in MONTHS),
        "COALESCE(SUM(w.red), 0)",
        "COALESCE(SUM(w.yellow), 0)",
        *(f"COALESCE(SUM(w.raised_{m}), 0)" for m in MONTHS),
        *(f"COALESCE(SUM(w.closed_{m}), 0)" for m in MONTHS),
    ]
    measures = [
        "count",
        "annual_plan",
        *(f"ytd_{m}" for m in MONTHS),
        "alerts_red",
        "alerts_yellow",
        *(f"raised_{m}" for m in MONTHS),
        *(f"closed_{m}" for m in MONTHS),
    ]
    columns = ", ".join(quote(column) for column in ["year", "per_owner", *KEYS, *measures])
    table = quote(CELLS)
    sql = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT %s, TRUE, {', '.join(keys)}, {', '.join(sums)} "
        f"FROM {quote(PlanEntry._meta.db_table)} e "
        f"JOIN {quote(Project._meta.db_table)} p ON p.id = e.project_id "
        f"LEFT JOIN {quote(YearProgress._meta.db_table)} y ON y.project_id = p.id AND y.year = %s "
        f"LEFT JOIN ({warned}) w ON w.project_id = p.id "
        f"WHERE e.plan_id IN (SELECT id FROM {quote(Plan._meta.db_table)} WHERE year = %s){where.format('e')} "
        f"GROUP BY {', '.join(keys)}"
    )
    coarse = [key for key in KEYS if key != "owner_unit_id"]
    rollup = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT year, FALSE, {', '.join(coarse[:6])}, NULL, {coarse[6]}, "
        f"{', '.join(f'SUM({quote(measure)})' for measure in measures)} "
        f"FROM {table} WHERE year = %s AND per_owner{rollup_where} "
        f"GROUP BY year, {', '.join(coarse)}"
    )
    with default_connection.cursor() as cursor:
        cursor.execute(sql, [year, year, *warning_params, *where_params, year, *where_params])
        written = cursor.rowcount
        cursor.execute(rollup, [year, *rollup_params])
        written += cursor.rowcount
    if written > ANALYZE_AFTER:
        analyze_table(CELLS)
    return written


def rebuild_marked(stale: QuerySet[LeaderStale]) -> int:
    """Rebuild what the marks of `stale` name, inside the caller's transaction, as the figures'
    marks are read (a year's owners beyond figures.cells.MAX_OWNER_MARKS rebuilt as whole units); returns the
    marks cleared. Only the marks read here are cleared: one committed meanwhile stays for the next."""
    return figure_cells.rebuild_marked(stale, rebuild)


def refreshed(years: Iterable[int]) -> bool:
    """Bring the leader cells of `years` up to date, unless another process is rebuilding them this
    very moment (PostgreSQL): then False at once, and the caller reads the tables instead."""
    stale = LeaderStale.objects.filter(year__in=list(years))
    if not stale.exists():
        return True
    with transaction.atomic():
        if default_connection.vendor == "postgresql":
            with default_connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK])
                if not cursor.fetchone()[0]:
                    return False
        rebuild_marked(stale)
    return True


def refresh() -> int:
    """Rebuild whatever the marks name, waiting for a rebuild elsewhere to finish (PostgreSQL);
    returns the marks cleared (after a seed or an import, rather than on the first page)."""
    stale = LeaderStale.objects.all()
    if not stale.exists():
        return 0
    with transaction.atomic():
        if default_connection.vendor == "postgresql":
            with default_connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        return rebuild_marked(stale)


def rebuild_all() -> int:
    """Every year's leader cells from the tables, and no mark left; returns how many cells."""
    with transaction.atomic():
        if default_connection.vendor == "postgresql":
            with default_connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        LeaderStale.objects.all().delete()
        LeaderCell.objects.all().delete()
        years = set(Plan.objects.values_list("year", flat=True))
        return sum(rebuild(year) for year in sorted(years))


def leader_sums(
    year: int, month: int, scope: Scope, in_force: dict[int, str], leader_id: int | None = None
) -> list[dict[str, Any]]:
    """Per leader (None: the entries without one) of the scope's entries, one per project, or of
    those of the leader `leader_id` alone: entries, 年度计划投资, 年度完成投资 at the end of `month`, open
    red and yellow warnings, added up from the cells. The caller brings them up to date first
    (refreshed())."""
    cells = narrowed(LeaderCell.objects.filter(year=year, plan_id__in=list(in_force)), scope)
    if leader_id is not None:
        cells = cells.filter(leader_id=leader_id)
    if len(in_force) > 1:
        cells = cells.filter(counted=True)
    return list(
        cells.values("leader_id").annotate(
            count=Sum("count"),
            annual_plan=Sum("annual_plan"),
            done=Sum(f"ytd_{month}"),
            red=Sum("alerts_red"),
            yellow=Sum("alerts_yellow"),
        )
    )


# The cell field of each unit an assessment is made by (assessment.providers.Basis.key).
UNIT_FIELDS = {"project__responsible_unit": "unit_id", "project__town": "town_id"}


def warning_closure(year: int, month: int, scope: Scope, key: str) -> dict[int, dict[str, int]]:
    """Per responsible unit or town (`key`) of the scope's entries, one per project: the warnings of
    their projects lit in `year` by the end of `month` (raised) and of those closed by then, from
    the cells (the caller brings them up to date, refreshed()); a project without such a unit is
    left out, and so is a unit none of whose projects' warnings were lit."""
    in_force = dict(Plan.objects.in_force().filter(year=year).values_list("pk", "level"))
    if scope.level:
        in_force = {pk: level for pk, level in in_force.items() if level == scope.level}
    field = UNIT_FIELDS[key]
    cells = narrowed(LeaderCell.objects.filter(year=year, plan_id__in=list(in_force)), scope)
    if len(in_force) > 1:
        cells = cells.filter(counted=True)
    cells = cells.exclude(**{f"{field}__isnull": True}).exclude(**{field: 0})
    return {
        row[field]: {"raised": row["raised"] or 0, "closed": row["closed"] or 0}
        for row in cells.values(field).annotate(raised=Sum(f"raised_{month}"), closed=Sum(f"closed_{month}"))
        if row["raised"]
    }
