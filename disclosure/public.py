"""重点建设项目信息公开: what the public site and the open-data export show, and nothing else.

Only the projects the coordinator's office marked public (`Project.is_public`), only accepted
(已审核) figures, only the photos marked public. Never a person (分包领导, 首席服务员, 责任人,
contacts), a phone number, a problem, a warning, a note or the reason given for a status: the
public pages and the export name each field they show, and read the accepted figures only
(disclosure/tests/test_no_leaks.py fills every other field and looks for it in what they show).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import timezone

from figures import cells
from figures.compute import plan_totals
from lib.numbers import quantize
from plans.choices import PlanLevel
from plans.models import Plan, PlanEntry
from plans.scope import Scope
from progress.choices import ReportState
from progress.models import MonthlyProgress, Report, ReportPhoto, period_seq
from projects.models import Project

ZERO = Decimal("0.00")
# The order plans are listed in, and which entry gives a project's 年度计划投资 when it is on
# several lists in a year (the local one first, as the figures count it: plans.counting).
LEVEL_ORDER: list[str] = [PlanLevel.LOCAL, PlanLevel.CITY, PlanLevel.PROVINCE]


def public_projects() -> QuerySet[Project]:
    """公开项目: the projects the coordinator's office marked public, with what their pages name."""
    return (
        Project.objects.filter(is_public=True)
        .select_related("category", "industry", "town", "responsible_unit", "owner_unit")
        .order_by("name_key", "name", "id")
    )


def latest_accepted_month(year: int, today: date | None = None) -> int | None:
    """The latest month of `year`, up to today's, with an accepted report: what "completed so far"
    is counted to. None before the year's first accepted report."""
    today = today or timezone.localdate()
    rows = Report.objects.filter(state=ReportState.ACCEPTED, year=year)
    if year == today.year:
        rows = rows.filter(seq__lte=period_seq(today.year, today.month, 9))
    return rows.aggregate(month=Max("month"))["month"]


def disclosure_year(today: date | None = None) -> int:
    """The year the public site reports on: this year once a plan of it is in force, else the latest
    year with a plan in force (January, before this year's plans are issued)."""
    today = today or timezone.localdate()
    years = Plan.objects.in_force().filter(year__lte=today.year).aggregate(year=Max("year"))["year"]
    return years or today.year


@dataclass
class PlanSummary:
    """A plan in force as the public site shows it: its totals and how many of its projects are public."""

    plan: Plan
    count: int
    total_investment: Decimal
    annual_plan: Decimal
    completed: Decimal
    completion_rate: Decimal | None
    public_count: int


def plan_summaries(year: int, month: int | None) -> list[PlanSummary]:
    """年度计划汇总: each plan in force of `year` with its number of projects, 总投资, 年度计划投资 and
    年度完成投资 to the end of `month` (nothing completed before the year's first accepted report).
    The totals cover the whole plan, as the office publishes them; they and the number of its public
    projects are read from the figures' summary, every plan in one statement."""
    plans = sorted(Plan.objects.in_force().filter(year=year), key=lambda plan: LEVEL_ORDER.index(plan.level))
    sums: dict[int, dict[str, Any]] = {}
    if plans:
        cells.refresh([year])
        # Each plan's own cells (so no counting across levels), of `month` or, before the first
        # accepted report, of January for the count and amounts planned.
        sums = cells.plan_sums(year, month or 1, Scope(), [plan.pk for plan in plans])
    summaries = []
    for plan in plans:
        own = sums.get(plan.pk)
        totals = plan_totals(PlanEntry.objects.filter(plan=plan), year, month or 1, [own] if own else [])
        summaries.append(
            PlanSummary(
                plan=plan,
                count=int(totals["count"]),
                total_investment=quantize(Decimal(totals["total_investment"]), 2),
                annual_plan=quantize(Decimal(totals["annual_plan"]), 2),
                completed=totals["completed"] if month else ZERO,
                completion_rate=totals["completion_rate"] if month else None,
                public_count=own["public"] if own else 0,
            )
        )
    return summaries


def plan_entries_by_year(project_ids: list[int], year: int | None = None) -> dict[int, list[PlanEntry]]:
    """Each project's entries on the plans in force (of `year`, or of every year), one per year (the
    local list first), oldest first: its 年度计划投资 year by year."""
    entries = PlanEntry.objects.filter(
        plan__in=Plan.objects.in_force(), project_id__in=project_ids
    ).select_related("plan")
    if year is not None:
        entries = entries.filter(plan__year=year)
    chosen: dict[tuple[int, int], PlanEntry] = {}
    for entry in sorted(entries, key=lambda e: (e.plan.year, LEVEL_ORDER.index(e.plan.level))):
        chosen.setdefault((entry.project_id, entry.plan.year), entry)
    found: dict[int, list[PlanEntry]] = {}
    for (project_id, _year), entry in sorted(chosen.items()):
        found.setdefault(project_id, []).append(entry)
    return found


def annual_plans(project_ids: list[int], year: int) -> dict[int, PlanEntry]:
    """年度计划投资: each project's entry on `year`'s plans in force (the local list first)."""
    return {pid: entries[0] for pid, entries in plan_entries_by_year(project_ids, year).items()}


def monthly_completed(project_ids: list[int], year: int | None = None) -> dict[int, list[MonthlyProgress]]:
    """月度完成投资: each project's accepted figures month by month (of `year`, or of every year)."""
    rows = MonthlyProgress.objects.filter(project_id__in=project_ids)
    if year is not None:
        rows = rows.filter(year=year)
    found: dict[int, list[MonthlyProgress]] = {}
    for row in rows.order_by("project_id", "year", "month"):
        found.setdefault(row.project_id, []).append(row)
    return found


def physical_progress(project_ids: list[int], year: int | None = None) -> dict[int, list[Report]]:
    """形象进度: each project's accepted reports that give a percentage, the last one of each month."""
    reports = Report.objects.filter(
        project_id__in=project_ids, state=ReportState.ACCEPTED, progress_percent__isnull=False
    ).only("project_id", "year", "month", "part", "seq", "progress_percent", "reviewed_at")
    if year is not None:
        reports = reports.filter(year=year)
    by_month: dict[tuple[int, int, int], Report] = {}
    for report in reports.order_by("seq"):
        by_month[(report.project_id, report.year, report.month)] = report
    found: dict[int, list[Report]] = {}
    for (project_id, _year, _month), report in sorted(by_month.items()):
        found.setdefault(project_id, []).append(report)
    return found


def latest_progress(project: Project) -> Report | None:
    """The latest accepted report: its 形象进度 text and percentage are what the public page shows."""
    return (
        Report.objects.filter(project=project, state=ReportState.ACCEPTED)
        .only("year", "month", "part", "seq", "progress_percent", "progress_text")
        .order_by("-seq")
        .first()
    )


def public_photos(project: Project, limit: int = 24) -> list[ReportPhoto]:
    """The project's photos marked public, newest period first."""
    return list(
        ReportPhoto.objects.filter(report__project=project, is_public=True)
        .select_related("report")
        .only("id", "taken_at", "uploaded_at", "report__year", "report__month", "report__seq")
        .order_by("-report__seq", "-taken_at", "-id")[:limit]
    )


def public_photo(pk: int) -> ReportPhoto | None:
    """A photo marked public of a public project, or None."""
    return (
        ReportPhoto.objects.filter(pk=pk, is_public=True, report__project__is_public=True)
        .only("id", "thumbnail", "image")
        .first()
    )


def last_changed(projects: QuerySet[Project]) -> datetime | None:
    """When what the public sees of `projects` last changed: a project saved, a report accepted."""
    stamps: list[Any] = [
        projects.aggregate(at=Max("updated_at"))["at"],
        Report.objects.filter(project__in=projects.values("pk"), state=ReportState.ACCEPTED).aggregate(
            at=Max("reviewed_at")
        )["at"],
    ]
    found = [stamp for stamp in stamps if stamp is not None]
    return max(found) if found else None
