"""Which projects must report for a period (应报项目)."""

from django.db.models import Q, QuerySet

from plans.models import Plan, PlanEntry
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


def projects_due(period: Period, projects: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """应报项目: on a plan in force that year, started by the period's end, not completed before it began."""
    projects = Project.objects.all() if projects is None else projects
    plans = Plan.objects.in_force().filter(year=period.year)
    listed = PlanEntry.objects.filter(plan__in=plans).values("project_id")
    return projects.filter(due_condition(period), pk__in=listed)
