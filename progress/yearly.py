"""Plan entries joined to their projects' year-to-date (YearProgress), for figures summed in the
database."""

from django.db.models import FilteredRelation, Q, QuerySet, Sum

from plans.models import PlanEntry
from progress.models import YearProgress


def this_year(year: int) -> FilteredRelation:
    """The summary row of `year` of an entry's project, for an outer join from plan entries."""
    return FilteredRelation("project__yearly", condition=Q(project__yearly__year=year))


def with_progress(entries: QuerySet[PlanEntry], year: int) -> QuerySet[PlanEntry]:
    """`entries` joined to their projects' summary row of `year` as "progress".

    One row per project and year, so the join multiplies nothing: counts and amounts of the
    entries are summed in the same pass as 年度完成投资.
    """
    return entries.order_by().alias(progress=this_year(year))


def completed_sum(month: int) -> Sum:
    """年度完成投资 at the end of `month`, summed over entries joined by with_progress()."""
    return Sum(f"progress__{YearProgress.column(month)}")
