"""后评价's summary: `EvaluationCell` rows counting, per responsible unit and owner unit, the projects
evaluated and those completed or operating without an evaluation yet, built from the tables and
kept current with them.

The list of evaluations counts every evaluation a user may see, and shows the office how many
completed projects still await one: at 100,000 projects 20,000 evaluations and 40,000 completed
projects, a department's found through its 22,000 projects on every request. Read from the cells,
a page adds up a few hundred rows. Triggers mark the (responsible unit, owner unit) a write
touches in `EvaluationStale` (year 0), with the figures' trigger statements (figures.triggers):
evaluations written, and projects added, removed, moved or changing status.
`SUMMARY.refreshed()` rebuilds what is marked before the cells are read.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection as default_connection
from django.db.models import Sum

from evaluation.models import EVALUABLE_STATUSES, Evaluation, EvaluationCell, EvaluationStale
from figures import triggers as figure_triggers
from figures.cells import visible_cells
from figures.summary import Summary, cleared, written
from projects.models import Project

CELLS = EvaluationCell._meta.db_table
STALE = EvaluationStale._meta.db_table
EVALUATIONS = Evaluation._meta.db_table
PROJECTS = Project._meta.db_table
YEAR = 0
# The advisory lock a rebuild takes on PostgreSQL (a number of the application's own choosing).
REFRESH_LOCK = 7_202_620

UNIT = "COALESCE(p.responsible_unit_id, 0)"
OWNER = "COALESCE(p.owner_unit_id, 0)"
SOURCES: dict[str, figure_triggers.Source] = {
    EVALUATIONS: (str(YEAR), UNIT, OWNER, f"{PROJECTS} p", "p.id = {r}.project_id", ["project_id"]),
    # The changed project's own units, old and new.
    PROJECTS: (
        str(YEAR),
        "COALESCE({r}.responsible_unit_id, 0)",
        "COALESCE({r}.owner_unit_id, 0)",
        "(SELECT 1 AS one) one",
        "one.one = 1",
        ["responsible_unit_id", "owner_unit_id", "status"],
    ),
}
EVENTS: dict[str, tuple[str, ...]] = {
    EVALUATIONS: ("INSERT", "UPDATE", "DELETE"),
    PROJECTS: ("INSERT", "UPDATE", "DELETE"),
}
LOCKED = {EVALUATIONS: "SELECT project_id FROM {rows}"}
MEASURES = ["evaluations", "awaiting"]


def mark_all(connection: Any = default_connection) -> None:
    """Mark every unit that has projects, so that the next read builds its cells."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STALE} (year, unit_id) SELECT DISTINCT {YEAR}, {UNIT} FROM {PROJECTS} p"
        )


def rebuild(year: int, units: Iterable[int] | None = None, owners: Iterable[tuple[int, int]] = ()) -> int:
    """Build the evaluation cells again from the tables: all of them when `units` is None, else
    those of `units` and of the (unit, owner) pairs of `owners` (owner 0: the projects without an
    owner unit), with their units' cells added up over the owners; returns how many cells were
    written. `year` is always 0."""
    quote = default_connection.ops.quote_name
    rebuilt = cleared(EvaluationCell, year, units, owners, by_year=False)
    if rebuilt is None:
        return 0
    statuses = ", ".join(["%s"] * len(EVALUABLE_STATUSES))
    columns = ", ".join(quote(column) for column in ["unit_id", "per_owner", "owner_unit_id", *MEASURES])
    table = quote(CELLS)
    awaiting = f"CASE WHEN e.id IS NULL AND p.status IN ({statuses}) THEN 1 ELSE 0 END"
    projects = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT {UNIT}, TRUE, p.owner_unit_id, COUNT(e.id), SUM({awaiting}) "
        f"FROM {quote(PROJECTS)} p LEFT JOIN {quote(EVALUATIONS)} e ON e.project_id = p.id "
        f"WHERE {rebuilt.projects.format('p.id')} GROUP BY {UNIT}, p.owner_unit_id "
        f"HAVING COUNT(e.id) > 0 OR SUM({awaiting}) > 0"
    )
    rollup = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT unit_id, FALSE, NULL, {', '.join(f'SUM({quote(measure)})' for measure in MEASURES)} "
        f"FROM {table} WHERE per_owner{rebuilt.units} GROUP BY unit_id"
    )
    return written(
        EvaluationCell,
        [
            (projects, [*EVALUABLE_STATUSES, *rebuilt.params, *EVALUABLE_STATUSES]),
            (rollup, rebuilt.unit_params),
        ],
    )


SUMMARY = Summary(
    name="后评价",
    cells=EvaluationCell,
    stale=EvaluationStale,
    sources=SOURCES,
    events=EVENTS,
    locked=LOCKED,
    prefix="evaluation_stale",
    lock=REFRESH_LOCK,
    rebuild=rebuild,
    years=lambda: [YEAR],
)


def counts(user: Any) -> dict[str, int] | None:
    """How many evaluations `user` may see (None: every project's), and how many of the projects
    completed or operating await one; None while another process rebuilds the cells (PostgreSQL),
    and the caller counts the tables instead."""
    if not SUMMARY.refreshed([YEAR]):
        return None
    row = visible_cells(EvaluationCell.objects.all(), user).aggregate(
        evaluations=Sum("evaluations"), awaiting=Sum("awaiting")
    )
    return {measure: row[measure] or 0 for measure in MEASURES}
