"""Which projects must report for a period (应报项目)."""

import operator
from collections.abc import Iterable
from functools import reduce

from django.db.models import Q, QuerySet

from plans.models import Plan, PlanEntry
from progress.choices import PARTS_PER_MONTH, Frequency
from progress.periods import Period
from projects.choices import ProjectStatus
from projects.models import Project

REPORTING_STATUSES = (
    ProjectStatus.CONSTRUCTION,
    ProjectStatus.SUSPENDED,
    ProjectStatus.COMPLETED,
    ProjectStatus.OPERATING,
)


def due_condition(period: Period, prefix: str = "") -> Q:
    """What makes a project (reached through `prefix`) due to report for `period`, apart from being
    on a plan in force: started by the period's end, not completed before it began, reporting at
    the period's frequency."""
    return (
        Q(**{f"{prefix}actual_completion_date__isnull": True})
        | Q(**{f"{prefix}actual_completion_date__gte": period.start})
    ) & Q(
        **{
            f"{prefix}status__in": REPORTING_STATUSES,
            f"{prefix}actual_start_date__lte": period.end,
            f"{prefix}report_frequency": period.frequency,
        }
    )


def month_periods(year: int, month: int, frequencies: Iterable[str] | None = None) -> list[Period]:
    """Every reporting period of a month: the month itself, its halves, its ten-day parts (of the
    frequencies named, or of all)."""
    wanted = Frequency.values if frequencies is None else list(frequencies)
    return [
        Period(year, month, part, frequency)
        for frequency in Frequency.values
        if frequency in wanted
        for part in range(1, PARTS_PER_MONTH[Frequency(frequency)] + 1)
    ]


def due_in_part(year: int, month: int, part: int, frequencies: Iterable[str], prefix: str = "") -> Q:
    """Due to report for the `part`-th period of the month, at whichever of `frequencies` the
    project reports (a monthly project has only a first part)."""
    conditions = [
        due_condition(period, prefix)
        for period in month_periods(year, month, frequencies)
        if period.part == part
    ]
    return reduce(operator.or_, conditions)


def projects_due(period: Period, projects: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """应报项目: on a plan in force that year, started by the period's end, not completed before it began."""
    projects = Project.objects.all() if projects is None else projects
    plans = Plan.objects.in_force().filter(year=period.year)
    listed = PlanEntry.objects.filter(plan__in=plans).values("project_id")
    return projects.filter(due_condition(period), pk__in=listed)
