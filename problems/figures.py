"""Figures of the problem ledger and of the meetings (DOMAIN §6) for a period and a set of projects,
and the problem board's counts."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from figures.registry import Context
from lib.numbers import percent
from problems.choices import UNSOLVED, MatterStatus, ProblemCategory, ProblemStatus
from problems.models import Matter, Meeting, Problem


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def as_of(end: date) -> date:
    """The period's last day, or today for a period still under way."""
    return min(end, timezone.localdate())


def problem_figures(start: date, end: date, projects: QuerySet | None = None) -> dict[str, Any]:
    """问题台账: raised (提出) in the period, of which solved (销号) by its end, closure rate (销号率),
    and overdue (超期未解决) at its end; `projects` None means every project."""
    problems = Problem.objects.all() if projects is None else Problem.objects.filter(project__in=projects)
    last = as_of(end)
    after = day_start(last + timedelta(days=1))
    raised = Q(raised_at__gte=day_start(start), raised_at__lt=after)
    unsolved_then = Q(resolved_at__isnull=True) | Q(resolved_at__gte=after)
    row = problems.aggregate(
        raised=Count("id", filter=raised),
        solved=Count("id", filter=raised & Q(status=ProblemStatus.RESOLVED, resolved_at__lt=after)),
        overdue=Count("id", filter=Q(raised_at__lt=after, deadline__lt=last) & unsolved_then),
    )
    row["closure_rate"] = percent(row["solved"], row["raised"], 1)
    return row


def meeting_figures(start: date, end: date, projects: QuerySet | list[int] | None = None) -> dict[str, Any]:
    """调度会议: meetings held (召开会议), matters decided (议定事项) and done, and problems solved through
    meetings (通过会议解决问题) in the period — "先后召开7次会议，议定116个事项，切实解决32个存在问题"."""
    last = as_of(end)
    meetings = Meeting.objects.filter(date__gte=start, date__lte=last)
    matters = Matter.objects.filter(meeting__in=meetings)
    solved = Problem.objects.filter(
        status=ProblemStatus.RESOLVED,
        resolved_at__lt=day_start(last + timedelta(days=1)),
        settled_by__meeting__in=meetings,
    )
    if projects is not None:
        matters = matters.filter(project__in=projects)
        agenda = Meeting.agenda.through.objects.filter(problem__project__in=projects).values("meeting_id")
        meetings = meetings.filter(Q(pk__in=matters.values("meeting_id")) | Q(pk__in=agenda))
        solved = solved.filter(project__in=projects)
    decided = matters.aggregate(
        decided=Count("id"),
        done=Count("id", filter=Q(status=MatterStatus.DONE)),
    )
    return {
        "held": meetings.count(),
        "matters_decided": decided["decided"],
        "matters_done": decided["done"],
        "problems_solved": solved.count(),
    }


def figures_section(context: Context) -> dict[str, Any]:
    """问题台账 and 调度会议 from January to the end of the month, for the scope's projects (every
    project, and every meeting, when the scope is the whole region as its user sees it)."""
    return {
        "problems": problem_figures(context.start, context.end, context.projects),
        "meetings": meeting_figures(context.start, context.end, context.projects),
    }


def board_counts(prefix: str, today: Any, overdue_after: int) -> dict[str, Count]:
    """The columns of the problem boards, counted in the database; `prefix` reaches the problem."""
    status, deadline = f"{prefix}status", f"{prefix}deadline"
    counted = f"{prefix}id" if prefix else "id"
    return {
        "total": Count(counted),
        **{
            value: Count(counted, filter=Q(**{status: value}))
            for value in (
                ProblemStatus.OPEN,
                ProblemStatus.IN_PROGRESS,
                ProblemStatus.ESCALATED,
                ProblemStatus.PENDING_CONFIRMATION,
                ProblemStatus.RESOLVED,
            )
        },
        "overdue": Count(
            counted,
            filter=Q(**{f"{status}__in": UNSOLVED, f"{deadline}__lt": today - timedelta(days=overdue_after)}),
        ),
    }


def with_rate(row: dict[str, Any]) -> dict[str, Any]:
    row["closure_rate"] = percent(row[ProblemStatus.RESOLVED], row["total"], 1)
    return row


def board(
    problems: QuerySet[Problem], today: date, overdue_after: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """问题看板 of `problems`: by category (in the categories' order), by responsible unit (in the
    unit tree's order, with the problems no unit is named for last) and the totals; each row with
    its counts by status, overdue (deadline passed `overdue_after` days ago) and closure rate."""
    labels = dict(ProblemCategory.choices)
    by_category = [
        with_rate({**row, "label": labels.get(row["category"], row["category"])})
        for row in problems.order_by().values("category").annotate(**board_counts("", today, overdue_after))
    ]
    by_category.sort(key=lambda row: list(labels).index(row["category"]) if row["category"] in labels else 99)
    through = Problem.responsible_units.through
    by_unit = [
        with_rate(row)
        for row in through.objects.filter(problem__in=problems)
        .order_by("unit__path")
        .values("unit_id", "unit__name")
        .annotate(**board_counts("problem__", today, overdue_after))
    ]
    unassigned = problems.filter(responsible_units=None).aggregate(**board_counts("", today, overdue_after))
    if unassigned["total"]:
        by_unit.append(with_rate({"unit_id": None, "unit__name": gettext("未明确责任单位"), **unassigned}))
    totals = with_rate(problems.aggregate(**board_counts("", today, overdue_after)))
    return by_category, by_unit, totals
