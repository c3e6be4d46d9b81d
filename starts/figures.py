"""集中开工 figures: the events of a year, their projects and investment, and the stalled ones."""

from datetime import date
from typing import Any

from django.utils import timezone

from figures.registry import Context
from plans.scope import Scope, is_whole, scope_projects
from starts import cells
from starts.models import StartEvent, StartEventProject
from starts.querysets import StartEventProjectQuerySet


def scoped_members(year: int, scope: Scope | None = None) -> StartEventProjectQuerySet:
    """集中开工项目 of events held in `year`, for the projects in `scope`."""
    members = StartEventProject.objects.filter(event__year=year)

    if scope is None or is_whole(scope):
        return members

    return members.filter(project__in=scope_projects(year, scope))


def collective_start_figures(
    year: int, scope: Scope | None = None, today: date | None = None
) -> dict[str, Any]:
    """共组织项目集中开工活动 n 次，集中开工项目共计 n 个，概算投资 x，年度计划投资 y; and how many have not
    shown substantive construction within the check window (未实质性开工). A scope of the user's data
    alone is added up from the start cells (starts.cells), any other from the tables."""
    today = today or timezone.localdate()
    # In the whole registry's scope every event counts, even one whose projects were all removed;
    # in a narrower scope, the events with a project in it.
    everything = _unnarrowed(scope) and (scope is None or scope.user is None or scope.user.sees_everything)
    if _unnarrowed(scope) and cells.refreshed([year]):
        totals = cells.year_totals(year, scope.user if scope else None, today)
        if everything:
            totals["events"] = StartEvent.objects.filter(year=year).count()
        return {"year": year, **totals}
    members = scoped_members(year, scope)
    events = (
        StartEvent.objects.filter(year=year)
        if everything
        else members.order_by().values("event_id").distinct()
    )
    return {
        "year": year,
        "events": events.count(),
        **members.project_totals(year),
        "stalled": members.stalled(today).order_by().values("project_id").distinct().count(),
    }


def _unnarrowed(scope: Scope | None) -> bool:
    """No unit, town, category, level or plan type narrows the scope."""
    return scope is None or not scope.narrowed


def figures_section(context: Context) -> dict[str, Any]:
    """集中开工 of the year as it stood at the end of the month (or today)."""
    return {"collective_starts": collective_start_figures(context.year, context.scope, today=context.as_of)}
