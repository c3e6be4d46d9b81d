"""集中开工's summary: `StartCell` rows adding up the year's start memberships per responsible unit
and owner unit, built from the tables and kept current with them.

A page of 集中开工 adds up, for a user's scope, each event's projects, 概算投资 and 年度计划投资, the
year's projects counted once, and those not shown on site by their check date. Read from the
tables, every membership looks up its project, its counted plan entry and its reports: ten
thousand memberships at 100,000 projects. The cells hold those sums per (event, responsible unit,
owner unit, date past which they count as stalled), so a page adds up a few hundred rows.

Triggers mark the (year, responsible unit, owner unit) a write touches in `StartStale`, with the
figures' trigger statements (figures.triggers): memberships, events whose date changes, projects
whose units, status, 概算投资 or start date change, plan entries of a project started that year,
and reports of the periods an event's check window covers. `refreshed()` rebuilds what is marked
before the cells are read. A scope narrowed by anything but the user's data scope (a unit, a town,
a category, a list) reads the tables (starts.querysets).
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection as default_connection
from django.db.models import Count, Q, QuerySet, Sum

from figures import triggers as figure_triggers
from figures.cells import visible_cells
from figures.summary import Summary, cleared, written
from plans.models import Plan, PlanEntry
from progress.models import Report
from projects.choices import ProjectStatus
from projects.models import Project
from starts.models import StartCell, StartEvent, StartEventProject, StartStale
from starts.querysets import COUNTED_REPORT_STATES

CELLS = StartCell._meta.db_table
STALE = StartStale._meta.db_table
MEMBERS = StartEventProject._meta.db_table
EVENTS_TABLE = StartEvent._meta.db_table
# The advisory lock a rebuild takes on PostgreSQL (a number of the application's own choosing).
REFRESH_LOCK = 7_202_615
# A rebuild writing more cells than this refreshes the planner's statistics of the cells.
ZERO = Decimal("0.00")

UNIT = "COALESCE(p.responsible_unit_id, 0)"
OWNER = "COALESCE(p.owner_unit_id, 0)"
# As figures.triggers.SOURCES: the marks of each table's changed row `{r}`, the year being that of
# the events the project was started at.
SOURCES: dict[str, figure_triggers.Source] = {
    MEMBERS: (
        "ev.year",
        UNIT,
        OWNER,
        f"{EVENTS_TABLE} ev, projects_project p",
        "ev.id = {r}.event_id AND p.id = {r}.project_id",
        None,
    ),
    # A new date moves the event's check window, and perhaps its year.
    EVENTS_TABLE: (
        "{r}.year",
        UNIT,
        OWNER,
        f"{MEMBERS} m, projects_project p",
        "m.event_id = {r}.id AND p.id = m.project_id",
        ["year", "check_by", "first_report_seq", "last_report_seq"],
    ),
    "projects_project": (
        "ev.year",
        "COALESCE({r}.responsible_unit_id, 0)",
        "COALESCE({r}.owner_unit_id, 0)",
        f"{MEMBERS} m, {EVENTS_TABLE} ev",
        "m.project_id = {r}.id AND ev.id = m.event_id",
        ["responsible_unit_id", "owner_unit_id", "status", "total_investment", "actual_start_date"],
    ),
    # 年度计划投资 is the project's counted entry of the event's year.
    "plans_planentry": (
        "ev.year",
        UNIT,
        OWNER,
        f"plans_plan pl, projects_project p, {MEMBERS} m, {EVENTS_TABLE} ev",
        "pl.id = {r}.plan_id AND p.id = {r}.project_id AND m.project_id = {r}.project_id "
        "AND ev.id = m.event_id AND ev.year = pl.year",
        ["plan_id", "project_id", "annual_investment", "counted"],
    ),
    # A report shows work on site for the events whose check window holds its period.
    "progress_report": (
        "ev.year",
        UNIT,
        OWNER,
        f"projects_project p, {MEMBERS} m, {EVENTS_TABLE} ev",
        "p.id = {r}.project_id AND m.project_id = {r}.project_id AND ev.id = m.event_id "
        "AND {r}.seq >= ev.first_report_seq AND {r}.seq <= ev.last_report_seq",
        ["project_id", "seq", "state", "amount"],
    ),
}
# A project is inserted with no membership; its memberships, entries and reports go before it is
# deleted, and an event's memberships before the event.
EVENTS = {
    MEMBERS: ("INSERT", "UPDATE", "DELETE"),
    EVENTS_TABLE: ("UPDATE",),
    "projects_project": ("UPDATE",),
    "plans_planentry": ("INSERT", "UPDATE", "DELETE"),
    "progress_report": ("INSERT", "UPDATE", "DELETE"),
}
LOCKED = {
    MEMBERS: "SELECT project_id FROM {rows}",
    EVENTS_TABLE: f"SELECT m.project_id FROM {{rows}} r JOIN {MEMBERS} m ON m.event_id = r.id",
    "plans_planentry": "SELECT project_id FROM {rows}",
    "progress_report": "SELECT project_id FROM {rows}",
}
PREFIX = "start_stale"


def mark_all(connection: Any = default_connection) -> None:
    """Mark every (year, unit) that has memberships, so that the next read builds its cells."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STALE} (year, unit_id) SELECT DISTINCT ev.year, {UNIT} "
            f"FROM {MEMBERS} m JOIN {EVENTS_TABLE} ev ON ev.id = m.event_id "
            "JOIN projects_project p ON p.id = m.project_id"
        )


def rebuild(year: int, units: Iterable[int] | None = None, owners: Iterable[tuple[int, int]] = ()) -> int:
    """Build the start cells of `year` again from the tables: all of them when `units` is None,
    else those of `units` and of the (unit, owner) pairs of `owners` (owner 0: the projects
    without an owner unit), with their units' cells added up over the owners; returns how many
    cells were written."""
    quote = default_connection.ops.quote_name
    rebuilt = cleared(StartCell, year, units, owners, by_year=True)
    if rebuilt is None:
        return 0
    where = f" AND {rebuilt.projects.format('m.project_id')}"
    where_params, rollup_where, rollup_params = rebuilt.params, rebuilt.units, rebuilt.unit_params

    states = ", ".join(f"'{state}'" for state in COUNTED_REPORT_STATES)
    # Each membership of the year's events with its project's figures, and the event's check date
    # when nothing shows work on site by then (实质性开工: a counted report with an amount for a
    # period of the check window, or an actual start date by the check date) and the project is
    # not cancelled: the date past which it counts as stalled.
    members = (
        f"SELECT m.event_id, m.project_id, {UNIT} AS unit_id, p.owner_unit_id, p.total_investment, "
        "COALESCE((SELECT SUM(e.annual_investment) "
        f"FROM {quote(PlanEntry._meta.db_table)} e WHERE e.project_id = m.project_id AND e.counted "
        f"AND e.plan_id IN (SELECT id FROM {quote(Plan._meta.db_table)} WHERE year = %s)), 0) "
        "AS annual_investment, "
        f"CASE WHEN p.status = '{ProjectStatus.CANCELLED}' "
        "OR (p.actual_start_date IS NOT NULL AND p.actual_start_date <= ev.check_by) "
        f"OR EXISTS (SELECT 1 FROM {quote(Report._meta.db_table)} r WHERE r.project_id = m.project_id "
        f"AND r.state IN ({states}) AND r.amount > 0 "
        "AND r.seq >= ev.first_report_seq AND r.seq <= ev.last_report_seq) "
        "THEN NULL ELSE ev.check_by END AS stalled_after "
        f"FROM {quote(MEMBERS)} m JOIN {quote(EVENTS_TABLE)} ev ON ev.id = m.event_id "
        f"JOIN {quote(Project._meta.db_table)} p ON p.id = m.project_id "
        f"WHERE ev.year = %s{where}"
    )
    members_params = [year, year, *where_params]
    # The year's projects once each: stalled past the earliest of their events' check dates.
    projects = (
        "SELECT project_id, unit_id, owner_unit_id, total_investment, annual_investment, "
        "MIN(stalled_after) AS stalled_after "
        f"FROM ({members}) mm GROUP BY project_id, unit_id, owner_unit_id, total_investment, annual_investment"
    )
    measures = ["count", "total_investment", "annual_investment"]
    columns = ", ".join(
        quote(column)
        for column in [
            "year",
            "event_id",
            "unit_id",
            "per_owner",
            "owner_unit_id",
            "stalled_after",
            *measures,
        ]
    )
    table = quote(CELLS)
    sums = "COUNT(*), SUM(total_investment), SUM(annual_investment)"
    by_event = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT %s, event_id, unit_id, TRUE, owner_unit_id, stalled_after, {sums} "
        f"FROM ({members}) mm GROUP BY event_id, unit_id, owner_unit_id, stalled_after"
    )
    by_year = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT %s, NULL, unit_id, TRUE, owner_unit_id, stalled_after, {sums} "
        f"FROM ({projects}) pp GROUP BY unit_id, owner_unit_id, stalled_after"
    )
    rollup = (
        f"INSERT INTO {table} ({columns}) "
        "SELECT year, event_id, unit_id, FALSE, NULL, stalled_after, "
        f"{', '.join(f'SUM({quote(measure)})' for measure in measures)} "
        f"FROM {table} WHERE year = %s AND per_owner{rollup_where} "
        "GROUP BY year, event_id, unit_id, stalled_after"
    )
    return written(
        StartCell,
        [
            (by_event, [year, *members_params]),
            (by_year, [year, *members_params]),
            (rollup, [year, *rollup_params]),
        ],
    )


SUMMARY = Summary(
    name="集中开工",
    cells=StartCell,
    stale=StartStale,
    sources=SOURCES,
    events=EVENTS,
    locked=LOCKED,
    prefix=PREFIX,
    lock=REFRESH_LOCK,
    rebuild=rebuild,
    years=lambda: StartEvent.objects.values_list("year", flat=True),
)
statements = SUMMARY.statements
refreshed = SUMMARY.refreshed
refresh = SUMMARY.refresh
rebuild_all = SUMMARY.rebuild_all


def scope_cells(year: int, user: Any) -> QuerySet[StartCell]:
    """The cells of `year` that `user` may see (None: every project's)."""
    return visible_cells(StartCell.objects.filter(year=year), user)


def event_totals(year: int, user: Any) -> dict[int, dict[str, Any]]:
    """Per event of `year` with a project the user may see: project_count, total_investment and
    annual_investment of those projects."""
    rows = (
        scope_cells(year, user)
        .filter(event_id__isnull=False)
        .order_by()
        .values("event_id")
        .annotate(projects=Sum("count"), total=Sum("total_investment"), annual=Sum("annual_investment"))
    )
    return {
        row["event_id"]: {
            "project_count": row["projects"],
            "total_investment": row["total"],
            "annual_investment": row["annual"],
        }
        for row in rows
        if row["projects"]
    }


def year_totals(year: int, user: Any, today: date) -> dict[str, Any]:
    """The year's projects the user may see, each counted once: how many, 概算投资, 年度计划投资, how
    many are stalled as of `today` (check date passed, nothing shown on site), and how many of the
    year's events started one of them."""
    row = (
        scope_cells(year, user)
        .filter(event_id__isnull=True)
        .aggregate(
            projects=Sum("count"),
            total=Sum("total_investment"),
            annual=Sum("annual_investment"),
            stalled=Sum("count", filter=Q(stalled_after__lt=today)),
        )
    )
    events = (
        scope_cells(year, user)
        .filter(event_id__isnull=False, count__gt=0)
        .aggregate(events=Count("event_id", distinct=True))
    )
    return {
        "count": row["projects"] or 0,
        "total_investment": row["total"] or ZERO,
        "annual_investment": row["annual"] or ZERO,
        "stalled": row["stalled"] or 0,
        "events": events["events"] or 0,
    }
