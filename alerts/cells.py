"""预警看板's summary: `AlertCell` rows counting the warnings per rule, colour, state, responsible
unit and owner unit, built from the tables and kept current with them.

The board counts a user's warnings by rule and colour, raised and closed, and the projects with
one: at 100,000 projects 92,000 warnings, a department's found through its 15,000 projects. Read
from the cells, the counts are a few hundred rows. Triggers mark the (responsible unit, owner
unit) a write touches in `AlertStale` (year 0), with the figures' trigger statements
(figures.triggers): warnings written, and projects whose units change. `SUMMARY.refreshed()`
rebuilds what is marked before the cells are read; after a scan that touched thousands, whole
units at once (figures.cells.MAX_OWNER_MARKS).
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection as default_connection
from django.db.models import Q, Sum

from alerts.choices import AlertState
from alerts.models import Alert, AlertCell, AlertStale
from alerts.querysets import tallied
from figures import triggers as figure_triggers
from figures.cells import visible_cells
from figures.summary import Summary, cleared, written
from projects.models import Project

CELLS = AlertCell._meta.db_table
STALE = AlertStale._meta.db_table
ALERTS = Alert._meta.db_table
YEAR = 0
# The advisory lock a rebuild takes on PostgreSQL (a number of the application's own choosing).
REFRESH_LOCK = 7_202_619

UNIT = "COALESCE(p.responsible_unit_id, 0)"
OWNER = "COALESCE(p.owner_unit_id, 0)"
SOURCES: dict[str, figure_triggers.Source] = {
    ALERTS: (
        str(YEAR),
        UNIT,
        OWNER,
        "projects_project p",
        "p.id = {r}.project_id",
        ["project_id", "rule", "colour", "state"],
    ),
    "projects_project": (
        str(YEAR),
        "COALESCE({r}.responsible_unit_id, 0)",
        "COALESCE({r}.owner_unit_id, 0)",
        f"{ALERTS} a",
        "a.project_id = {r}.id",
        ["responsible_unit_id", "owner_unit_id"],
    ),
}
# A project is inserted with no warning, and its warnings go before it is deleted.
EVENTS: dict[str, tuple[str, ...]] = {ALERTS: ("INSERT", "UPDATE", "DELETE"), "projects_project": ("UPDATE",)}
LOCKED = {ALERTS: "SELECT project_id FROM {rows}"}


def mark_all(connection: Any = default_connection) -> None:
    """Mark every unit that has warnings, so that the next read builds its cells."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STALE} (year, unit_id) SELECT DISTINCT {YEAR}, {UNIT} "
            f"FROM {ALERTS} a JOIN projects_project p ON p.id = a.project_id"
        )


def rebuild(year: int, units: Iterable[int] | None = None, owners: Iterable[tuple[int, int]] = ()) -> int:
    """Build the warning cells again from the tables: all of them when `units` is None, else those
    of `units` and of the (unit, owner) pairs of `owners` (owner 0: the projects without an owner
    unit), with their units' cells added up over the owners; returns how many cells were written.
    `year` is always 0."""
    quote = default_connection.ops.quote_name
    rebuilt = cleared(AlertCell, year, units, owners, by_year=False)
    if rebuilt is None:
        return 0
    where = f" WHERE {rebuilt.projects.format('a.project_id')}"
    where_params, rollup_where, rollup_params = rebuilt.params, rebuilt.units, rebuilt.unit_params

    alerts = (
        f"SELECT a.rule, a.colour, a.state = '{AlertState.CLOSED}' AS closed, a.project_id, "
        f"{UNIT} AS unit_id, p.owner_unit_id "
        f"FROM {quote(ALERTS)} a JOIN {quote(Project._meta.db_table)} p ON p.id = a.project_id{where}"
    )
    columns = ", ".join(
        quote(column)
        for column in [
            "rule",
            "colour",
            "closed",
            "unit_id",
            "per_owner",
            "owner_unit_id",
            "alerts",
            "projects",
        ]
    )
    table = quote(CELLS)
    by_rule = (
        f"INSERT INTO {table} ({columns}) "
        "SELECT rule, colour, closed, unit_id, TRUE, owner_unit_id, COUNT(*), 0 "
        f"FROM ({alerts}) aa GROUP BY rule, colour, closed, unit_id, owner_unit_id"
    )
    # Every rule at once: the projects with a warning, each once.
    every_rule = (
        f"INSERT INTO {table} ({columns}) "
        "SELECT NULL, NULL, NULL, unit_id, TRUE, owner_unit_id, COUNT(*), COUNT(DISTINCT project_id) "
        f"FROM ({alerts}) aa GROUP BY unit_id, owner_unit_id"
    )
    rollup = (
        f"INSERT INTO {table} ({columns}) "
        "SELECT rule, colour, closed, unit_id, FALSE, NULL, SUM(alerts), SUM(projects) "
        f"FROM {table} WHERE per_owner{rollup_where} GROUP BY rule, colour, closed, unit_id"
    )
    return written(AlertCell, [(by_rule, where_params), (every_rule, where_params), (rollup, rollup_params)])


SUMMARY = Summary(
    name="预警看板",
    cells=AlertCell,
    stale=AlertStale,
    sources=SOURCES,
    events=EVENTS,
    locked=LOCKED,
    prefix="alert_stale",
    lock=REFRESH_LOCK,
    rebuild=rebuild,
    years=lambda: [YEAR],
)


def summary(user: Any) -> dict[str, Any]:
    """AlertQuerySet.summary() of the warnings `user` may see (None: every one), from the cells; the
    caller brings them up to date first (SUMMARY.refreshed())."""
    cells = visible_cells(AlertCell.objects.all(), user)
    grouped = (
        cells.filter(rule__isnull=False)
        .order_by()
        .values("rule", "colour")
        .annotate(n=Sum("alerts"), n_closed=Sum("alerts", filter=Q(closed=True)))
    )
    projects = cells.filter(rule__isnull=True).aggregate(n=Sum("projects"))["n"] or 0
    return tallied(
        (
            {"rule": row["rule"], "colour": row["colour"], "raised": row["n"], "closed": row["n_closed"] or 0}
            for row in grouped
            if row["n"]
        ),
        projects,
    )
