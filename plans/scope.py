"""Which plan entries and projects a figure covers (its 口径): the chokepoint every app's figures
are scoped through.

A scope is a set of plan entries of one year: the plans in force, of one level or of all levels
(a project on several lists counts once, under its local entry first, then city, then province,
see plans.counting), narrowed by responsible unit (with its sub-units), town, category, plan
type, 投资性质, size (总投资 at least so many 万元) and named list (清单), and by what the user may see.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import QuerySet

from catalog.models import Category
from org.models import Unit, in_subtree
from plans.models import Plan, PlanEntry
from projects.models import Project
from projects.page import ProjectList
from projects.querysets import project_scope

RowsT = TypeVar("RowsT", bound=QuerySet[Any])


@dataclass(frozen=True)
class Scope:
    """Which plan entries a figure covers."""

    level: str | None = None
    unit: Unit | None = None
    town: Unit | None = None
    category: Category | None = None
    plan_type: str | None = None
    user: Any = None
    # 投资性质 (projects.choices.InvestmentNature) and the least 总投资 in 万元 ("亿元以上" is 10000).
    nature: str | None = None
    min_total: Decimal | None = None
    # 清单: a named list of projects (projects.page.ProjectList), its projects read live.
    project_list: ProjectList | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "unit": self.unit.pk if self.unit else None,
            "unit_name": self.unit.name if self.unit else None,
            "town": self.town.pk if self.town else None,
            "category": self.category.code if self.category else None,
            "plan_type": self.plan_type,
            "nature": self.nature,
            "min_total": self.min_total,
            "list": self.project_list.pk if self.project_list else None,
            "list_name": self.project_list.name if self.project_list else None,
        }

    @property
    def narrowed(self) -> bool:
        """Whether a level, unit, town, category, plan type, nature, size or list narrows the scope."""
        return bool(
            self.level or self.unit or self.town or self.category or self.plan_type or self.cuts_projects
        )

    @property
    def cuts_projects(self) -> bool:
        """Whether 投资性质, size or a list narrows the scope (the figures' summary cells are not cut by
        them, so such a scope is computed from the tables)."""
        return self.nature is not None or self.min_total is not None or self.project_list is not None

    def narrow(self, rows: RowsT, prefix: str = "project__") -> RowsT:
        """`rows` (reaching their project through `prefix`) narrowed by the scope's user, unit (with
        its sub-units), town, category, nature, size and list; level and plan type are left to the caller."""
        if self.user is not None:
            rows = rows.visible_to(self.user)  # type: ignore[attr-defined]  # the scoped querysets all have it
        if self.unit is not None:
            rows = rows.filter(in_subtree(f"{prefix}responsible_unit", self.unit.path))
        if self.town is not None:
            rows = rows.filter(**{f"{prefix}town": self.town})
        if self.category is not None:
            rows = rows.filter(**{f"{prefix}category": self.category})
        if self.nature is not None:
            rows = rows.filter(**{f"{prefix}investment_nature": self.nature})
        if self.min_total is not None:
            rows = rows.filter(**{f"{prefix}total_investment__gte": self.min_total})
        if self.project_list is not None:
            rows = rows.filter(**{f"{prefix}id__in": self.project_list.project_ids()})
        return rows

    @property
    def user_sees_everything(self) -> bool:
        """Whether the scope's user (if any) sees every project, so that the user is no restriction."""
        return self.user is None or project_scope(self.user) is None


def filtered_entries(year: int, scope: Scope) -> tuple[QuerySet[PlanEntry], dict[int, str]]:
    """The entries of `year`'s plans in force narrowed by `scope`, a project on each list it is on;
    and those plans' levels by id."""
    plans = Plan.objects.in_force().filter(year=year)
    if scope.level:
        plans = plans.filter(level=scope.level)
    # The plans in force are a handful of rows. Naming them lets the database plan what follows
    # from its statistics; through the correlated version subquery it guessed one row and chose
    # nested loops that took seconds over years of monthly progress.
    in_force = dict(plans.values_list("pk", "level"))
    entries = scope.narrow(PlanEntry.objects.filter(plan_id__in=list(in_force)))
    if scope.plan_type:
        entries = entries.filter(plan_type=scope.plan_type)
    return entries, in_force


def counting_entries(
    entries: QuerySet[PlanEntry], in_force: dict[int, str]
) -> tuple[QuerySet[PlanEntry], dict[int, str]]:
    """Of filtered_entries(), the one entry per project that counts when the levels are added."""
    if len(in_force) <= 1:
        return entries, in_force
    # Local first, then city, then province. The plans keep that entry marked (plans.counting),
    # so the scope is a plain filter.
    return entries.filter(counted=True), in_force


def scope_entries(year: int, scope: Scope) -> QuerySet[PlanEntry]:
    """计划口径: the plan entries of `year` in `scope`, one per project."""
    entries, _in_force = counting_entries(*filtered_entries(year, scope))
    return entries


def scope_projects(year: int, scope: Scope) -> QuerySet[Project]:
    """项目口径: the projects in `scope`, for figures that are not about one plan's entries.

    Unit, town, category, nature, size, list and the user's data scope narrow the registry; a level or a plan type
    keeps the projects on the plans in force of `year` that match it.
    """
    projects = scope.narrow(Project.objects.all(), prefix="")
    if scope.level or scope.plan_type:
        projects = projects.filter(pk__in=scope_entries(year, scope).values("project_id"))
    return projects


def is_whole(scope: Scope) -> bool:
    """Whether `scope` is every project: not narrowed, and its user (if any) sees everything."""
    return not scope.narrowed and scope.user_sees_everything
