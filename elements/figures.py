"""资金与要素保障 figures: funding by source, special bonds and their spending pace, elements waiting."""

from dataclasses import replace
from datetime import date
from typing import Any, overload

from django.db.models import Count
from django.utils import timezone

from elements import cells, funding_cells
from elements.choices import SPECIAL_BOND, PaceLevel
from elements.models import ElementNeed, FundingRecord
from elements.querysets import AMOUNTS, ZERO, ElementNeedQuerySet, FundingRecordQuerySet
from figures.registry import Context
from plans.scope import Scope, scope_projects


@overload
def scoped(model: type[FundingRecord], year: int, scope: Scope | None) -> FundingRecordQuerySet: ...
@overload
def scoped(model: type[ElementNeed], year: int, scope: Scope | None) -> ElementNeedQuerySet: ...
def scoped(
    model: type[FundingRecord] | type[ElementNeed], year: int, scope: Scope | None
) -> FundingRecordQuerySet | ElementNeedQuerySet:
    """The rows of `model` for the projects in `scope` (see plans.scope.scope_projects)."""
    rows = model.objects.all()
    if scope is None:
        return rows

    # The user's scope goes through the model's own visible_to (element needs are also seen by the
    # department that supplies them); the rest through the projects.
    if scope.user is not None:
        rows = rows.visible_to(scope.user)
    if scope.narrowed:
        rows = rows.filter(project__in=scope_projects(year, replace(scope, user=None)))
    return rows


def funding_figures(
    year: int,
    scope: Scope | None = None,
    today: date | None = None,
    levels: dict[str, int] | None = None,
) -> dict[str, Any]:
    """资金保障 of `year` by source: projects supported, 计划/下达/到位/支出 and rates; 专项债 projects,
    发行额度 and the bonds spending behind pace (黄灯/红灯), the `levels` counted when the caller has them."""
    records = scoped(FundingRecord, year, scope).filter(year=year)
    # The totals are the sums of the sources' rows; what does not add up across sources (projects,
    # the bonds' issue batches) is counted on its own. A scope of the user's data alone (or every
    # project) is added up from the summary (elements.funding_cells), any other from the records,
    # through the index on (year, source, …).
    if (scope is None or not scope.narrowed) and funding_cells.SUMMARY.refreshed([year]):
        user = scope.user if scope is not None else None
        by_source = funding_cells.source_rows(year, user)
        projects = funding_cells.project_count(year, user)

        def batches(source: int) -> int:
            return funding_cells.batch_count(year, user, source)

    else:
        by_source = records.by_source()
        projects = records.aggregate(n=Count("project", distinct=True))["n"]

        def batches(source: int) -> int:
            return records.filter(source_id=source).aggregate(n=Count("issue_batch", distinct=True))["n"]

    bond = next((row for row in by_source if row["code"] == SPECIAL_BOND), None)
    if levels is None:
        levels = records.behind_pace(today or timezone.localdate()).counts()
    return {
        "year": year,
        "totals": {
            "records": sum(source["records"] for source in by_source),
            "projects": projects,
            **{name: sum((source[name] for source in by_source), ZERO) for name in AMOUNTS},
        },
        "by_source": by_source,
        "special_bond": {
            "source": SPECIAL_BOND,
            "projects": bond["projects"] if bond else 0,
            "batches": batches(bond["source"]) if bond else 0,
            **{name: bond[name] if bond else ZERO for name in AMOUNTS},
            "yellow": levels[PaceLevel.YELLOW],
            "red": levels[PaceLevel.RED],
        },
    }


def element_figures(year: int, scope: Scope | None = None) -> dict[str, Any]:
    """要素保障: needs by element type (needed, secured, of which 耕地) and the waiting ones by department;
    for a scope of the user's data alone (or every project), from the summary (elements.cells)."""
    if (scope is None or not scope.narrowed) and cells.refreshed():
        user = scope.user if scope is not None else None
        return {
            "by_type": cells.by_type(user),
            "waiting_by_department": cells.waiting_by_department(user),
            "waiting": cells.waiting_count(user),
        }
    needs = scoped(ElementNeed, year, scope)
    return {
        "by_type": needs.by_type(),
        "waiting_by_department": needs.waiting().by_department(),
        "waiting": needs.waiting().count(),
    }


def figures_section(context: Context) -> dict[str, Any]:
    """资金保障 of the year as it stood at the end of the month (or today)."""
    return {"funding": funding_figures(context.year, context.scope, today=context.as_of)}
