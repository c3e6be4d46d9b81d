"""资金保障's summary: `FundingCell` rows adding up a year's funding records per source, responsible
unit and owner unit, built from the tables and kept current with them.

资金保障 adds up a user's records of the year by source (records, projects, projects supported,
the amounts), counts the projects across sources and the special bonds' issue batches, and lists
the records by source: at 100,000 projects 7,700 records a year, a department's found through its
15,000 projects each time. Read from the cells, a page adds up a few hundred rows. Triggers mark
the (year, responsible unit, owner unit) a write touches in `FundingStale`, with the figures'
trigger statements (figures.triggers): records written, and projects whose units change.
`SUMMARY.refreshed()` rebuilds what is marked before the cells are read. The bonds behind their
spending pace depend on the day, and are still asked of the records.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection as default_connection
from django.db.models import Count, QuerySet, Sum

from catalog.models import FundingSource
from elements.models import FundingCell, FundingRecord, FundingStale
from elements.querysets import AMOUNTS, ZERO, sources_in_order
from figures import triggers as figure_triggers
from figures.cells import visible_cells
from figures.summary import Summary, cleared, written
from lib.listing import places, window, window_ids
from projects.models import Project
from projects.querysets import project_scope

CELLS = FundingCell._meta.db_table
STALE = FundingStale._meta.db_table
RECORDS = FundingRecord._meta.db_table
# The advisory lock a rebuild takes on PostgreSQL (a number of the application's own choosing).
REFRESH_LOCK = 7_202_617
# The list of records' order within a year (FundingRecord.Meta.ordering).
LIST_ORDER = ("source__sort_order", "id")

UNIT = "COALESCE(p.responsible_unit_id, 0)"
OWNER = "COALESCE(p.owner_unit_id, 0)"
SOURCES: dict[str, figure_triggers.Source] = {
    RECORDS: (
        "{r}.year",
        UNIT,
        OWNER,
        "projects_project p",
        "p.id = {r}.project_id",
        ["project_id", "source_id", "year", "issue_batch", *AMOUNTS],
    ),
    "projects_project": (
        "f.year",
        "COALESCE({r}.responsible_unit_id, 0)",
        "COALESCE({r}.owner_unit_id, 0)",
        f"{RECORDS} f",
        "f.project_id = {r}.id",
        ["responsible_unit_id", "owner_unit_id"],
    ),
}
# A project is inserted with no record, and its records go before it is deleted.
EVENTS = {RECORDS: ("INSERT", "UPDATE", "DELETE"), "projects_project": ("UPDATE",)}
LOCKED = {RECORDS: "SELECT project_id FROM {rows}"}


def mark_all(connection: Any = default_connection) -> None:
    """Mark every (year, unit) that has records, so that the next read builds its cells."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STALE} (year, unit_id) SELECT DISTINCT f.year, {UNIT} "
            f"FROM {RECORDS} f JOIN projects_project p ON p.id = f.project_id"
        )


def rebuild(year: int, units: Iterable[int] | None = None, owners: Iterable[tuple[int, int]] = ()) -> int:
    """Build the funding cells of `year` again from the tables: all of them when `units` is None,
    else those of `units` and of the (unit, owner) pairs of `owners` (owner 0: the projects
    without an owner unit), with their units' cells added up over the owners; returns how many
    cells were written."""
    quote = default_connection.ops.quote_name
    rebuilt = cleared(FundingCell, year, units, owners, by_year=True)
    if rebuilt is None:
        return 0
    where = f" AND {rebuilt.projects.format('f.project_id')}"
    where_params, rollup_where, rollup_params = rebuilt.params, rebuilt.units, rebuilt.unit_params

    records = (
        f"SELECT f.source_id, f.issue_batch, f.project_id, {UNIT} AS unit_id, p.owner_unit_id, "
        "CASE WHEN f.approved > 0 OR f.arrived > 0 THEN f.project_id END AS supporting, "
        f"{', '.join(f'f.{amount}' for amount in AMOUNTS)} "
        f"FROM {quote(RECORDS)} f JOIN {quote(Project._meta.db_table)} p ON p.id = f.project_id "
        f"WHERE f.year = %s{where}"
    )
    params = [year, *where_params]
    measures = ["records", "projects", "supported", *AMOUNTS]
    columns = ", ".join(
        quote(column)
        for column in ["year", "source_id", "issue_batch", "unit_id", "per_owner", "owner_unit_id", *measures]
    )
    sums = "COUNT(*), COUNT(DISTINCT project_id), COUNT(DISTINCT supporting), " + ", ".join(
        f"COALESCE(SUM({amount}), 0)" for amount in AMOUNTS
    )
    table = quote(CELLS)
    # By source; every source at once (each project once); and by source and issue batch.
    by_source = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT %s, source_id, NULL, unit_id, TRUE, owner_unit_id, {sums} "
        f"FROM ({records}) rr GROUP BY source_id, unit_id, owner_unit_id"
    )
    every_source = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT %s, NULL, NULL, unit_id, TRUE, owner_unit_id, {sums} "
        f"FROM ({records}) rr GROUP BY unit_id, owner_unit_id"
    )
    by_batch = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT %s, source_id, issue_batch, unit_id, TRUE, owner_unit_id, {sums} "
        f"FROM ({records}) rr GROUP BY source_id, issue_batch, unit_id, owner_unit_id"
    )
    rollup = (
        f"INSERT INTO {table} ({columns}) "
        "SELECT year, source_id, issue_batch, unit_id, FALSE, NULL, "
        f"{', '.join(f'SUM({quote(measure)})' for measure in measures)} "
        f"FROM {table} WHERE year = %s AND per_owner{rollup_where} "
        "GROUP BY year, source_id, issue_batch, unit_id"
    )
    by_records = [(statement, [year, *params]) for statement in (by_source, every_source, by_batch)]
    return written(FundingCell, [*by_records, (rollup, [year, *rollup_params])])


SUMMARY = Summary(
    name="资金保障",
    cells=FundingCell,
    stale=FundingStale,
    sources=SOURCES,
    events=EVENTS,
    locked=LOCKED,
    prefix="funding_stale",
    lock=REFRESH_LOCK,
    rebuild=rebuild,
    years=lambda: FundingRecord.objects.values_list("year", flat=True),
)


def visible(year: int, user: Any) -> QuerySet[FundingCell]:
    """The cells of `year` that `user` may see (None: every project's)."""
    return visible_cells(FundingCell.objects.filter(year=year), user)


def source_rows(year: int, user: Any) -> list[dict[str, Any]]:
    """FundingRecordQuerySet.by_source() of the records of `year` `user` may see, from the cells."""
    rows = (
        visible(year, user)
        .filter(source_id__isnull=False, issue_batch__isnull=True)
        .order_by()
        .values("source_id")
        .annotate(
            n_records=Sum("records"),
            n_projects=Sum("projects"),
            n_supported=Sum("supported"),
            **{f"n_{amount}": Sum(amount) for amount in AMOUNTS},
        )
    )
    return sources_in_order(
        [
            {
                "source": row["source_id"],
                "records": row["n_records"],
                "projects": row["n_projects"],
                "supported": row["n_supported"],
                **{amount: row[f"n_{amount}"] or ZERO for amount in AMOUNTS},
            }
            for row in rows
            if row["n_records"]
        ]
    )


def project_count(year: int, user: Any) -> int:
    """How many projects have records of `year` that `user` may see, each once across sources."""
    total = visible(year, user).filter(source_id__isnull=True).aggregate(n=Sum("projects"))["n"]
    return total or 0


def batch_count(year: int, user: Any, source: int) -> int:
    """How many issue batches the records of `source` of `year` that `user` may see name (the empty
    batch counting as one, as COUNT(DISTINCT) of the records counts it)."""
    cells = visible(year, user).filter(source_id=source, issue_batch__isnull=False, records__gt=0)
    return cells.aggregate(n=Count("issue_batch", distinct=True))["n"] or 0


def page_ids(year: int, user: Any, index: slice) -> list[int]:
    """The ids of the records of `year` `user` may see that `index` takes, in the list's order (the
    source's place, then the record's id): the cells give how many each source holds, and only the
    records of the sources the page falls in are read, each asked whether it is the user's as it
    is reached."""
    counts = {row["source"]: row["records"] for row in source_rows(year, user)}
    blocks = (
        [(source, counts.get(source, 0)) for source in block]
        for block in places(
            FundingSource.objects.filter(pk__in=list(counts)).order_by("sort_order"), ("sort_order",)
        )
    )
    mine = project_scope(user, "project__", alternative=True, each_row=True) if user is not None else None

    def records_of(sources: list[int]) -> QuerySet[FundingRecord]:
        records = FundingRecord.objects.filter(year=year, source_id__in=sources)
        return records if mine is None else records.filter(mine)

    # A page of one source's records (a department of a fifth of 100,000 projects: 2,700 records
    # of its first source) walks them by id, 0.5 ms, where sorting them took 20.
    return window_ids(window(blocks, index), records_of, LIST_ORDER)
