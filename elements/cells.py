"""要素保障's summary: `ElementCell` rows adding up the element needs per type, supplying department,
state, responsible unit and owner unit, built from the tables and kept current with them.

The board (要素保障看板) and the element figures add up a user's needs by type, and the waiting ones
by supplying department with their projects: at 100,000 projects 60,000 needs, a department's
15,000 of them found through its projects first. Read from the cells, a page adds up a few hundred
rows. Triggers mark the (responsible unit, owner unit) a write touches in `ElementStale`, with the
figures' trigger statements (figures.triggers): needs written, and projects whose units change.
`SUMMARY.refreshed()` rebuilds what is marked before the cells are read. The needs are not kept by
year: every mark and rebuild is of year 0.
"""

import operator
from collections.abc import Iterable
from functools import reduce
from typing import Any

from django.db import connection as default_connection
from django.db.models import Q, QuerySet, Sum

from elements.choices import WAITING_STATUSES
from elements.models import ElementCell, ElementNeed, ElementStale, ElementType
from elements.querysets import (
    BOARD_ORDER,
    ZERO,
    departments_in_order,
    supplying_department_scope,
    types_in_order,
)
from figures import triggers as figure_triggers
from figures.cells import visible_cells
from figures.summary import Summary, cleared, written
from lib.listing import places, window, window_ids
from org.choices import Role
from org.models import Unit
from projects.models import Project
from projects.querysets import project_scope

CELLS = ElementCell._meta.db_table
STALE = ElementStale._meta.db_table
NEEDS = ElementNeed._meta.db_table
# The one year the marks name.
YEAR = 0
# The advisory lock a rebuild takes on PostgreSQL (a number of the application's own choosing).
REFRESH_LOCK = 7_202_616
AMOUNTS = ("needed", "secured", "cultivated_needed", "cultivated_secured")

UNIT = "COALESCE(p.responsible_unit_id, 0)"
OWNER = "COALESCE(p.owner_unit_id, 0)"
SOURCES: dict[str, figure_triggers.Source] = {
    NEEDS: (
        str(YEAR),
        UNIT,
        OWNER,
        "projects_project p",
        "p.id = {r}.project_id",
        ["project_id", "type_id", "department_id", "status", *AMOUNTS],
    ),
    "projects_project": (
        str(YEAR),
        "COALESCE({r}.responsible_unit_id, 0)",
        "COALESCE({r}.owner_unit_id, 0)",
        f"{NEEDS} n",
        "n.project_id = {r}.id",
        ["responsible_unit_id", "owner_unit_id"],
    ),
}
# A project is inserted with no need, and its needs go before it is deleted.
EVENTS = {NEEDS: ("INSERT", "UPDATE", "DELETE"), "projects_project": ("UPDATE",)}
LOCKED = {NEEDS: "SELECT project_id FROM {rows}"}


def mark_all(connection: Any = default_connection) -> None:
    """Mark every unit that has needs, so that the next read builds its cells."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STALE} (year, unit_id) SELECT DISTINCT {YEAR}, {UNIT} "
            f"FROM {NEEDS} n JOIN projects_project p ON p.id = n.project_id"
        )


def rebuild(year: int, units: Iterable[int] | None = None, owners: Iterable[tuple[int, int]] = ()) -> int:
    """Build the element cells again from the tables: all of them when `units` is None, else those
    of `units` and of the (unit, owner) pairs of `owners` (owner 0: the projects without an owner
    unit), with their units' cells added up over the owners; returns how many cells were written.
    `year` is always 0."""
    quote = default_connection.ops.quote_name
    rebuilt = cleared(ElementCell, year, units, owners, by_year=False)
    if rebuilt is None:
        return 0
    where = f" WHERE {rebuilt.projects.format('n.project_id')}"
    where_params, rollup_where, rollup_params = rebuilt.params, rebuilt.units, rebuilt.unit_params

    waiting = ", ".join(f"'{status}'" for status in WAITING_STATUSES)
    needs = (
        f"SELECT n.type_id, n.department_id, n.status IN ({waiting}) AS waiting, {UNIT} AS unit_id, "
        f"p.owner_unit_id, n.project_id, {', '.join(f'n.{amount}' for amount in AMOUNTS)} "
        f"FROM {quote(NEEDS)} n JOIN {quote(Project._meta.db_table)} p ON p.id = n.project_id{where}"
    )
    measures = ["needs", "projects", *AMOUNTS]
    columns = ", ".join(
        quote(column)
        for column in [
            "type_id",
            "department_id",
            "waiting",
            "unit_id",
            "per_owner",
            "owner_unit_id",
            *measures,
        ]
    )
    sums = "COUNT(*), COUNT(DISTINCT project_id), " + ", ".join(
        f"COALESCE(SUM({amount}), 0)" for amount in AMOUNTS
    )
    table = quote(CELLS)
    by_type = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT type_id, department_id, waiting, unit_id, TRUE, owner_unit_id, {sums} "
        f"FROM ({needs}) nn GROUP BY type_id, department_id, waiting, unit_id, owner_unit_id"
    )
    # Every type at once: each project once however many of its needs the department supplies.
    every_type = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT NULL, department_id, waiting, unit_id, TRUE, owner_unit_id, {sums} "
        f"FROM ({needs}) nn GROUP BY department_id, waiting, unit_id, owner_unit_id"
    )
    rollup = (
        f"INSERT INTO {table} ({columns}) "
        "SELECT type_id, department_id, waiting, unit_id, FALSE, NULL, "
        f"{', '.join(f'SUM({quote(measure)})' for measure in measures)} "
        f"FROM {table} WHERE per_owner{rollup_where} "
        "GROUP BY type_id, department_id, waiting, unit_id"
    )
    return written(
        ElementCell, [(by_type, where_params), (every_type, where_params), (rollup, rollup_params)]
    )


SUMMARY = Summary(
    name="要素保障",
    cells=ElementCell,
    stale=ElementStale,
    sources=SOURCES,
    events=EVENTS,
    locked=LOCKED,
    prefix="element_stale",
    lock=REFRESH_LOCK,
    rebuild=rebuild,
    years=lambda: [YEAR],
)


def refreshed() -> bool:
    """Bring the cells up to date (SUMMARY.refreshed()); False when another process is rebuilding
    them this very moment (PostgreSQL), and the caller reads the tables."""
    return SUMMARY.refreshed([YEAR])


def visible(user: Any) -> QuerySet[ElementCell]:
    """The cells `user` may see (None: every project's), as ElementNeedQuerySet.visible_to: the
    needs of the projects in the user's scope, and for a department those it is asked to supply."""
    supplies = user is not None and user.is_authenticated and user.is_active and user.role == Role.UNIT
    return visible_cells(ElementCell.objects.all(), user, also="department_id" if supplies else None)


def by_type(user: Any) -> list[dict[str, Any]]:
    """ElementNeedQuerySet.by_type() of the needs `user` may see, from the cells."""
    rows = (
        visible(user)
        .filter(type_id__isnull=False)
        .order_by()
        .values("type_id")
        .annotate(
            n_needs=Sum("needs"),
            n_waiting=Sum("needs", filter=Q(waiting=True)),
            **{f"n_{amount}": Sum(amount) for amount in AMOUNTS},
        )
    )
    return types_in_order(
        [
            {
                "type": row["type_id"],
                "needs": row["n_needs"],
                "waiting": row["n_waiting"] or 0,
                **{amount: row[f"n_{amount}"] or ZERO for amount in AMOUNTS},
            }
            for row in rows
            if row["n_needs"]
        ]
    )


def waiting_by_department(user: Any) -> list[dict[str, Any]]:
    """ElementNeedQuerySet.waiting().by_department() of the needs `user` may see, from the cells."""
    rows = (
        visible(user)
        .filter(type_id__isnull=True, waiting=True)
        .order_by()
        .values("department_id")
        .annotate(n_needs=Sum("needs"), n_projects=Sum("projects"))
    )
    return departments_in_order(
        [
            {"department": row["department_id"], "needs": row["n_needs"], "projects": row["n_projects"]}
            for row in rows
            if row["n_needs"]
        ]
    )


def waiting_count(user: Any) -> int:
    """How many needs `user` may see are waiting, from the cells."""
    total = visible(user).filter(type_id__isnull=True, waiting=True).aggregate(n=Sum("needs"))["n"]
    return total or 0


def waiting_page_ids(user: Any, index: slice) -> list[int]:
    """The ids of the waiting needs `user` may see that `index` takes, in the board's order (the
    supplying department's place and name, the type's place, the need's id): the cells give how
    many wait in each department and type, and only the needs of the groups the page falls in are
    read, in one statement, each asked whether it is the user's as it is reached (window_ids()).
    Sorted by the database whole, the board's first page sorted every waiting need of the user's
    scope."""
    rows = (
        visible(user)
        .filter(type_id__isnull=False, waiting=True)
        .order_by()
        .values("department_id", "type_id")
        .annotate(n=Sum("needs"))
    )
    counts = {(row["department_id"], row["type_id"]): row["n"] for row in rows if row["n"]}
    # The departments and types in the database's own order of their places and names; those
    # in the same place list their needs together, in the order of the needs' ids.
    departments = places(
        Unit.objects.filter(pk__in={department for department, _type in counts}).order_by(
            "sort_order", "name"
        ),
        ("sort_order", "name"),
    )
    types = places(
        ElementType.objects.filter(pk__in={kind for _department, kind in counts}).order_by("sort_order"),
        ("sort_order",),
    )
    blocks = (
        [((d, t), counts.get((d, t), 0)) for d in department_group for t in type_group]
        for department_group in departments
        for type_group in types
    )
    mine = project_scope(user, "project__", alternative=True, each_row=True) if user is not None else None

    def needs_of(groups: list[tuple[int, int]]) -> QuerySet[ElementNeed]:
        needs = ElementNeed.objects.filter(
            reduce(operator.or_, [Q(department_id=d, type_id=t) for d, t in groups]),
            status__in=WAITING_STATUSES,
        )
        return needs if mine is None else needs.filter(mine | supplying_department_scope(user))

    return window_ids(window(blocks, index), needs_of, BOARD_ORDER)
