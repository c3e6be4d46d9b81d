"""Data scope (数据权限): the one place that decides which projects a user may read or change."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.db import connection, models
from django.db.models import Exists, OuterRef, Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from org.models import User
    from projects.models import Project

_M = TypeVar("_M", bound=models.Model)


def asks_each_row(few_rows: bool = False, alternative: bool = False) -> bool:
    """Whether project_scope() names a table's projects one row at a time, or by a subquery: one
    row at a time for a table of few rows on either database, and for an alternative on
    PostgreSQL."""
    return few_rows or (alternative and connection.vendor == "postgresql")


def project_scope(
    user: "User | AnonymousUser",
    prefix: str = "",
    write: bool = False,
    alternative: bool = False,
    each_row: bool = False,
) -> Q | None:
    """The condition on projects (reached through `prefix`) a user may read, or write.

    None means "no restriction"; an impossible Q means "nothing". Through a prefix the condition
    names the projects' ids, a subquery the database answers from the units' foreign-key indexes,
    so that a table of reports, procedures or records is read through its own project index
    rather than joined, row by row, to every project. On PostgreSQL an `alternative`, a condition
    that will be one side of an OR, asks instead whether each row's own project is in scope,
    through the projects' primary key: under an OR PostgreSQL cannot join a subquery, and would
    read every project of the scope before the first row (a town's 调度会议 at 100,000 projects:
    378 -> 83 ms). SQLite keeps the subquery, which it reads once into an index (the same town's
    要素保障看板, 64,000 needs each looking up its project: 266 -> 499 ms, measured and kept).
    `each_row` asks row by row on both databases, for a table of a few rows beside the projects
    (inspections, notices, problems, the pipeline, a named list's items): listing a scope of thousands of projects would cost
    more than looking up the few rows' own.
    """
    nothing = Q(pk__in=[])
    if not user.is_authenticated or not user.is_active:
        return nothing
    if write:
        if user.edits_everything:
            return None
        if not user.edits_own:
            return nothing
    elif user.sees_everything:
        return None
    if user.unit is None:
        return nothing
    from org.models import in_unit_subtree

    condition = in_unit_subtree(user.unit.path, "responsible_unit", "owner_unit")
    if not prefix:
        return condition
    from projects.models import Project

    if asks_each_row(each_row, alternative):
        return Q(Exists(Project.objects.filter(condition, pk=OuterRef(prefix.removesuffix("__")))))
    return Q(**{f"{prefix}in": Project.objects.filter(condition).values("pk")})


# How many of a table's rows any_in_scope() asks after one by one before it lists the scope.
PROBE_ROWS = 500


def any_in_scope(
    user: "User | AnonymousUser", prefix: str = "project__"
) -> Callable[[models.QuerySet[Any]], bool]:
    """A test of whether any of the rows it is given belongs to a project the user may read, the
    user's scope worked out once for every set of rows it is asked about.

    On SQLite a few hundred of the rows first ask after their own projects: a scope holding a fair
    share of the table answers there, without listing its projects (a department's 30,000 at
    100,000 projects, 5 ms). Only when none of them is in scope is the scope listed, and then it
    holds at most a small share of the table, or none of it. PostgreSQL answers the scope's
    subquery from the units' indexes at once (0.5 ms), where it would read the rows to join them
    to the probe's (6–12 ms)."""
    listed = project_scope(user, prefix)
    each_row = project_scope(user, prefix, each_row=True) if connection.vendor == "sqlite" else None

    def any_of(rows: models.QuerySet[Any]) -> bool:
        if listed is None:
            return rows.exists()
        if each_row is not None:
            probe = rows.filter(pk__in=rows.order_by().values("pk")[:PROBE_ROWS])
            if probe.filter(each_row).exists():
                return True
        return rows.filter(listed).exists()

    return any_of


def writes_what_it_reads(user: "User | AnonymousUser") -> bool:
    """Whether project_scope() gives `user` the same projects to write as to read."""
    if not user.is_authenticated or not user.is_active:
        return True
    if user.edits_everything:
        return user.sees_everything
    return user.edits_own and not user.sees_everything


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset of rows that belong to a project; `scope_prefix` is the path to it."""

    scope_prefix = "project__"
    # A table of a few rows beside the projects: each row asks after its own project's scope.
    few_rows = False

    def visible_to(self, user: "User | AnonymousUser") -> Self:
        condition = project_scope(user, self.scope_prefix, each_row=self.few_rows)
        return self if condition is None else self.filter(condition)

    def editable_by(self, user: "User | AnonymousUser") -> Self:
        condition = project_scope(user, self.scope_prefix, write=True, each_row=self.few_rows)
        return self if condition is None else self.filter(condition)


class ProjectQuerySet(ScopedQuerySet["Project"]):
    scope_prefix = ""

    def with_list_relations(self) -> Self:
        return self.select_related("category", "industry", "responsible_unit", "town", "owner_unit")

    def count_visible(self, user: "User | AnonymousUser") -> int:
        """How many of these projects `user` may read, visible_to(user).count(), in two counts each
        read from an index alone: the projects answering to a unit of the user's subtree, and
        those owned in it answering to a unit outside it or to none yet (the index on the owner
        and the responsible unit). Counted as one OR, PostgreSQL read each of a department's
        21,800 projects from the table (15 ms at 100,000 projects)."""
        if project_scope(user) is None:
            return self.count()
        if not user.is_authenticated or not user.is_active or user.unit is None:
            return 0
        from org.models import among, subtree

        units = subtree(user.unit.path)
        answering = self.filter(among("responsible_unit", units))
        owned = self.filter(among("owner_unit", units)).exclude(among("responsible_unit", units))
        return answering.count() + owned.count()
