"""Every figure of DOMAIN §9 for a scope and a period, computed in the database.

A scope is a set of plan entries of one year: the plans in force, of one level or of all levels
(a project on several lists counts once, under its local entry first, then city, then province),
narrowed by responsible unit (with its sub-units), town, category or plan type, and by what the
user may see. Money is 万元 (Decimal) throughout; the rounding of DOMAIN §9 happens here, once.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    FilteredRelation,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from alerts.querysets import alert_figures
from catalog.models import Category
from lib.numbers import largest_remainder_shares, percent, quantize, wan_to_yi, year_on_year
from org.models import Unit
from plans.choices import PlanLevel, PlanType
from plans.models import Plan, PlanEntry
from progress.choices import PARTS_PER_MONTH, Frequency
from progress.models import YearProgress
from progress.querysets import due_in_part
from projects.choices import SIZE_BUCKET_BOUNDS, ProjectStatus, SizeBucket, in_size_bucket

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=18, decimal_places=2)
# The status groups the seeds report (已完工 / 在建 / 暂停 / 前期), in the order they are written.
STATUS_GROUPS = [
    ("completed", gettext_lazy("已完工"), (ProjectStatus.COMPLETED, ProjectStatus.OPERATING)),
    ("construction", gettext_lazy("在建"), (ProjectStatus.CONSTRUCTION,)),
    ("suspended", gettext_lazy("暂停施工"), (ProjectStatus.SUSPENDED,)),
    ("preliminary", gettext_lazy("前期"), (ProjectStatus.PRELIMINARY, ProjectStatus.RESERVE)),
    ("cancelled", gettext_lazy("终止"), (ProjectStatus.CANCELLED,)),
]


@dataclass(frozen=True)
class Scope:
    """Which plan entries a figure covers."""

    level: str | None = None
    unit: Unit | None = None
    town: Unit | None = None
    category: Category | None = None
    plan_type: str | None = None
    user: Any = None

    def describe(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "unit": self.unit.pk if self.unit else None,
            "unit_name": self.unit.name if self.unit else None,
            "town": self.town.pk if self.town else None,
            "category": self.category.code if self.category else None,
            "plan_type": self.plan_type,
        }


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def filtered_entries(year: int, scope: Scope) -> tuple[QuerySet[PlanEntry], dict[int, str]]:
    """The entries of `year`'s plans in force narrowed by `scope`, a project on each list it is on;
    and those plans' levels by id."""
    plans = Plan.objects.in_force().filter(year=year)
    if scope.level:
        plans = plans.filter(level=scope.level)
    # The plans in force are a handful of rows. Naming them lets the database plan what follows
    # from its statistics; through the correlated version subquery it guessed one row and chose
    # nested loops that took seconds over years of monthly progress.
    in_force = dict(plans.values_list("pk", "level"))
    entries = PlanEntry.objects.filter(plan_id__in=list(in_force))
    if scope.user is not None:
        entries = entries.visible_to(scope.user)
    if scope.unit is not None:
        entries = entries.filter(project__responsible_unit__path__startswith=scope.unit.path)
    if scope.town is not None:
        entries = entries.filter(project__town=scope.town)
    if scope.category is not None:
        entries = entries.filter(project__category=scope.category)
    if scope.plan_type:
        entries = entries.filter(plan_type=scope.plan_type)
    return entries, in_force


def scope_entries(year: int, scope: Scope) -> QuerySet[PlanEntry]:
    """计划口径: the plan entries of `year` in `scope`, one per project."""
    entries, _in_force = counting_entries(*filtered_entries(year, scope))
    return entries


def counting_entries(
    entries: QuerySet[PlanEntry], in_force: dict[int, str]
) -> tuple[QuerySet[PlanEntry], dict[int, str]]:
    """Of filtered_entries(), the one entry per project that counts when the levels are added."""
    if len(in_force) <= 1:
        return entries, in_force
    # Local first, then city, then province. The plans keep that entry marked (plans.counting),
    # so the scope is a plain filter.
    return entries.filter(counted=True), in_force


def scope_projects(year: int, scope: Scope) -> QuerySet[Any]:
    """项目口径: the projects in `scope`, for figures that are not about one plan's entries.

    Unit, town, category and the user's data scope narrow the registry; a level or a plan type
    keeps the projects on the plans in force of `year` that match it.
    """
    from projects.models import Project

    projects = Project.objects.all()
    if scope.user is not None:
        projects = projects.visible_to(scope.user)
    if scope.unit is not None:
        projects = projects.filter(responsible_unit__path__startswith=scope.unit.path)
    if scope.town is not None:
        projects = projects.filter(town=scope.town)
    if scope.category is not None:
        projects = projects.filter(category=scope.category)
    if scope.level or scope.plan_type:
        projects = projects.filter(pk__in=scope_entries(year, scope).values("project_id"))
    return projects


def is_whole(scope: Scope) -> bool:
    """Whether `scope` is every project: not narrowed, and its user (if any) sees everything."""
    from figures import cells

    narrowed = scope.level or scope.unit or scope.town or scope.category or scope.plan_type
    return not narrowed and cells.serves(scope)


def completed_by(
    entries: QuerySet[PlanEntry], year: int, month: int, key: str | tuple[str, ...] | None = None
) -> Any:
    """年度完成投资 up to the end of `month` of the projects of `entries`: a total, or by `key`.

    Read from YearProgress, one row per project and year holding the year-to-date at the end of
    each month; `key` is a field path from the entry ("plan_type", "project__category"), which
    each project has once within a scope, or a tuple of them (then the result is keyed by tuples
    of their values).
    """
    # From the entries, one outer join to their projects' summary row of the year: the database
    # hashes the scope once and reads one row per project, whatever the month.
    completed = completed_sum(month)
    rows = with_progress(entries, year)
    if key is None:
        return rows.aggregate(total=completed)["total"] or ZERO
    keys = (key,) if isinstance(key, str) else key
    grouped = rows.values(*keys).annotate(total=completed)
    if isinstance(key, str):
        return {row[key]: row["total"] or ZERO for row in grouped}
    return {tuple(row[k] for k in keys): row["total"] or ZERO for row in grouped}


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


def _zero_missing(row: dict[str, Any]) -> dict[str, Any]:
    """Sums over nothing are NULL in SQL; a figure over nothing is zero, exact to the cent."""
    return {
        k: (quantize(v, 2) if isinstance(v, Decimal) else ZERO if v is None and k != "key" else v)
        for k, v in row.items()
    }


def completion_rate(completed: Decimal, planned: Decimal) -> Decimal | None:
    """年度计划完成率: 年度完成投资 / 年度计划投资 × 100, 1 decimal."""
    return percent(completed, planned, 1)


def time_progress(month: int) -> Decimal:
    """时间进度 at the end of month m: m / 12 × 100, 1 decimal."""
    return quantize(Decimal(month) * 100 / 12, 1)


def ahead_of_time(rate: Decimal | None, month: int) -> Decimal | None:
    """快于(+)/慢于(−)时间进度 x 个百分点."""
    return None if rate is None else quantize(rate - time_progress(month), 1)


# What a scope is cut by for its breakdowns and rankings, with the names that go with the units.
GROUP_KEYS = ("project__category", "plan_type", "project__responsible_unit", "project__town")
GROUP_NAMES = {
    "project__responsible_unit": "project__responsible_unit__name",
    "project__town": "project__town__name",
}


def scope_groups(
    entries: QuerySet[PlanEntry], year: int, month: int, *, details: bool = False
) -> list[dict[str, Any]]:
    """The scope cut by category, plan type, responsible unit and town at once.

    Count, amounts and 年度完成投资 of each combination, in one grouped query. The totals,
    breakdowns and rankings of compute() add up these rows (as many as the combinations that
    occur, whatever the number of projects) instead of each reading the scope again. With
    `details` each row also carries the entry counts (status, starts, sizes), the year-to-date
    at the end of every month so far and the month's reporting counts, which add up the same way.
    """
    aggregates: dict[str, Any] = {
        "count": Count("id"),
        "annual_plan": Sum("annual_investment"),
        "total_investment": Sum("project__total_investment"),
        "completed": completed_sum(month),
    }
    rows = with_progress(entries, year)
    if details:
        aggregates.update(entry_count_aggregates(year, month))
        aggregates.update({f"ytd_{m}": completed_sum(m) for m in range(1, month + 1)})
        frequencies = reporting_frequencies()
        aggregates.update(reporting_aggregates(year, month, frequencies))
        rows = with_report(rows, year, month, reporting_parts(frequencies))
    # Grouped by ids alone: the unit names are looked up for the few units that occur.
    groups = list(rows.values(*GROUP_KEYS).annotate(**aggregates))
    unit_ids = {row[key] for row in groups for key in GROUP_NAMES}
    names = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    for row in groups:
        for key, name in GROUP_NAMES.items():
            row[name] = names.get(row[key])
        for amount, value in row.items():
            if value is None and amount not in GROUP_KEYS and amount not in GROUP_NAMES.values():
                row[amount] = ZERO
    return groups


def sum_groups(groups: list[dict[str, Any]], key: str | None) -> dict[Any, dict[str, Any]]:
    """scope_groups() rows added up by one of their keys (or all into None), amounts to the cent."""
    sums: dict[Any, dict[str, Any]] = {}
    for group in groups:
        value = group[key] if key else None
        row = sums.setdefault(
            value,
            {
                "count": 0,
                "annual_plan": ZERO,
                "total_investment": ZERO,
                "completed": ZERO,
                "name": group.get(GROUP_NAMES.get(key or "", "")),
            },
        )
        row["count"] += group["count"]
        for amount in ("annual_plan", "total_investment", "completed"):
            row[amount] += group[amount]
    for row in sums.values():
        for amount in ("annual_plan", "total_investment", "completed"):
            row[amount] = quantize(row[amount], 2)
    return sums


def plan_totals(
    entries: QuerySet[PlanEntry], year: int, month: int, groups: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Counts and amounts of a scope: projects, 总投资, 年度计划投资, 年度完成投资, and the rates."""
    if groups is not None:
        row = sum_groups(groups, None).get(
            None, {"count": 0, "total_investment": ZERO, "annual_plan": ZERO, "completed": ZERO}
        )
    else:
        row = _zero_missing(
            with_progress(entries, year).aggregate(
                count=Count("id"),
                total_investment=Sum("project__total_investment"),
                annual_plan=Sum("annual_investment"),
                completed=completed_sum(month),
            )
        )
    rate = completion_rate(row["completed"], row["annual_plan"])
    return {
        "count": row["count"],
        "total_investment": row["total_investment"],
        "annual_plan": row["annual_plan"],
        "completed": row["completed"],
        "completion_rate": rate,
        "time_progress": time_progress(month),
        "ahead_points": ahead_of_time(rate, month),
    }


def breakdown(
    entries: QuerySet[PlanEntry],
    year: int,
    month: int,
    key: str,
    labels: dict[Any, str],
    groups: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Counts, amounts, completion rate and shares per value of `key` (largest-remainder shares)."""
    if groups is not None:
        rows = sum_groups(groups, key)
    else:
        completed_of = completed_by(entries, year, month, key)
        rows = {
            r[key]: {**_zero_missing(r), "completed": quantize(completed_of.get(r[key], ZERO), 2)}
            for r in entries.order_by()
            .values(key)
            .annotate(
                count=Count("id"),
                annual_plan=Sum("annual_investment"),
                total_investment=Sum("project__total_investment"),
            )
        }
    keys = [k for k in labels if k in rows] + [k for k in rows if k not in labels]
    counts = [rows[k]["count"] for k in keys]
    completed = [rows[k]["completed"] for k in keys]
    count_shares = largest_remainder_shares(counts, 1)
    completed_shares = largest_remainder_shares(completed, 2)
    return [
        {
            "key": k,
            "label": labels.get(k, str(k)),
            "count": rows[k]["count"],
            "count_share": count_shares[i],
            "total_investment": rows[k]["total_investment"],
            "annual_plan": rows[k]["annual_plan"],
            "completed": rows[k]["completed"],
            "completed_share": completed_shares[i],
            "completion_rate": completion_rate(rows[k]["completed"], rows[k]["annual_plan"]),
        }
        for i, k in enumerate(keys)
    ]


def entry_counts(
    entries: QuerySet[PlanEntry], year: int, month: int, groups: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The counts that status_breakdown(), start_and_finish_rates() and size_buckets() read: added
    up from scope_groups(details=True) rows when given, else in one pass over the scope."""
    aggregates = entry_count_aggregates(year, month)
    if groups is None:
        return entries.aggregate(**aggregates)
    return {
        name: sum((group[name] for group in groups), 0 if isinstance(aggregate, Count) else ZERO)
        for name, aggregate in aggregates.items()
    }


def entry_count_aggregates(year: int, month: int) -> dict[str, Any]:
    """Counts of entries by status group, by start and completion due and done, by size bucket."""
    end = month_end(year, month)
    new_start = Q(plan_type=PlanType.NEW_START, planned_start_month__lte=month)
    completing = Q(plan_type=PlanType.COMPLETING, planned_completion_month__lte=month)
    aggregates: dict[str, Any] = {
        "total": Count("id"),
        "to_start": Count("id", filter=new_start),
        "started": Count("id", filter=new_start & Q(project__actual_start_date__lte=end)),
        "to_finish": Count("id", filter=completing),
        "finished": Count("id", filter=completing & Q(project__actual_completion_date__lte=end)),
    }
    for name, _label, statuses in STATUS_GROUPS:
        aggregates[f"status_{name}"] = Count("id", filter=Q(project__status__in=statuses))
    for bucket in SIZE_BUCKET_BOUNDS:
        condition = in_size_bucket(bucket, "project__total_investment")
        aggregates[f"n_{bucket}"] = Count("id", filter=condition)
        aggregates[f"t_{bucket}"] = Coalesce(
            Sum("project__total_investment", filter=condition), Value(ZERO), output_field=MONEY
        )
    return aggregates


def status_breakdown(counts: dict[str, Any]) -> list[dict[str, Any]]:
    """Projects by status group (已完工/在建/暂停施工/前期), with largest-remainder shares."""
    shares = largest_remainder_shares([counts[f"status_{name}"] for name, _l, _s in STATUS_GROUPS], 1)
    return [
        {"key": name, "label": str(label), "count": counts[f"status_{name}"], "share": shares[i]}
        for i, (name, label, _s) in enumerate(STATUS_GROUPS)
    ]


def start_and_finish_rates(counts: dict[str, Any]) -> dict[str, Any]:
    """开工率 / 竣工率: started (completed) among those planned to start (complete) by month m."""
    row = {key: counts[key] for key in ("to_start", "started", "to_finish", "finished")}
    return {
        **row,
        "start_rate": percent(row["started"], row["to_start"], 1),
        "finish_rate": percent(row["finished"], row["to_finish"], 1),
    }


def size_buckets(counts: dict[str, Any]) -> dict[str, Any]:
    """规模分布 and 亿元以上项目占比 (share of projects of 1 亿元 and above, 2 decimals)."""
    buckets = [
        {
            "key": b,
            "label": str(SizeBucket(b).label),
            "count": counts[f"n_{b}"],
            "total_investment": quantize(counts[f"t_{b}"], 2),
        }
        for b in SIZE_BUCKET_BOUNDS
    ]
    above = (
        counts[f"n_{SizeBucket.TEN_PLUS}"]
        + counts[f"n_{SizeBucket.FIVE_TEN}"]
        + counts[f"n_{SizeBucket.ONE_FIVE}"]
    )
    return {
        "buckets": buckets,
        "yi_and_above": above,
        "yi_and_above_share": percent(above, counts["total"], 2),
    }


def reporting_frequencies() -> list[str]:
    """The reporting frequencies projects have: monthly, and the shorter ones where used."""
    from projects.models import Project

    shorter = (
        Project.objects.exclude(report_frequency=Frequency.MONTHLY)
        .order_by()
        .values_list("report_frequency", flat=True)
        .distinct()
    )
    return [Frequency.MONTHLY, *sorted(set(shorter))]


def reporting_parts(frequencies: list[str]) -> int:
    """The most periods a month has at any of `frequencies`."""
    return max(PARTS_PER_MONTH[Frequency(frequency)] for frequency in frequencies)


def reporting_counts(row: dict[str, Any]) -> dict[str, int]:
    """Periods due, submitted and on time in a row of reporting_aggregates(), over its parts."""
    counts = {"due": 0, "submitted": 0, "on_time": 0}
    for name, value in row.items():
        key, _underscore, part = name.rpartition("_")
        if key in counts and part.isdigit():
            counts[key] += value
    return counts


def with_report(entries: QuerySet[PlanEntry], year: int, month: int, parts: int) -> QuerySet[PlanEntry]:
    """`entries` joined to their project's report of each part of the month as "report_1" …
    (outer joins, each to at most one report, so they multiply nothing)."""
    return entries.alias(
        **{
            f"report_{part}": FilteredRelation(
                "project__reports",
                condition=Q(
                    project__reports__year=year, project__reports__month=month, project__reports__part=part
                ),
            )
            for part in range(1, parts + 1)
        }
    )


def reporting_aggregates(year: int, month: int, frequencies: list[str]) -> dict[str, Count]:
    """The month's reporting periods due (a month, or each half or ten-day part for projects that
    report more often), those with a report submitted, and those submitted by the deadline, over
    entries joined by with_report()."""
    aggregates = {}
    for part in range(1, reporting_parts(frequencies) + 1):
        due = due_in_part(year, month, part, frequencies, "project__")
        report = f"report_{part}"
        aggregates[f"due_{part}"] = Count("id", filter=due)
        aggregates[f"submitted_{part}"] = Count(
            report, filter=due & Q(**{f"{report}__first_submitted_at__isnull": False})
        )
        aggregates[f"on_time_{part}"] = Count(
            report, filter=due & Q(**{f"{report}__first_submitted_at__date__lte": F(f"{report}__deadline")})
        )
    return aggregates


def on_time_reporting(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """按时报送率 of the month: reporting periods whose report was first submitted by its deadline
    among the periods due (one per project reporting monthly, two or three for those reporting
    by half-month or ten days), added up from scope_groups(details=True) rows."""
    row = {"due": 0, "submitted": 0, "on_time": 0}
    for group in groups:
        for key, count in reporting_counts(group).items():
            row[key] += count
    return {
        "due": row["due"],
        "submitted": row["submitted"],
        "on_time": row["on_time"],
        "on_time_rate": percent(row["on_time"], row["due"], 1),
    }


def monthly_series(
    entries: QuerySet[PlanEntry], year: int, month: int, groups: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """累计完成投资 by month of the year against the plan and the time-progress line.

    Added up from scope_groups(details=True) rows when given, else in one pass over the scope.
    """
    months = range(1, month + 1)
    if groups is None:
        sums = with_progress(entries, year).aggregate(
            plan=Coalesce(Sum("annual_investment"), Value(ZERO), output_field=MONEY),
            **{f"ytd_{m}": completed_sum(m) for m in months},
        )
    else:
        sums = {"plan": sum((group["annual_plan"] for group in groups), ZERO)}
        sums.update({f"ytd_{m}": sum((group[f"ytd_{m}"] for group in groups), ZERO) for m in months})
    plan = sums["plan"]
    series = []
    for m in months:
        completed = sums[f"ytd_{m}"] or ZERO
        series.append(
            {
                "month": m,
                "completed": quantize(completed, 2),
                "completion_rate": completion_rate(completed, plan),
                "time_progress": time_progress(m),
                "planned_to_date": quantize(plan * m / 12, 2),
            }
        )
    return series


def ranking(
    entries: QuerySet[PlanEntry],
    year: int,
    month: int,
    by: str = "unit",
    groups: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """排名: responsible units (or towns) by completion rate; ties by completed amount, then name."""
    key = "project__responsible_unit" if by == "unit" else "project__town"
    if groups is not None:
        rows = [
            {
                "count": row["count"],
                "annual_plan": row["annual_plan"],
                "completed": row["completed"],
                "unit_id": unit_id,
                "name": row["name"],
            }
            for unit_id, row in sum_groups(groups, key).items()
            if unit_id is not None
        ]
    else:
        entries = entries.exclude(**{f"{key}__isnull": True})
        completed_of = completed_by(entries, year, month, key)
        rows = [
            _zero_missing(row)
            for row in entries.order_by()
            .values(key, f"{key}__name")
            .annotate(count=Count("id"), annual_plan=Sum("annual_investment"))
        ]
        for row in rows:
            row["completed"] = quantize(completed_of.get(row[key], ZERO), 2)
            row["unit_id"], row["name"] = row.pop(key), row.pop(f"{key}__name")
    for row in rows:
        row["completion_rate"] = completion_rate(row["completed"], row["annual_plan"])
    rows.sort(
        key=lambda r: (
            -(r["completion_rate"] if r["completion_rate"] is not None else Decimal(-1)),
            -r["completed"],
            r["name"],
        )
    )
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
    return rows


def behind_time_progress(
    year: int, month: int, scope: Scope | None = None, limit: int = 15
) -> list[dict[str, Any]]:
    """慢于时间进度的项目: entries whose completion rate trails time progress, furthest behind first.

    Each entry's year-to-date is read from its project's YearProgress row in the database, in one
    join; only the `limit` rows leave it. Ties (often 0% done) go to the larger annual plan,
    then to the entry listed first.
    """
    entries = scope_entries(year, scope or Scope())
    furthest = list(
        entries.filter(annual_investment__gt=0)
        .order_by()
        .alias(progress=this_year(year))
        .annotate(
            done=Coalesce(F(f"progress__{YearProgress.column(month)}"), Value(ZERO), output_field=MONEY)
        )
        # Behind means done / plan < month / 12, compared without division (SQLite divides integers).
        .alias(done_x12=F("done") * 12, due_x12=F("annual_investment") * month)
        .filter(done_x12__lt=F("due_x12"))
        .alias(rate=Cast("done", FloatField()) / Cast("annual_investment", FloatField()))
        .order_by("rate", "-annual_investment", "pk")
        .values_list("pk", "done")[:limit]
    )
    # Names and units only for the few that made the list.
    details = {
        row["pk"]: row
        for row in PlanEntry.objects.filter(pk__in=[pk for pk, _done in furthest]).values(
            "pk",
            "project_id",
            "project__name",
            "project__status",
            "project__responsible_unit__name",
            "annual_investment",
        )
    }
    rows = [{**details[pk], "done": done} for pk, done in furthest]
    result = []
    for row in rows:
        completed = quantize(row["done"], 2)
        rate = completion_rate(completed, row["annual_investment"])
        result.append(
            {
                "project_id": row["project_id"],
                "name": row["project__name"],
                "status": row["project__status"],
                "unit": row["project__responsible_unit__name"],
                "annual_plan": quantize(row["annual_investment"], 2),
                "completed": completed,
                "completion_rate": rate,
                "time_progress": time_progress(month),
                "ahead_points": ahead_of_time(rate, month),
            }
        )
    return result


def compute(year: int, month: int, scope: Scope | None = None, *, work: bool = True) -> dict[str, Any]:
    """All the figures of DOMAIN §9 for a period and a scope, as one dictionary (amounts in 万元).

    With work=False only the plan figures are computed: the warnings, the ledger (problems,
    meetings, supervision) and the elements (pipeline, starts, funding, approvals) are left out,
    for the pages that draw only the plan figures.
    """
    from figures import cells

    scope = scope or Scope()
    listed, in_force = filtered_entries(year, scope)
    entries, _in_force = counting_entries(listed, in_force)
    last_entries, last_in_force = counting_entries(*filtered_entries(year - 1, scope))
    if cells.serves(scope):
        # From the summary, brought up to date with the tables first (see figures.models).
        cells.refresh([year, year - 1])
        groups = cells.scope_groups(year, month, scope, in_force)
        last_groups = cells.scope_groups(year - 1, month, scope, last_in_force, details=False)
        last = plan_totals(last_entries, year - 1, month, last_groups)
    else:
        groups = scope_groups(entries, year, month, details=True)
        last = plan_totals(last_entries, year - 1, month)
    totals = plan_totals(entries, year, month, groups)
    counts = entry_counts(entries, year, month, groups)
    categories = {c.pk: c.name for c in Category.objects.all()}
    result: dict[str, Any] = {
        "period": {"year": year, "month": month},
        "scope": scope.describe(),
        "plan": totals,
        "by_category": breakdown(entries, year, month, "project__category", categories, groups),
        "by_level": level_breakdown(year, month, scope, listed, in_force),
        "by_plan_type": breakdown(
            entries, year, month, "plan_type", {k: str(v) for k, v in PlanType.choices}, groups
        ),
        "by_status": status_breakdown(counts),
        "starts": start_and_finish_rates(counts),
        "sizes": size_buckets(counts),
        "reporting": on_time_reporting(groups),
        "monthly": monthly_series(entries, year, month, groups),
        "ranking_units": ranking(entries, year, month, "unit", groups),
        "ranking_towns": ranking(entries, year, month, "town", groups),
        "year_on_year": {
            "last_year": last,
            "count": year_on_year(totals["count"], last["count"]),
            "total_investment": year_on_year(totals["total_investment"], last["total_investment"]),
            "annual_plan": year_on_year(totals["annual_plan"], last["annual_plan"]),
            "completed": year_on_year(totals["completed"], last["completed"]),
        },
    }
    if not work:
        return result
    # 预警: raised by the end of the month, closed by then, closure rate; by rule and colour.
    result["alerts"] = alert_figures(entries.values("project_id"), until=end_of_day(month_end(year, month)))
    result.update(guarantee_figures(year, month, scope))
    result.update(ledger_figures(year, month, scope, entries))
    return result


def ledger_figures(year: int, month: int, scope: Scope, entries: QuerySet[PlanEntry]) -> dict[str, Any]:
    """问题台账, 调度会议, 督办 and 现场督导 from January to the end of the month, for the scope's projects
    (every project, and every meeting, when the scope is the whole region as its user sees it)."""
    from problems.figures import meeting_figures, problem_figures
    from supervision.figures import inspection_figures, notice_figures

    projects = None if is_whole(scope) else entries.values("project_id")
    start, end = date(year, 1, 1), month_end(year, month)
    return {
        "problems": problem_figures(start, end, projects),
        "meetings": meeting_figures(start, end, projects),
        "notices": notice_figures(start, end, projects),
        "inspections": inspection_figures(start, end, projects),
    }


def guarantee_figures(year: int, month: int, scope: Scope) -> dict[str, Any]:
    """项目谋划 (the pipeline proposed for next year), 集中开工, 资金保障 and 审批效能 of the scope,
    as they stood at the end of the month (or today, if the month has not ended)."""
    from django.utils.timezone import localdate

    from approvals.figures import approval_efficiency
    from elements.figures import funding_figures
    from pipeline.figures import pipeline_figures
    from starts.figures import collective_start_figures

    as_of = min(month_end(year, month), localdate())
    return {
        "pipeline": pipeline_figures(year + 1, scope),
        "collective_starts": collective_start_figures(year, scope, today=as_of),
        "funding": funding_figures(year, scope, today=as_of),
        "approvals": approval_efficiency(year, scope, through=as_of),
    }


def level_breakdown(
    year: int, month: int, scope: Scope, entries: QuerySet[PlanEntry], in_force: dict[int, str]
) -> list[dict[str, Any]]:
    """By plan level, each level's own list (filtered_entries() of the scope): a project counts on
    every list it is on. Read from the cells when they serve the scope, brought up to date by
    compute()."""
    from figures import cells

    levels = [scope.level] if scope.level else [value for value, _label in PlanLevel.choices]
    if cells.serves(scope):
        rows = cells.level_rows(year, month, scope, in_force)
    else:
        by_level = "plan__level"
        rows = {
            row[by_level]: _zero_missing(row)
            for row in with_progress(entries, year)
            .values(by_level)
            .annotate(
                count=Count("id"),
                total_investment=Sum("project__total_investment"),
                annual_plan=Sum("annual_investment"),
                completed=completed_sum(month),
            )
        }
    result = []
    for level in levels:
        row = rows.get(level, {"count": 0, "total_investment": ZERO, "annual_plan": ZERO, "completed": ZERO})
        completed = row["completed"]
        rate = completion_rate(completed, row["annual_plan"])
        result.append(
            {
                "key": level,
                "label": str(PlanLevel(level).label),
                "count": row["count"],
                "total_investment": row["total_investment"],
                "annual_plan": row["annual_plan"],
                "completed": completed,
                "completion_rate": rate,
                "time_progress": time_progress(month),
                "ahead_points": ahead_of_time(rate, month),
            }
        )
    return result


def yi(amount: Decimal | None) -> Decimal:
    """亿元 with 2 decimals, for texts and tables that speak in 亿元."""
    return wan_to_yi(amount)
