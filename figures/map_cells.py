"""一张图's summary: `MapCell` rows counting the located projects per cell of the map's grid, status,
plan, responsible unit and owner unit, built from the tables and kept current with them.

The whole map (a view without a box: the page's first load, the big screen's map) counts its
projects by grid cell. Read from the projects, that is every located project of the scope looked
up, through the plans' entries for a year's plans or through the units' indexes for a user's
scope: 60,000 projects for the year's plans at 100,000. The cells hold those counts, with the
sums and the box of the coordinates a cluster shows, per plan (and for the whole registry) and
per responsible unit, and per owner unit as well. A user's scope reads the cells of its units
added up over their owners, and of its owners only those of other units' projects.

Triggers mark the (responsible unit, owner unit) a write touches in `MapStale` (year 0): projects
added, removed, moved, relocated or changing status, and plan entries written (a plan's year,
version or issue date changes nothing here: the plans in force are named when the cells are
read). `SUMMARY.refreshed()` rebuilds what is marked before the cells are read.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection as default_connection
from django.db.models import Max, Min, Sum

from figures import triggers as figure_triggers
from figures.cells import visible_cells
from figures.models import MapCell, MapStale
from figures.summary import Summary, cleared, written
from plans.models import Plan, PlanEntry
from projects.models import Project

CELLS = MapCell._meta.db_table
STALE = MapStale._meta.db_table
PROJECTS = Project._meta.db_table
ENTRIES = PlanEntry._meta.db_table
YEAR = 0
# The advisory lock a rebuild takes on PostgreSQL (a number of the application's own choosing).
REFRESH_LOCK = 7_202_618

UNIT = "COALESCE(p.responsible_unit_id, 0)"
OWNER = "COALESCE(p.owner_unit_id, 0)"
SOURCES: dict[str, figure_triggers.Source] = {
    # The changed project's own units, old and new.
    PROJECTS: (
        str(YEAR),
        "COALESCE({r}.responsible_unit_id, 0)",
        "COALESCE({r}.owner_unit_id, 0)",
        "(SELECT 1 AS one) one",
        "one.one = 1",
        ["responsible_unit_id", "owner_unit_id", "status", "latitude", "longitude"],
    ),
    ENTRIES: (
        str(YEAR),
        UNIT,
        OWNER,
        f"{PROJECTS} p",
        "p.id = {r}.project_id",
        ["plan_id", "project_id", "counted"],
    ),
}
EVENTS: dict[str, tuple[str, ...]] = {
    PROJECTS: ("INSERT", "UPDATE", "DELETE"),
    ENTRIES: ("INSERT", "UPDATE", "DELETE"),
}
LOCKED = {ENTRIES: "SELECT project_id FROM {rows}"}
MEASURES = [
    "projects",
    "latitudes",
    "longitudes",
    "lowest_latitude",
    "highest_latitude",
    "lowest_longitude",
    "highest_longitude",
]
# How each measure of cells is added up.
ADDED_UP = {
    "projects": "SUM",
    "latitudes": "SUM",
    "longitudes": "SUM",
    "lowest_latitude": "MIN",
    "highest_latitude": "MAX",
    "lowest_longitude": "MIN",
    "highest_longitude": "MAX",
}


def mark_all(connection: Any = default_connection) -> None:
    """Mark every unit that has located projects, so that the next read builds its cells."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STALE} (year, unit_id) SELECT DISTINCT {YEAR}, {UNIT} "
            f"FROM {PROJECTS} p WHERE p.map_row IS NOT NULL"
        )


def rebuild(year: int, units: Iterable[int] | None = None, owners: Iterable[tuple[int, int]] = ()) -> int:
    """Build the map cells again from the tables: all of them when `units` is None, else those of
    `units` and of the (unit, owner) pairs of `owners` (owner 0: the projects without an owner
    unit), with their units' cells added up over the owners; returns how many cells were written.
    `year` is always 0."""
    quote = default_connection.ops.quote_name
    rebuilt = cleared(MapCell, year, units, owners, by_year=False)
    if rebuilt is None:
        return 0
    where = f" AND {rebuilt.projects.format('p.id')}"
    where_params, rollup_where, rollup_params = rebuilt.params, rebuilt.units, rebuilt.unit_params

    real = "REAL" if default_connection.vendor == "sqlite" else "DOUBLE PRECISION"
    sums = (
        f"COUNT(*), SUM(CAST(p.latitude AS {real})), SUM(CAST(p.longitude AS {real})), "
        "MIN(p.latitude), MAX(p.latitude), MIN(p.longitude), MAX(p.longitude)"
    )
    keys = f"{UNIT}, p.owner_unit_id, p.map_row, p.map_column, p.status"
    selected = f"{UNIT}, TRUE, p.owner_unit_id, p.map_row, p.map_column, p.status"
    columns = ", ".join(
        quote(column)
        for column in [
            "plan_id",
            "counted",
            "unit_id",
            "per_owner",
            "owner_unit_id",
            "map_row",
            "map_column",
            "status",
            *MEASURES,
        ]
    )
    table = quote(CELLS)
    registry = (
        f"INSERT INTO {table} ({columns}) SELECT NULL, FALSE, {selected}, "
        f"{sums} FROM {quote(PROJECTS)} p WHERE p.map_row IS NOT NULL{where} GROUP BY {keys}"
    )
    on_plans = (
        f"INSERT INTO {table} ({columns}) SELECT e.plan_id, e.counted, {selected}, {sums} "
        f"FROM {quote(ENTRIES)} e JOIN {quote(PROJECTS)} p ON p.id = e.project_id "
        f"WHERE p.map_row IS NOT NULL{where} GROUP BY e.plan_id, e.counted, {keys}"
    )
    rollup = (
        f"INSERT INTO {table} ({columns}) "
        "SELECT plan_id, counted, unit_id, FALSE, NULL, map_row, map_column, status, "
        f"{', '.join(f'{ADDED_UP[measure]}({quote(measure)})' for measure in MEASURES)} "
        f"FROM {table} WHERE per_owner{rollup_where} "
        "GROUP BY plan_id, counted, unit_id, map_row, map_column, status"
    )
    return written(MapCell, [(registry, where_params), (on_plans, where_params), (rollup, rollup_params)])


SUMMARY = Summary(
    name="一张图",
    cells=MapCell,
    stale=MapStale,
    sources=SOURCES,
    events=EVENTS,
    locked=LOCKED,
    prefix="map_stale",
    lock=REFRESH_LOCK,
    rebuild=rebuild,
    years=lambda: [YEAR],
)


def grid_rows(user: Any, year: int | None, level: str | None) -> list[dict[str, Any]]:
    """The located projects `user` may see (of the whole registry, or on the plans in force of
    `year`, of `level` when given), counted by grid cell and status as figures.views_screen.
    cell_rows() counts them at the grid's zoom: a row per group, with the sums and the box of
    their coordinates."""
    cells = MapCell.objects.all()
    if year is None:
        cells = cells.filter(plan_id__isnull=True)
    else:
        plans = Plan.objects.in_force().filter(year=year)
        if level:
            plans = plans.filter(level=level)
        in_force = list(plans.values_list("pk", flat=True))
        # A project on several lists of the year counts once: under its counted entry.
        cells = cells.filter(plan_id__in=in_force)
        if not level:
            cells = cells.filter(counted=True)
    rows = (
        visible_cells(cells, user)
        .order_by()
        .values("map_row", "map_column", "status")
        .annotate(
            n=Sum("projects"),
            lat_sum=Sum("latitudes"),
            lon_sum=Sum("longitudes"),
            lat_min=Min("lowest_latitude"),
            lat_max=Max("highest_latitude"),
            lon_min=Min("lowest_longitude"),
            lon_max=Max("highest_longitude"),
        )
    )
    return [
        {
            "row": row["map_row"],
            "column": row["map_column"],
            "status": row["status"],
            "count": row["n"],
            "latitudes": row["lat_sum"],
            "longitudes": row["lon_sum"],
            "south": row["lat_min"],
            "north": row["lat_max"],
            "west": row["lon_min"],
            "east": row["lon_max"],
        }
        for row in rows
        if row["n"]
    ]
