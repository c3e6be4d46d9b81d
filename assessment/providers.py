"""考核指标的数据来源: the registry of what an indicator can measure, each a rate in percent per unit.

An indicator (assessment.models.Indicator) names one provider by its code. A provider gets the
assessment's basis — the plan entries of the year in the user's scope, the field path from an
entry to the unit assessed, the window and the units assessed — and returns each unit's rate, or
None (or no key) for a unit with nothing to measure: that is 无数据, which the indicator counts as
its administrator chose, never as full marks.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert
from assessment.models import TableSubmission
from figures import cells
from figures.compute import (
    completed_by,
    reporting_aggregates,
    reporting_counts,
    reporting_frequencies,
    reporting_parts,
    with_report,
)
from lib.dates import end_of_day, month_end
from lib.numbers import percent
from plans.choices import PlanType
from plans.models import PlanEntry
from plans.scope import Scope
from problems.choices import ProblemStatus
from problems.models import Problem
from progress.periods import Period
from service import cells as leader_cells
from supervision.models import Inspection, Notice, NoticeReply

ZERO = Decimal(0)


@dataclass(frozen=True)
class Window:
    """考核期: the months an assessment covers."""

    year: int
    kind: str
    number: int = 1

    @property
    def first_month(self) -> int:
        if self.kind == "quarter":
            return self.number * 3 - 2
        if self.kind == "half":
            return 1 if self.number == 1 else 7
        return 1

    @property
    def last_month(self) -> int:
        if self.kind == "quarter":
            return self.number * 3
        if self.kind == "half":
            return 6 if self.number == 1 else 12
        return 12

    @property
    def label(self) -> str:
        """考核期 as titles name it: 2026年第4季度, 2026年上半年, 2026年全年."""
        if self.kind == "quarter":
            return _t("%(year)d年第%(n)d季度") % {"year": self.year, "n": self.number}
        if self.kind == "half" and self.number == 1:
            return _t("%(year)d年上半年") % {"year": self.year}
        if self.kind == "half":
            return _t("%(year)d年下半年") % {"year": self.year}
        return _t("%(year)d年全年") % {"year": self.year}

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        return month_end(self.year, self.last_month)

    @property
    def months(self) -> range:
        return range(self.first_month, self.last_month + 1)


def monthly_deadline(year: int, month: int) -> date:
    """报送截止日 of a month, the same as the monthly reports' (settings.REPORT_DEADLINE_*)."""
    return Period(year, month).deadline


def months_due(window: Window, today: date | None = None) -> list[int]:
    """The months of the window whose submission deadline has passed: only those can be late."""
    today = today or timezone.localdate()
    return [month for month in window.months if monthly_deadline(window.year, month) < today]


@dataclass(frozen=True)
class Basis:
    """What a provider measures over: the entries (one per project) of the year in the user's
    scope, the path from an entry to the unit assessed, the window, and the units assessed."""

    entries: QuerySet[PlanEntry]
    key: str
    window: Window
    units: list[int]
    # The day of the assessment: a deadline not yet passed makes nothing late.
    today: date = field(default_factory=timezone.localdate)
    # The scope the entries are of, when the figures' summary may answer for it (figures.cells).
    scope: Scope | None = None
    # The entries before those without a unit assessed were left out, which needs the registry:
    # a set of projects to look rows up in that does not join it.
    listed: QuerySet[PlanEntry] | None = None


Rates = dict[int, Decimal | None]


@dataclass(frozen=True)
class Provider:
    """One thing an indicator can measure: its code, its name and how it is computed."""

    code: str
    label: Promise
    description: Promise
    compute: Callable[[Basis], Rates]


PROVIDERS: dict[str, Provider] = {}


def register(
    code: str, label: Promise, description: Promise
) -> Callable[[Callable[[Basis], Rates]], Provider]:
    """Add the function computing an indicator's rate per unit to the registry."""

    def add(function: Callable[[Basis], Rates]) -> Provider:
        PROVIDERS[code] = Provider(code, label, description, function)
        return PROVIDERS[code]

    return add


def choices() -> list[tuple[str, str]]:
    """The providers as (code, name) choices, in the order they were registered."""
    return [(code, str(p.label)) for code, p in PROVIDERS.items()]


def summary_scope(basis: Basis) -> Scope | None:
    """The basis's scope when the figures' summary (figures.cells) answers for it, else None."""
    return basis.scope if basis.scope is not None and cells.serves(basis.scope) else None


def cell_rates(basis: Basis, scope: Scope, done: str, due: str) -> Rates:
    """A rate per unit of two counts the cells keep at the end of the window's last month (开工率:
    started of those to start by then; 竣工率: finished of those to finish)."""
    window = basis.window
    rows = cells.unit_sums(
        window.year, [window.last_month], scope, basis.key, {"done": F(done), "due": F(due)}
    )
    return {unit: percent(row["done"], row["due"]) for unit, row in rows.items()}


@register("completion_rate", _("年度计划完成率"), _("年度完成投资 / 年度计划投资，截至考核期末。"))
def completion_rates(basis: Basis) -> Rates:
    key, window = basis.key, basis.window
    scope = summary_scope(basis)
    if scope is not None:
        rows = cells.unit_sums(
            window.year,
            [window.last_month],
            scope,
            key,
            {"planned": F("annual_plan"), "completed": F(f"ytd_{window.last_month}")},
        )
        return {unit: percent(row["completed"], row["planned"]) for unit, row in rows.items()}
    planned = dict(
        basis.entries.order_by()
        .values(key)
        .annotate(total=Sum("annual_investment"))
        .values_list(key, "total")
    )
    completed = completed_by(basis.entries, window.year, window.last_month, key)
    return {unit: percent(completed.get(unit, ZERO), plan) for unit, plan in planned.items()}


@register("start_rate", _("开工率"), _("计划考核期末前开工的新开工项目中，已开工的比例。"))
def start_rates(basis: Basis) -> Rates:
    key, window = basis.key, basis.window
    scope = summary_scope(basis)
    if scope is not None:
        return cell_rates(basis, scope, "started", "to_start")
    rows = (
        basis.entries.filter(plan_type=PlanType.NEW_START, planned_start_month__lte=window.last_month)
        .order_by()
        .values(key)
        .annotate(due=Count("id"), started=Count("id", filter=Q(project__actual_start_date__lte=window.end)))
    )
    return {row[key]: percent(row["started"], row["due"]) for row in rows}


@register("finish_rate", _("竣工率"), _("计划考核期末前竣工的项目中，已竣工的比例。"))
def finish_rates(basis: Basis) -> Rates:
    key, window = basis.key, basis.window
    scope = summary_scope(basis)
    if scope is not None:
        return cell_rates(basis, scope, "finished", "to_finish")
    rows = (
        basis.entries.filter(plan_type=PlanType.COMPLETING, planned_completion_month__lte=window.last_month)
        .order_by()
        .values(key)
        .annotate(
            due=Count("id"), finished=Count("id", filter=Q(project__actual_completion_date__lte=window.end))
        )
    )
    return {row[key]: percent(row["finished"], row["due"]) for row in rows}


def monthly_reporting(basis: Basis, month: int) -> dict[int, dict[str, int]]:
    """Each unit's reporting periods of `month`: due, submitted and on time (as the figures count)."""
    return reporting(basis, [month])


def reporting(basis: Basis, months: Iterable[int]) -> dict[int, dict[str, int]]:
    """Each unit's reporting periods of `months` added up: due, submitted and on time (as the
    figures count them). From the figures' summary when it serves the scope, in one statement;
    else from the reports, a statement per month."""
    scope = summary_scope(basis)
    if scope is not None:
        return cells.reporting_by(basis.window.year, months, scope, basis.key)
    frequencies = reporting_frequencies()
    counted: dict[int, dict[str, int]] = {}
    for month in months:
        rows = (
            with_report(basis.entries.order_by(), basis.window.year, month, reporting_parts(frequencies))
            .values(basis.key)
            .annotate(**reporting_aggregates(basis.window.year, month, frequencies))
        )
        for row in rows:
            total = counted.setdefault(row[basis.key], {"due": 0, "submitted": 0, "on_time": 0})
            for name, value in reporting_counts(row).items():
                total[name] += value
    return counted


@register(
    "on_time_reporting",
    _("按时报送率"),
    _("考核期内各报送期（月报、半月报、旬报）按截止日首次提交的比例。"),
)
def on_time_rates(basis: Basis) -> Rates:
    return {
        unit: percent(counts["on_time"], counts["due"])
        for unit, counts in reporting(basis, basis.window.months).items()
    }


def in_entries(basis: Basis) -> Exists:
    """Whether a row's project has one of the basis's entries: asked of each row, so that a table
    with few rows (problems, warnings, inspections) is not weighed against every entry of the year."""
    return Exists(basis.entries.filter(project_id=OuterRef("project_id")))


def among_entries(basis: Basis) -> Q:
    """Whether a row's project has one of the basis's entries, as one set of the entries' projects:
    for a table with about as many rows as projects (the warnings), which asking row by row would
    weigh against the entries once a row. The unit assessed is asked of the row's own project,
    which the rows are grouped by anyway, so that the set of projects need not join the registry."""
    if basis.listed is None:
        return Q(project_id__in=basis.entries.values("project_id"))
    return Q(project_id__in=basis.listed.values("project_id"), **{f"{basis.key}__isnull": False})


def _closure(rows: QuerySet[Any], key: str, closed: Q) -> Rates:
    return {
        row[key]: percent(row["closed"], row["raised"])
        for row in rows.order_by().values(key).annotate(raised=Count("id"), closed=Count("id", filter=closed))
    }


@register("problem_closure", _("问题销号率"), _("本年截至考核期末提出的问题中，期末前已解决销号的比例。"))
def problem_closure(basis: Basis) -> Rates:
    window = basis.window
    problems = Problem.objects.filter(
        in_entries(basis),
        raised_at__year=window.year,
        raised_at__lte=end_of_day(window.end),
    )
    return _closure(
        problems, basis.key, Q(status=ProblemStatus.RESOLVED, resolved_at__lte=end_of_day(window.end))
    )


@register("warning_closure", _("预警销号率"), _("本年截至考核期末亮灯的预警中，期末前已销号的比例。"))
def warning_closure(basis: Basis) -> Rates:
    window = basis.window
    scope = summary_scope(basis)
    if scope is not None and leader_cells.refreshed([window.year]):
        # From the cells that also keep 分包领导's figures: the warnings of each entry's project.
        counts = leader_cells.warning_closure(window.year, window.last_month, scope, basis.key)
        return {unit: percent(row["closed"], row["raised"]) for unit, row in counts.items()}
    alerts = Alert.objects.filter(
        among_entries(basis), opened_on__year=window.year, opened_on__lte=window.end
    )
    # The end of the window's last day as a moment, so that the database compares the column as it
    # is stored rather than converting each row's time to a local date.
    return _closure(alerts, basis.key, Q(closed_at__lte=end_of_day(window.end)))


@register(
    "supervision",
    _("督查结果"),
    _(
        "考核期内的督查事项中没有问题的比例：现场督导提出整改要求的、督办通知到期未回复的，各计一项问题；"
        "督办通知计入收文单位。"
    ),
)
def supervision_results(basis: Basis) -> Rates:
    window, key = basis.window, basis.key
    checked: dict[int, int] = {}
    found: dict[int, int] = {}
    inspections = (
        Inspection.objects.filter(in_entries(basis), date__gte=window.start, date__lte=window.end)
        .order_by()
        .values(key)
        .annotate(n=Count("id"), found=Count("id", filter=~Q(requirements="")))
    )
    for row in inspections:
        checked[row[key]] = row["n"]
        found[row[key]] = row["found"]
    # A notice counts once its deadline, within the window, has passed; it is overdue when no reply
    # came by the deadline. It counts for the unit it was addressed to.
    replied = NoticeReply.objects.filter(notice=OuterRef("pk"), replied_at__date__lte=OuterRef("deadline"))
    notices = (
        Notice.objects.filter(
            target_unit_id__in=basis.units,
            deadline__gte=window.start,
            deadline__lte=window.end,
            deadline__lt=basis.today,
        )
        .annotate(replied=Exists(replied))
        .order_by()
        .values("target_unit_id")
        .annotate(n=Count("id"), late=Count("id", filter=Q(replied=False)))
    )
    for row in notices:
        unit = row["target_unit_id"]
        checked[unit] = checked.get(unit, 0) + row["n"]
        found[unit] = found.get(unit, 0) + row["late"]
    return {unit: percent(n - found.get(unit, 0), n) for unit, n in checked.items()}


@register(
    "tables_on_time",
    _("三类表格按时报送率"),
    _(
        "考核期内各月附件1（前期项目谋划表）、附件2（新建（竣工）项目情况表）、附件3（在建项目进展情况表）"
        "按截止日报送的比例。附件1、附件2以单位报送（导入或登记）为准；附件3以单位导入的附件3或其在建项目的月报"
        "全部按时为准。截止日未到的月份不计。"
    ),
)
def tables_on_time(basis: Basis) -> Rates:
    window = basis.window
    due: dict[int, int] = {}
    on_time: dict[int, int] = {}
    for month in months_due(window, basis.today):
        deadline = monthly_deadline(window.year, month)
        submitted = TableSubmission.objects.filter(unit_id__in=basis.units, year=window.year, month=month)
        timely = set(submitted.filter(submitted_at__date__lte=deadline).values_list("unit_id", "table"))
        reporting = monthly_reporting(basis, month)
        for unit in basis.units:
            # 附件1 and 附件2 are due from every unit assessed, every month.
            due[unit] = due.get(unit, 0) + 2
            on_time[unit] = on_time.get(unit, 0) + ((unit, 1) in timely) + ((unit, 2) in timely)
            # 附件3 is due from a unit with projects reporting that month.
            counts = reporting.get(unit, {"due": 0, "on_time": 0})
            if counts["due"] or (unit, 3) in timely:
                due[unit] += 1
                reports_on_time = counts["due"] > 0 and counts["on_time"] == counts["due"]
                on_time[unit] += (unit, 3) in timely or reports_on_time
    return {unit: percent(on_time[unit], n) for unit, n in due.items()}
