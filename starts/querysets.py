"""Collective start events: scope, totals and the check for substantive construction."""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import models
from django.db.models import Case, Count, DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from plans.choices import PlanLevel
from plans.models import Plan, PlanEntry
from plans.scope import Scope, scope_entries
from progress.choices import ReportState
from progress.models import Report
from projects.choices import ProjectStatus
from projects.models import Project
from projects.querysets import ScopedQuerySet, project_scope
from starts.choices import ConstructionState

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from org.models import User
    from starts.models import StartEvent, StartEventProject

ZERO = Decimal("0.00")
MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)
# Reports that count as showing work on site: submitted for review or accepted.
COUNTED_REPORT_STATES = (ReportState.SUBMITTED, ReportState.ACCEPTED)


def construction_shown(prefix: str = "") -> Q:
    """实质性开工: a submitted or accepted report with an amount > 0 for a period of the check window,
    or an actual start date by the end of the window. `prefix` leads from the row to the membership."""

    reported = Exists(
        Report.objects.filter(
            project_id=OuterRef(f"{prefix}project_id"),
            state__in=COUNTED_REPORT_STATES,
            amount__gt=0,
            seq__gte=OuterRef(f"{prefix}event__first_report_seq"),
            seq__lte=OuterRef(f"{prefix}event__last_report_seq"),
        )
    )
    # Asked of the project by its key, as the reports are: a condition joining the project and the
    # event side by side under the OR led PostgreSQL to pair every project with every event.
    started = Exists(
        Project.objects.filter(
            pk=OuterRef(f"{prefix}project_id"), actual_start_date__lte=OuterRef(f"{prefix}event__check_by")
        )
    )
    return Q(reported) | Q(started)


class StartEventQuerySet(models.QuerySet["StartEvent"]):
    def visible_to(self, user: "User | AnonymousUser") -> "StartEventQuerySet":
        """Everyone who sees all projects sees every event; others, the events with a project of theirs."""
        condition = project_scope(user, "members__project__")
        if condition is None:
            return self
        from starts.models import StartEventProject

        members = StartEventProject.objects.visible_to(user).values("event_id")
        return self.filter(pk__in=members)

    def listed_with_totals(self, user: "User | AnonymousUser") -> list["StartEvent"]:
        """The events, each with the figures with_totals() annotates (project_count,
        total_investment, annual_investment), read for all of them in one grouped pass over the
        memberships the user may see, rather than three subqueries per event each asking again
        which projects are the user's."""
        from starts.models import StartEventProject

        events = list(self)
        years = {event.year for event in events}
        rows = (
            StartEventProject.objects.visible_to(user)
            .filter(event_id__in=[event.pk for event in events])
            .order_by()
            .annotate(annual=annual_plan_of_member(years.pop() if len(years) == 1 else None))
            .values("event_id")
            .annotate(
                project_count=Count("id"),
                total_investment=Sum("project__total_investment"),
                annual_investment=Sum("annual"),
            )
        )
        return with_figures(events, {row["event_id"]: row for row in rows})

    def with_totals(self, user: "User | AnonymousUser") -> "StartEventQuerySet":
        """Each event with the number, 概算投资 and 年度计划投资 of its projects the user may see.

        年度计划投资 is each project's entry on the plans in force of the event's year (local list
        first, then city, then province), so a project on several lists counts once.
        """
        from starts.models import StartEventProject

        members = StartEventProject.objects.visible_to(user).filter(event_id=OuterRef("pk")).order_by()
        count = members.values("event_id").annotate(n=Count("id")).values("n")
        total = members.values("event_id").annotate(t=Sum("project__total_investment")).values("t")
        annual = (
            members.annotate(annual=annual_plan_of_member())
            .values("event_id")
            .annotate(a=Sum("annual"))
            .values("a")
        )
        return self.annotate(
            project_count=Coalesce(Subquery(count), 0),
            total_investment=Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY),
            annual_investment=Coalesce(Subquery(annual, output_field=MONEY), Value(ZERO), output_field=MONEY),
        )


def with_figures(events: list["StartEvent"], figures: dict[int, dict[str, Any]]) -> list["StartEvent"]:
    """`events`, each given the project_count, total_investment and annual_investment of its row of
    `figures` (by event id; none: no project)."""
    for event in events:
        row = figures.get(event.pk, {})
        event.project_count = row.get("project_count") or 0  # type: ignore[attr-defined]
        event.total_investment = row.get("total_investment") or ZERO  # type: ignore[attr-defined]
        event.annual_investment = row.get("annual_investment") or ZERO  # type: ignore[attr-defined]
    return events


# 年度计划投资 of a project started is its entry on the local list first, then the city's, then the
# province's.
LEVEL_PRECEDENCE = [PlanLevel.LOCAL, PlanLevel.CITY, PlanLevel.PROVINCE]


def annual_plan_of_member(year: int | None = None) -> Coalesce | Subquery:
    """年度计划投资 of a membership's project on the plans in force of its event's year (`year`, when
    every membership asked about is of events of that year).

    The plans in force are read once, and asked level by level in precedence: each a look-up of
    the project on one plan, through the entries' unique (plan, project) index, rather than a
    sort of the project's entries by level for each membership. Given the year, a look-up names
    that year's plans alone and needs neither the event nor the plan joined."""
    plans = Plan.objects.in_force() if year is None else Plan.objects.in_force().filter(year=year)
    in_force = list(plans.values_list("pk", "level"))
    if not in_force:
        # A condition on no ids leaves the statement without a typed sum: the subquery itself.
        return Subquery(
            PlanEntry.objects.filter(plan__in=plans, project_id=OuterRef("project_id")).values(
                "annual_investment"
            )[:1],
            output_field=MONEY,
        )
    ranks = {str(level): rank for rank, level in enumerate(LEVEL_PRECEDENCE)}
    by_rank: dict[int, list[int]] = {}
    for pk, level in in_force:
        by_rank.setdefault(ranks.get(level, len(ranks)), []).append(pk)
    same_year = {} if year is not None else {"plan__year": OuterRef("event__year")}
    lookups = [
        Subquery(
            PlanEntry.objects.filter(plan__in=ids, project_id=OuterRef("project_id"), **same_year)
            .order_by("id")
            .values("annual_investment")[:1],
            output_field=MONEY,
        )
        for _rank, ids in sorted(by_rank.items())
    ]
    return Coalesce(*lookups, output_field=MONEY) if len(lookups) > 1 else lookups[0]


class MemberFigures(TypedDict):
    """What with_annual_plan() and with_construction_state() annotate on a membership."""

    annual_investment: Decimal
    construction_state: str


class StartEventProjectQuerySet(ScopedQuerySet["StartEventProject"]):
    scope_prefix = "project__"

    def with_annual_plan(self) -> "StartEventProjectQuerySet":
        return self.annotate(
            annual_investment=Coalesce(annual_plan_of_member(), Value(ZERO), output_field=MONEY)
        )

    def with_construction_state(self, today: date | None = None) -> "StartEventProjectQuerySet":
        """Each membership with `construction_state`: started, pending (window still open) or stalled."""
        today = today or timezone.localdate()
        return self.annotate(
            construction_state=Case(
                When(construction_shown(), then=Value(ConstructionState.STARTED.value)),
                When(event__check_by__gte=today, then=Value(ConstructionState.PENDING.value)),
                default=Value(ConstructionState.STALLED.value),
            )
        )

    def stalled(self, today: date | None = None) -> "StartEventProjectQuerySet":
        """集中开工项目未实质性开工: the check window has closed and nothing shows work on site.

        One query; cancelled projects are left out, since nothing is expected of them.
        """
        today = today or timezone.localdate()
        return (
            self.filter(event__check_by__lt=today)
            .exclude(project__status=ProjectStatus.CANCELLED)
            .exclude(construction_shown())
        )

    def project_totals(self, year: int) -> dict[str, Any]:
        """集中开工项目共计: distinct projects, 概算投资 and 年度计划投资 (plans in force of `year`).

        A project started at two events of the year counts once.
        """

        project_ids = self.values("project_id")
        row = Project.objects.filter(pk__in=project_ids).aggregate(
            count=Count("id"),
            total_investment=Coalesce(Sum("total_investment"), Value(ZERO), output_field=MONEY),
        )
        row["annual_investment"] = (
            scope_entries(year, Scope())
            .filter(project_id__in=project_ids)
            .aggregate(total=Coalesce(Sum("annual_investment"), Value(ZERO), output_field=MONEY))["total"]
        )
        return row
