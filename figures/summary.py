"""A summary kept by the database: cells rebuilt where triggers mark them stale.

The figures' cells (figures.cells) set the pattern: triggers on the tables a summary is built
from write a mark for each (year, responsible unit, owner unit) a change touches, whatever path
wrote it, and a read rebuilds what is marked before it adds the cells up. `Summary` holds what
differs from one summary to the next (its tables, the triggers' sources, how a year is rebuilt)
and does the rest the same way for each: the triggers' statements, the refresh under a lock of
its own on PostgreSQL, the rebuild of everything.
"""

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db import connection as default_connection
from django.db import models, transaction
from django.db.models import Q

from figures import cells as figure_cells
from figures import triggers as figure_triggers
from lib import triggers as lib_triggers
from lib.sql import analyze_table
from projects.models import Project

Rebuild = Callable[[int, Iterable[int] | None, Iterable[tuple[int, int]]], int]
# A rebuild that writes more cells than this refreshes their planner statistics (PostgreSQL).
ANALYZE_AFTER = 20_000
# Every summary made this way, in the order their modules were read (`rebuild_summaries`, a restore).
SUMMARIES: list["Summary"] = []


@dataclass(frozen=True)
class Cleared:
    """What a rebuild of a summary's cells covers, once their old cells are gone (cleared()):
    `projects`, the condition on a column of project ids that names the projects rebuilt
    (format it with the column; TRUE for every project), with its `params`; and `units`, the
    condition (beginning with AND) on the cells added up over the owners that are to be added up
    again, with `unit_params`."""

    projects: str
    params: list[Any]
    units: str
    unit_params: list[Any]


def cleared(
    cells: type[models.Model],
    year: int,
    units: Iterable[int] | None,
    owners: Iterable[tuple[int, int]],
    by_year: bool,
) -> Cleared | None:
    """Delete the cells of `cells` a rebuild of `year` writes again: every one (of the year, when
    the cells are kept `by_year`) when `units` is None, else those of `units` and of the (unit,
    owner) pairs of `owners` (owner 0: the projects without an owner unit), with their units'
    cells added up over the owners. Returns what the rebuild then covers, or None when it covers
    nothing."""
    manager = cells._default_manager
    year_of = {"year": year} if by_year else {}
    if units is None:
        manager.filter(**year_of).delete()
        return Cleared("TRUE", [], "", [])
    whole = sorted(set(units))
    pairs = sorted({(unit, owner) for unit, owner in owners if unit not in whole})
    if not whole and not pairs:
        return None
    # The projects rebuilt, found through the indexes on their units (figures.cells.whole_units).
    conditions, params, _year_cells = figure_cells.whole_units(year, whole)
    stale = [Q(unit_id__in=whole, **year_of)] if whole else []
    for unit, owner in pairs:
        condition, owner_params = figure_cells.owner_projects(unit, owner)
        conditions.append(condition)
        params += owner_params
        stale.append(Q(unit_id=unit, per_owner=True, owner_unit_id=owner or None, **year_of))
    touched = sorted(set(whole) | {unit for unit, _owner in pairs})
    stale.append(Q(unit_id__in=touched, per_owner=False, **year_of))
    manager.filter(reduce(operator.or_, stale)).delete()
    projects = default_connection.ops.quote_name(Project._meta.db_table)
    return Cleared(
        f"{{}} IN (SELECT rp.id FROM {projects} rp WHERE {' OR '.join(conditions)})",
        params,
        f" AND unit_id IN ({', '.join(['%s'] * len(touched))})",
        touched,
    )


def written(cells: type[models.Model], statements: Iterable[tuple[str, list[Any]]]) -> int:
    """Run a rebuild's `statements` (each with its parameters) in order; returns how many cells they
    wrote. After many, the cells' statistics are refreshed (lib.sql.analyze_table): a summary
    rebuilt after a bulk load is otherwise still "empty" to the planner."""
    count = 0
    with default_connection.cursor() as cursor:
        for statement, params in statements:
            cursor.execute(statement, params)
            count += cursor.rowcount
    if count > ANALYZE_AFTER:
        analyze_table(cells._meta.db_table)
    return count


@dataclass(frozen=True)
class Summary:
    """`cells` rebuilt by `rebuild(year, units, owners)` where `stale` marks say, the marks written
    by triggers named after `prefix` on the tables of `sources` (figures.triggers.SOURCES) for
    their `events`, each locking the projects `locked` names first (PostgreSQL). `lock` is the
    advisory lock a rebuild holds on PostgreSQL; `years` gives every year there are cells of; `name`
    says which it is."""

    name: str
    cells: type[models.Model]
    stale: type[models.Model]
    sources: dict[str, figure_triggers.Source]
    events: dict[str, tuple[str, ...]]
    locked: dict[str, str]
    prefix: str
    lock: int
    rebuild: Rebuild
    years: Callable[[], Iterable[int]]

    def __post_init__(self) -> None:
        SUMMARIES.append(self)

    def statements(self, connection: Any) -> tuple[list[str], list[str]]:
        """The statements that install the triggers on `connection`'s database, and those that remove them."""
        table = self.stale._meta.db_table
        if connection.vendor == "postgresql":
            return figure_triggers.postgresql_sql(self.sources, self.events, table, self.prefix, self.locked)
        return figure_triggers.sqlite_sql(self.sources, self.events, table, self.prefix)

    def install(self, connection: Any = default_connection) -> None:
        lib_triggers.install(connection, self.statements)

    def remove(self, connection: Any = default_connection) -> None:
        lib_triggers.remove(connection, self.statements)

    def rebuild_marked(self, stale: models.QuerySet[Any]) -> int:
        """Rebuild what the marks of `stale` name, inside the caller's transaction, as the figures'
        marks are read; returns the marks cleared. Only the marks read here are cleared: one
        committed meanwhile stays for the next."""
        return figure_cells.rebuild_marked(stale, self.rebuild)

    def take_lock(self, wait: bool) -> bool:
        """On PostgreSQL, the summary's lock for the rest of the transaction, waiting for it or not;
        whether it was taken (SQLite's write transactions are one at a time already)."""
        if default_connection.vendor != "postgresql":
            return True
        with default_connection.cursor() as cursor:
            if wait:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [self.lock])
                return True
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [self.lock])
            return bool(cursor.fetchone()[0])

    def refreshed(self, years: Iterable[int]) -> bool:
        """Bring the cells of `years` up to date, unless another process is rebuilding them this
        very moment (PostgreSQL): then False at once, and the caller reads the tables instead."""
        stale = self.stale._default_manager.filter(year__in=list(years))
        if not stale.exists():
            return True
        with transaction.atomic():
            if not self.take_lock(wait=False):
                return False
            self.rebuild_marked(stale)
        return True

    def refresh(self) -> int:
        """Rebuild whatever the marks name, waiting for a rebuild elsewhere to finish (PostgreSQL);
        returns the marks cleared (after a seed or an import, rather than on the first page)."""
        stale = self.stale._default_manager.all()
        if not stale.exists():
            return 0
        with transaction.atomic():
            self.take_lock(wait=True)
            return self.rebuild_marked(stale)

    def rebuild_all(self) -> int:
        """Every year's cells from the tables, and no mark left; returns how many cells."""
        with transaction.atomic():
            self.take_lock(wait=True)
            self.stale._default_manager.all().delete()
            self.cells._default_manager.all().delete()
            return sum(self.rebuild(year, None, ()) for year in sorted(set(self.years())))
