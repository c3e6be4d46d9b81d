"""Which projects must report for a period (应报项目), and the states of those periods on the 报送看板."""

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from lib.numbers import percent
from lib.sql import on_or_before
from plans.models import Plan, PlanEntry
from progress.choices import PARTS_PER_MONTH, BoardState, Frequency, ReportState
from progress.periods import Period, parts_in_month
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
    """Every reporting period of a month: the month itself, its halves, its ten-day parts, its
    weeks (of the frequencies named, or of all)."""
    wanted = Frequency.values if frequencies is None else list(frequencies)
    return [
        Period(year, month, part, frequency)
        for frequency in Frequency.values
        if frequency in wanted
        for part in range(1, parts_in_month(frequency, year, month) + 1)
    ]


def due_in_part(year: int, month: int, part: int, frequencies: Iterable[str], prefix: str = "") -> Q:
    """Due to report for the `part`-th period of the month, at whichever of `frequencies` the
    project reports (a monthly project has only a first part)."""
    conditions = [
        due_condition(period, prefix)
        for period in month_periods(year, month, frequencies)
        if period.part == part
    ]
    # A part none of the frequencies has this month (a fifth week) is due for nobody.
    return reduce(operator.or_, conditions, Q(**{f"{prefix}pk__in": []}))


def projects_due(period: Period, projects: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """应报项目: on a plan in force that year, started by the period's end, not completed before it began."""
    projects = Project.objects.all() if projects is None else projects
    plans = Plan.objects.in_force().filter(year=period.year)
    listed = PlanEntry.objects.filter(plan__in=plans).values("project_id")
    return projects.filter(due_condition(period), pk__in=listed)


# 报送看板 ------------------------------------------------------------------------------------------

# A report first submitted after its deadline and sent back: 已退回 on the board, and 迟报.
RETURNED_LATE = "returned_late"
# What each state of a period says: its 报送状态 on the board, 按时报送 (first submitted by the
# deadline: what the figures' 按时报送率 counts) and 迟报 as the board's filter means it
# (submitted late, or not at all by the deadline).
PERIOD_FACTS: dict[str, tuple[str, bool, bool]] = {
    BoardState.NOT_STARTED: (BoardState.NOT_STARTED, False, False),
    BoardState.DRAFT: (BoardState.DRAFT, False, False),
    BoardState.MISSING: (BoardState.MISSING, False, True),
    BoardState.LATE: (BoardState.LATE, False, True),
    BoardState.ACCEPTED: (BoardState.ACCEPTED, True, False),
    BoardState.SUBMITTED: (BoardState.SUBMITTED, True, False),
    BoardState.RETURNED: (BoardState.RETURNED, True, False),
    RETURNED_LATE: (BoardState.RETURNED, False, True),
}
# The rows' order: by name (拼音), the order of the projects' index `project_by_name`, so that a page
# is looked for at the head of the registry (lib.listing.PageRows).
ROWS_ORDER = ("name_key", "name", "id")
# What a project's row on the board holds besides the state of each part of the month.
PROJECT_COLUMNS = ("id", "name", "report_frequency", "responsible_unit_id", "owner_unit__name")
# What it holds of each part's report, as "<name>_<part>".
REPORT_COLUMNS = {"report_id": "id", "submitted_on": "first_submitted_at", "amount": "amount"}


# The board's state filters: none (every period) and each BoardState.
BOARD_FILTERS = ("", *BoardState.values)
# The period states each filter shows: 迟报 every late period, 已退回 every report sent back.
STATES_SHOWN: dict[str, frozenset[str]] = {
    state: frozenset(
        key
        for key, (shown, _on_time, late) in PERIOD_FACTS.items()
        if not state or shown == state or (late and state == BoardState.LATE)
    )
    for state in BOARD_FILTERS
}


def period_states_shown(state: str) -> frozenset[str]:
    """The period states the board's filter `state` shows (every one when it is none or not a
    state): 迟报 every late period, 已退回 every report sent back. Worked out once, at import: the
    summary asks for every line it adds up."""
    return STATES_SHOWN.get(state, STATES_SHOWN[""])


def month_parts(year: int, month: int) -> dict[int, list[Period]]:
    """The month's reporting periods by part: the first part of every frequency, the second of the
    half-monthly and ten-day ones, the third of the ten-day ones."""
    parts: dict[int, list[Period]] = {}
    for period in month_periods(year, month):
        parts.setdefault(period.part, []).append(period)
    return parts


@dataclass(frozen=True)
class PartState:
    """The periods of one part of a month (the month, its first half, its first ten days …), and the
    state of a project's period in it from its report, joined as `report_<part>`."""

    part: int
    periods: list[Period]
    today: date

    @property
    def report(self) -> str:
        return f"report_{self.part}"

    def relation(self) -> FilteredRelation:
        period = self.periods[0]
        return FilteredRelation(
            "reports",
            condition=Q(reports__year=period.year, reports__month=period.month, reports__part=self.part),
        )

    @property
    def due(self) -> Q:
        """Due to report for this part (at the project's frequency)."""
        period = self.periods[0]
        return due_in_part(period.year, period.month, self.part, [p.frequency for p in self.periods])

    def state(self) -> Case:
        """The period's state (a PERIOD_FACTS key), None when the project has no period due in this
        part; as the board has always judged it: not submitted — 漏报 once its deadline has passed by
        `today`, else 未填报 or 草稿; first submitted after the report's deadline — 迟报, or if sent
        back 已退回 and late; else 已审核, 已报送 or 已退回."""
        report = self.report
        not_submitted = Q(**{f"{report}__first_submitted_at__isnull": True})
        overdue = [period.frequency for period in self.periods if self.today > period.deadline]
        on_time = on_or_before(
            f"{report}__first_submitted_at", f"{report}__deadline", near=self.periods[0].start
        )
        missing = [When(not_submitted & Q(report_frequency__in=overdue), then=Value(BoardState.MISSING))]
        state = Case(
            *(missing if overdue else []),
            When(not_submitted & Q(**{f"{report}__id__isnull": True}), then=Value(BoardState.NOT_STARTED)),
            When(not_submitted, then=Value(BoardState.DRAFT)),
            When(
                Q(**{f"{report}__state__in": [ReportState.ACCEPTED, ReportState.SUBMITTED]}) & ~on_time,
                then=Value(BoardState.LATE),
            ),
            When(**{f"{report}__state": ReportState.ACCEPTED}, then=Value(BoardState.ACCEPTED)),
            When(**{f"{report}__state": ReportState.SUBMITTED}, then=Value(BoardState.SUBMITTED)),
            When(~on_time, then=Value(RETURNED_LATE)),
            default=Value(BoardState.RETURNED),
            output_field=CharField(),
        )
        return Case(When(self.due, then=state), default=None, output_field=CharField())


def month_states(year: int, month: int, today: date) -> list[PartState]:
    return [PartState(part, periods, today) for part, periods in month_parts(year, month).items()]


def plans_in_force(year: int) -> list[int]:
    """The plans in force in `year`: a handful of rows, named in the statements that ask after them
    so that the database plans from its statistics."""
    return list(Plan.objects.in_force().filter(year=year).values_list("pk", flat=True))


def on_plans(plans: list[int], narrow: bool = False) -> Q:
    """On one of `plans` (plans_in_force()), the first condition of 应报. `narrow`: the projects are
    few and an index finds them (one responsible unit's), so each is looked up in the plans; else
    the plans' projects are listed once, quicker than looking up each of many."""
    entries = PlanEntry.objects.filter(plan_id__in=plans)
    if narrow:
        return Q(Exists(entries.filter(project_id=OuterRef("pk"))))
    return Q(pk__in=entries.values("project_id"))


def due_projects(
    projects: QuerySet[Project], year: int, month: int, today: date
) -> tuple[QuerySet[Project], list[PartState]]:
    """board_projects() before the condition of being on a plan in force, which the caller adds
    (on_plans()): the same rows can then be asked as a set or one by one without building their
    states twice."""
    parts = month_states(year, month, today)
    due = (
        projects.order_by()
        .filter(reduce(operator.or_, (part.due for part in parts)))
        .alias(**{part.report: part.relation() for part in parts})
        .annotate(**{f"state_{part.part}": part.state() for part in parts})
    )
    return due, parts


def board_projects(
    projects: QuerySet[Project], year: int, month: int, today: date, narrow: bool = False
) -> tuple[QuerySet[Project], list[PartState]]:
    """The projects of `projects` that must report for the month (应报): on a plan in force that
    year, due for at least one period of it by due_condition(), the periods the figures' 按时报送率
    counts. Each is joined to its report of every part of the month and annotated with the state of
    its period in each ("state_<part>", None when it has none there, see PartState.state), as of
    `today`; and the parts. `narrow` as for on_plans()."""
    due, parts = due_projects(projects, year, month, today)
    return due.filter(on_plans(plans_in_force(year), narrow)), parts


@dataclass
class BoardCounts:
    """One line of the 报送看板's summary: the periods due (应报), how many in each state, and how many
    were first submitted by their deadline (按时报送率 = on time / due); and how many projects have
    periods that each state filter shows."""

    unit_id: int | None
    due: int = 0
    on_time: int = 0
    late: int = 0
    states: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BOARD_FILTERS[1:], 0))
    projects: dict[str, int] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.due, 1)

    def tally(self, period_state: str, periods: int) -> None:
        """Add `periods` periods in the state `period_state` (a PERIOD_FACTS key)."""
        state, on_time, late = PERIOD_FACTS[period_state]
        self.due += periods
        self.states[state] += periods
        self.on_time += periods if on_time else 0
        self.late += periods if late else 0

    def add(self, period_states: list[str], projects: int) -> None:
        """Add `projects` projects whose periods are in `period_states` (PERIOD_FACTS keys)."""
        for period_state in period_states:
            self.tally(period_state, projects)
        for shown in BOARD_FILTERS:
            if not STATES_SHOWN[shown].isdisjoint(period_states):
                self.projects[shown] = self.projects.get(shown, 0) + projects

    def count_of(self, state: str) -> int:
        """The periods the board's state filter `state` shows (all, when it is none): 迟报 holds
        every late period."""
        if state == BoardState.LATE:
            return self.late
        return self.states.get(state, self.due)

    def projects_of(self, state: str) -> int:
        """The projects with periods the state filter `state` shows (all, when it is none)."""
        return self.projects.get(state if state in STATES_SHOWN else "", 0)

    @property
    def by_state(self) -> list[tuple[str, str, int]]:
        """(state, label, periods in it), in the order of BoardState: they add up to the periods due."""
        return [(value, str(label), self.states[value]) for value, label in BoardState.choices]

    @property
    def by_filter(self) -> list[tuple[str, str, int]]:
        """(state, label, periods the state filter shows), in the order of BoardState."""
        return [(value, str(label), self.count_of(value)) for value, label in BoardState.choices]


def board_summary(
    projects: QuerySet[Project], year: int, month: int, today: date, narrow: bool = False
) -> tuple[BoardCounts, dict[int | None, BoardCounts]]:
    """The summary of the month's periods `projects` must report for: all of them, and those of
    each responsible unit (None for the projects whose unit is 待明确). One statement over
    board_projects(), grouped by unit and by the state of each part of the month."""
    return summary_of(*board_projects(projects, year, month, today, narrow))


def summary_of(
    due: QuerySet[Project], parts: list[PartState]
) -> tuple[BoardCounts, dict[int | None, BoardCounts]]:
    """board_summary() of what board_projects() gave, for a page that also lists its rows."""
    states = [f"state_{part.part}" for part in parts]
    total = BoardCounts(None)
    units: dict[int | None, BoardCounts] = {}
    for row in due.values("responsible_unit_id", *states).annotate(projects=Count("pk")).order_by():
        unit = row["responsible_unit_id"]
        period_states = [row[name] for name in states if row[name] is not None]
        units.setdefault(unit, BoardCounts(unit)).add(period_states, row["projects"])
        total.add(period_states, row["projects"])
    return total, units


def summary_of_sums(
    lines: dict[int | None, dict[str, int]], year: int, month: int, today: date
) -> tuple[BoardCounts, dict[int | None, BoardCounts]]:
    """board_summary() from the figures' summary: `lines`, the month's periods per responsible unit as
    figures.cells.board_lines() adds them up, in their states as of `today` as PartState.state()
    judges them. Of the projects each state filter shows it has those of none, the projects due
    (the others are counted with the rows they show)."""
    parts = month_parts(year, month)
    total = BoardCounts(None)
    units: dict[int | None, BoardCounts] = {}
    for unit, sums in lines.items():
        tallies: list[tuple[str, int]] = []
        for part, periods in parts.items():
            for period in periods:
                unsent = sums[f"unsent_{period.frequency}_{part}"]
                drafts = sums[f"drafts_{period.frequency}_{part}"]
                if today > period.deadline:
                    tallies.append((BoardState.MISSING, unsent))
                else:
                    tallies += [(BoardState.NOT_STARTED, unsent - drafts), (BoardState.DRAFT, drafts)]
            accepted, pending = sums[f"accepted_{part}"], sums[f"pending_{part}"]
            late = sums[f"sent_{part}"] - accepted - pending
            returned = sums[f"on_time_{part}"] - accepted - pending
            tallies += [
                (BoardState.LATE, late),
                (BoardState.ACCEPTED, accepted),
                (BoardState.SUBMITTED, pending),
                (BoardState.RETURNED, returned),
                (RETURNED_LATE, sums[f"submitted_{part}"] - sums[f"on_time_{part}"] - late),
            ]
        line = BoardCounts(unit, projects={"": sums["due_projects"]})
        for period_state, count in tallies:
            line.tally(period_state, count)
            total.tally(period_state, count)
        total.projects[""] = total.projects.get("", 0) + sums["due_projects"]
        if line.due:
            units[unit] = line
    return total, units


def board_rows(
    projects: QuerySet[Project], year: int, month: int, today: date, state: str = "", narrow: bool = False
) -> QuerySet[Project, dict[str, Any]]:
    """The projects of board_projects() with periods the board's filter `state` shows, by name
    (拼音), as dictionaries: PROJECT_COLUMNS, and "state_<part>", "report_id_<part>",
    "submitted_on_<part>" and "amount_<part>" for each part of the month."""
    return rows_of(*board_projects(projects, year, month, today, narrow), state)


def rows_of(
    due: QuerySet[Project], parts: list[PartState], state: str = ""
) -> QuerySet[Project, dict[str, Any]]:
    """board_rows() of what board_projects() gave, for a page that also adds up its summary."""
    shown = sorted(period_states_shown(state))
    if state in BoardState.values:
        due = due.filter(reduce(operator.or_, (Q(**{f"state_{part.part}__in": shown}) for part in parts)))
    reports = {
        f"{name}_{part.part}": F(f"{part.report}__{column}")
        for part in parts
        for name, column in REPORT_COLUMNS.items()
    }
    columns = [*PROJECT_COLUMNS, *(f"state_{part.part}" for part in parts), *reports]
    return due.annotate(**reports).values(*columns).order_by(*ROWS_ORDER)


def board_periods(
    row: dict[str, Any], year: int, month: int, state: str = ""
) -> list[tuple[Period, dict[str, Any]]]:
    """The periods of a board_rows() row that the filter `state` shows, each with its part's
    state ("period_state") and report."""
    shown = period_states_shown(state)
    periods = []
    for part in range(1, max(PARTS_PER_MONTH.values()) + 1):
        period_state = row.get(f"state_{part}")
        if period_state is None or period_state not in shown:
            continue
        facts = {"period_state": period_state, **{name: row[f"{name}_{part}"] for name in REPORT_COLUMNS}}
        periods.append((Period(year, month, part, row["report_frequency"]), facts))
    return periods
