"""Figures of the 分包领导 and of the 首席服务员专班 for a period and a scope (figures.registry sections):
"由20名县级领导分包了39个项目", each leader's projects and how they go, the teams and the services recorded."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from alerts.choices import AlertState, Colour
from alerts.models import Alert
from figures import cells
from figures.registry import Context
from lib.numbers import ahead_of_progress, completion_rate, period_time_progress, quantize
from org.models import Person
from plans.models import PlanEntry
from plans.scope import Scope, filtered_entries, scope_entries
from problems.choices import UNSOLVED
from problems.models import Problem
from progress.yearly import completed_sum, with_progress
from projects.models import Project
from projects.querysets import project_scope
from service import cells as leader_cells
from service.choices import ServiceResult
from service.models import ServiceRecord, TeamMember

ZERO = Decimal("0.00")
LEADER = "project__leader_in_charge"


def leader_rows(
    entries: QuerySet[PlanEntry],
    year: int,
    month: int,
    today: date | None = None,
    scope: Scope | None = None,
    leader: Person | None = None,
) -> list[dict[str, Any]]:
    """Each 分包领导 of the entries' projects: projects led, 年度计划投资, 年度完成投资, completion rate
    against time progress, open warnings (red, yellow) and unsolved problems; the best completion rate
    first, ties by the larger amount done, then by name. A handful of grouped queries, whatever the
    number of projects. Given the `scope` the entries are of (and the `leader` they are narrowed
    to), the sums are read from the leader cells (leader_groups())."""
    return leader_table(entries, year, month, today, scope, leader)[0]


def leader_groups(
    entries: QuerySet[PlanEntry],
    year: int,
    month: int,
    scope: Scope | None = None,
    leader: Person | None = None,
) -> list[dict[str, Any]]:
    """Per leader of the entries' projects (None: the entries without one): entries, 年度计划投资,
    年度完成投资 at the end of `month` and the open warnings, red and yellow. Given the `scope` the
    entries are of, and the `leader` they are narrowed to if any, read from the leader cells
    (service.cells) when they serve the scope and can be brought up to date at once; else from
    the tables."""
    if scope is not None and cells.serves(scope):
        _listed, in_force = filtered_entries(year, scope)
        if not in_force:
            return []
        if leader_cells.refreshed([year]):
            return leader_cells.leader_sums(year, month, scope, in_force, leader.pk if leader else None)
    # Projects led, 年度计划投资 and 年度完成投资 in one pass over the entries and their year's
    # progress, the entries without a leader as one more group.
    groups = [
        {
            "leader_id": row[LEADER],
            "count": row["count"],
            "annual_plan": row["annual_plan"],
            "done": row["done"],
        }
        for row in with_progress(entries, year)
        .values(LEADER)
        .annotate(count=Count("id"), annual_plan=Sum("annual_investment"), done=completed_sum(month))
        .order_by()
    ]
    if not any(group["leader_id"] is not None for group in groups):
        return groups
    # The leader is asked of the warning's own project: asked of the entries' too, the projects
    # were read twice.
    alerts = {
        row[LEADER]: row
        for row in Alert.objects.filter(
            state=AlertState.OPEN,
            project_id__in=entries.values("project_id"),
            **{f"{LEADER}__isnull": False},
        )
        .order_by()
        .values(LEADER)
        .annotate(
            red=Count("id", filter=Q(colour=Colour.RED)), yellow=Count("id", filter=Q(colour=Colour.YELLOW))
        )
    }
    for group in groups:
        warnings = alerts.get(group["leader_id"], {})
        group["red"] = warnings.get("red", 0)
        group["yellow"] = warnings.get("yellow", 0)
    return groups


def leader_table(
    entries: QuerySet[PlanEntry],
    year: int,
    month: int,
    today: date | None = None,
    scope: Scope | None = None,
    leader: Person | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """leader_rows(), and how many entries there are, led or not, counted in the same pass. Given a
    `scope`, `entries` are scope_entries(year, scope), of `leader`'s projects when given."""
    every = leader_groups(entries, year, month, scope, leader)
    entry_count = sum(row["count"] for row in every)
    grouped = [row for row in every if row["leader_id"] is not None and row["count"]]
    if not grouped:
        return [], entry_count
    problems = unsolved_by_leader(entries, year, scope, leader)
    people = {
        p.pk: p
        for p in Person.objects.filter(pk__in=[row["leader_id"] for row in grouped]).select_related("unit")
    }
    progress = period_time_progress(year, month, today)
    rows = []
    for row in grouped:
        person = people.get(row["leader_id"])
        if person is None:
            continue
        annual_plan = quantize(row["annual_plan"] or ZERO, 2)
        completed = quantize(row["done"] or ZERO, 2)
        rate = completion_rate(completed, annual_plan)
        rows.append(
            {
                "person_id": person.pk,
                "name": person.name,
                "post": person.post,
                "unit": person.unit.name if person.unit else "",
                "count": row["count"],
                "annual_plan": annual_plan,
                "completed": completed,
                "completion_rate": rate,
                "time_progress": progress,
                "ahead_points": ahead_of_progress(rate, progress),
                "alerts_red": row["red"],
                "alerts_yellow": row["yellow"],
                "problems_open": problems.get(row["leader_id"], 0),
            }
        )
    rows.sort(
        key=lambda r: (
            -(r["completion_rate"] if r["completion_rate"] is not None else Decimal(-1)),
            -r["completed"],
            r["name"],
        )
    )
    return rows, entry_count


def unsolved_by_leader(
    entries: QuerySet[PlanEntry], year: int, scope: Scope | None, leader: Person | None = None
) -> dict[int, int]:
    """Unsolved problems per leader of the entries' led projects. Unsolved problems are few beside
    the entries: each is asked whether its project is led. Given the `scope` the entries are of
    (scope_entries(year, scope), of `leader`'s projects when given), the user's data scope is
    asked of each problem's own project rather than inside the question about its entries: there
    it is the scope's projects as an OR of two units, and SQLite read every project for that (a
    department's 分包领导 at 100,000 projects)."""
    problems = Problem.objects.filter(status__in=UNSOLVED)
    if scope is not None and scope.user is not None:
        mine = project_scope(scope.user, "project__", each_row=True)
        if mine is not None:
            problems = problems.filter(mine)
        entries = scope_entries(year, replace(scope, user=None))
        if leader is not None:
            entries = entries.filter(**{LEADER: leader})
    led = entries.exclude(**{f"{LEADER}__isnull": True})
    return dict(
        problems.filter(Exists(led.filter(project_id=OuterRef("project_id"))))
        .order_by()
        .values(LEADER)
        .annotate(n=Count("id"))
        .values_list(LEADER, "n")
    )


def leaders_section(context: Context) -> dict[str, Any]:
    """分包领导: how many leaders are responsible for how many of the scope's projects ("由20名县级领导
    分包了39个项目"), of how many, and the table per leader."""
    # A month under way has its time progress by days, as the dashboard and the big screen show it.
    rows, entry_count = leader_table(
        context.entries, context.year, context.month, timezone.localdate(), context.scope
    )
    return {
        "leaders": {
            "leaders": len(rows),
            "projects": sum(row["count"] for row in rows),
            "of_projects": entry_count,
            "rows": rows,
        }
    }


def service_figures(start: date, end: date, projects: QuerySet[Any] | None = None) -> dict[str, Any]:
    """首席服务员专班: projects with a chief officer and with a team (专班成员 besides the chief), team
    members, and the services recorded (服务台账) from `start` to `end`, of which resolved; `projects`
    None means every project."""
    registry = Project.objects.all() if projects is None else Project.objects.filter(pk__in=projects)
    members = (
        TeamMember.objects.all() if projects is None else TeamMember.objects.filter(project__in=projects)
    )
    records = ServiceRecord.objects.in_period(start, end)
    if projects is not None:
        records = records.filter(project__in=projects)
    served = records.aggregate(
        records=Count("id"),
        resolved=Count("id", filter=Q(result=ServiceResult.RESOLVED)),
        projects_served=Count("project_id", distinct=True),
    )
    return {
        "with_chief_officer": registry.filter(chief_officer__isnull=False).count(),
        "with_team": members.values("project_id").distinct().count(),
        "team_members": members.count(),
        **served,
    }


def service_section(context: Context) -> dict[str, Any]:
    """专班与服务台账 from January to the end of the month, for the scope's projects."""
    return {"service": service_figures(context.start, context.as_of, context.projects)}
