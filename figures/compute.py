"""Every figure of DOMAIN §9 for a scope (plans.scope) and a period, computed in the database.

The plan figures are computed here; the other apps' figures (warnings, ledgers, pipeline, funding
…) come from the sections they register (figures.registry). Money is 万元 (Decimal) throughout;
the rounding of DOMAIN §9 happens here, once.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from catalog.models import Category
from figures import cells, registry
from lib.dates import month_end
from lib.numbers import (
    ahead_of_progress,
    completion_rate,
    elapsed_of_year,
    largest_remainder_shares,
    percent,
    period_time_progress,
    quantize,
    wan_to_yi,
    year_on_year,
)

# The month-end forms of 时间进度, read from here by the figures' callers.
from lib.numbers import ahead_of_time as ahead_of_time
from lib.numbers import time_progress as time_progress
from org.models import Unit
from plans.choices import PlanLevel, PlanType
from plans.models import Plan, PlanEntry
from plans.scope import Scope, counting_entries, filtered_entries, scope_entries
from progress.choices import PARTS_PER_MONTH, Frequency, ReportState
from progress.models import Report, YearProgress, period_seq
from progress.querysets import due_in_part
from progress.yearly import completed_sum, this_year, with_progress
from projects.choices import SIZE_BUCKET_BOUNDS, STATUS_GROUPS, ProjectStatus, SizeBucket, in_size_bucket
from projects.models import Project, ProjectStatusChange
from projects.querysets import project_scope

ZERO = Decimal("0.00")
MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)


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


def _zero_missing(row: dict[str, Any]) -> dict[str, Any]:
    """Sums over nothing are NULL in SQL; a figure over nothing is zero, exact to the cent."""
    return {
        k: (quantize(v, 2) if isinstance(v, Decimal) else ZERO if v is None and k != "key" else v)
        for k, v in row.items()
    }


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
                "name": group.get(GROUP_NAMES.get(key or "", f"{key}__name")),
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
    entries: QuerySet[PlanEntry],
    year: int,
    month: int,
    groups: list[dict[str, Any]] | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Counts and amounts of a scope: projects, 总投资, 年度计划投资, 年度完成投资, and the rates.

    The time progress is the month's end, or by days when `today` falls within the month."""
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
    progress = period_time_progress(year, month, today)
    return {
        "count": row["count"],
        "total_investment": row["total_investment"],
        "annual_plan": row["annual_plan"],
        "completed": row["completed"],
        "completion_rate": rate,
        "time_progress": progress,
        "ahead_points": ahead_of_progress(rate, progress),
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
    """Counts of entries by status group, by start and completion due and done, by resumption, by size
    bucket."""
    end = month_end(year, month)
    new_start = Q(plan_type=PlanType.NEW_START, planned_start_month__lte=month)
    completing = Q(plan_type=PlanType.COMPLETING, planned_completion_month__lte=month)
    continuing = Q(plan_type=PlanType.CONTINUING)
    aggregates: dict[str, Any] = {
        "total": Count("id"),
        "to_start": Count("id", filter=new_start),
        "started": Count("id", filter=new_start & Q(project__actual_start_date__lte=end)),
        "to_finish": Count("id", filter=completing),
        "finished": Count("id", filter=completing & Q(project__actual_completion_date__lte=end)),
        "to_resume": Count("id", filter=continuing),
        "resumed": Count("id", filter=continuing & resumed_condition(year, month)),
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
    """Projects by status group (竣工/投产, 在建, 暂停施工, 前期/储备), with largest-remainder shares."""
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


def resumption_rate(counts: dict[str, Any]) -> dict[str, Any]:
    """复工率: among the scope's 续建 entries, those whose project resumed by the end of month m (see
    resumed_condition), from entry_counts()."""
    row = {key: counts[key] for key in ("to_resume", "resumed")}
    return {**row, "resume_rate": percent(row["resumed"], row["to_resume"], 1)}


def resumed_condition(year: int, month: int) -> Q:
    """An entry whose project resumed by the end of month m: an accepted report of the year with an
    amount, or a return from 暂停施工 to 在建 dated this year (figures.cells spells the same in SQL)."""
    reported = Report.objects.filter(
        project=OuterRef("project_id"),
        seq__gte=period_seq(year, 1, 0),
        seq__lte=period_seq(year, month, 9),
        state=ReportState.ACCEPTED,
        amount__gt=0,
    )
    returned = ProjectStatusChange.objects.filter(
        project=OuterRef("project_id"),
        from_status=ProjectStatus.SUSPENDED,
        to_status=ProjectStatus.CONSTRUCTION,
        effective_date__gte=date(year, 1, 1),
        effective_date__lte=month_end(year, month),
    )
    return Q(Exists(reported)) | Q(Exists(returned))


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
    entries: QuerySet[PlanEntry],
    year: int,
    month: int,
    groups: list[dict[str, Any]] | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """累计完成投资 by month of the year against the plan and the time-progress line.

    Added up from scope_groups(details=True) rows when given, else in one pass over the scope.
    The month under way on `today` is drawn at its time progress by days.
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
        elapsed, whole = elapsed_of_year(year, m, today)
        series.append(
            {
                "month": m,
                "completed": quantize(completed, 2),
                "completion_rate": completion_rate(completed, plan),
                "time_progress": period_time_progress(year, m, today),
                "planned_to_date": quantize(plan * elapsed / whole, 2),
            }
        )
    return series


# What a ranking ranks: 责任单位, 乡镇/街道 or 项目单位, by the project field that names it.
RANKED = {"unit": "project__responsible_unit", "town": "project__town", "owner": "project__owner_unit"}


def ranking(
    entries: QuerySet[PlanEntry],
    year: int,
    month: int,
    by: str = "unit",
    groups: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """排名: responsible units, towns or owner units (项目单位) by completion rate; ties by completed
    amount, then name. Added up from scope_groups() rows when they are cut by the unit ranked (the
    owner units' from figures.cells.owner_groups())."""
    key = RANKED[by]
    if groups is not None and (key in GROUP_KEYS or all(key in group for group in groups)):
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


def scope_ranking(year: int, month: int, scope: Scope, by: str = "unit") -> list[dict[str, Any]]:
    """排名 (ranking()) of the scope's responsible units, towns or owner units: added up from the
    figures' summary when it serves the scope, else from the entries."""
    entries, in_force = counting_entries(*filtered_entries(year, scope))
    if not (cells.serves(scope) and cells.refreshed([year])):
        return ranking(entries, year, month, by)
    if by == "owner":
        groups = cells.owner_groups(year, month, scope, in_force)
    else:
        groups = cells.scope_groups(year, month, scope, in_force, details=False)
    return ranking(entries, year, month, by, groups)


# A scope of more plan entries than this looks for its furthest behind among those with nothing
# done first (nothing_done_first()); a smaller one sorts all of its entries, which costs less
# than a walk through every year's entries that may find too few of its own.
WALKED_FROM = 2000


def behind_time_progress(
    year: int,
    month: int,
    scope: Scope | None = None,
    limit: int = 15,
    today: date | None = None,
    entry_count: int | None = None,
) -> list[dict[str, Any]]:
    """慢于时间进度的项目: entries whose completion rate trails time progress, furthest behind first.

    Each entry's year-to-date is read from its project's YearProgress row in the database, in one
    join; only the `limit` rows leave it. Ties (often 0% done) go to the larger annual plan,
    then to the entry listed first. The time progress is by days when `today` falls within the month.
    `entry_count`, the scope's entries when the caller has counted them (the figures' plan count),
    lets a large scope take the entries with nothing done first.
    """
    scope = scope or Scope()
    elapsed, whole = elapsed_of_year(year, month, today)
    progress = period_time_progress(year, month, today)
    furthest = None
    if entry_count is not None and entry_count > WALKED_FROM and elapsed > 0:
        furthest = nothing_done_first(year, month, scope, limit)
    if furthest is None:
        furthest = list(
            with_done(scope_entries(year, scope).filter(annual_investment__gt=0), year, month)
            # Behind means done / plan < elapsed / whole (month / 12 at the month's end), compared
            # without division (SQLite divides integers).
            .alias(done_scaled=F("done") * whole, due_scaled=F("annual_investment") * elapsed)
            .filter(done_scaled__lt=F("due_scaled"))
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
                "time_progress": progress,
                "ahead_points": ahead_of_progress(rate, progress),
            }
        )
    return result


def with_done(entries: QuerySet[PlanEntry], year: int, month: int) -> QuerySet[PlanEntry]:
    """`entries` with `done`, their projects' 年度完成投资 at the end of `month` (0 without a year row)."""
    return (
        entries.order_by()
        .alias(progress=this_year(year))
        .annotate(
            done=Coalesce(F(f"progress__{YearProgress.column(month)}"), Value(ZERO), output_field=MONEY)
        )
    )


# nothing_done_first()'s walk reads the largest entries in windows, the first of this many, each
# next one sized on the share of nothing done seen so far; a scope whose nothing-done entries are
# too rare to fill the list within this many entries is sorted whole instead, as soon as the
# walk's next window would pass it. A row walked costs about ten of the sort's (a year row
# looked up for each): at 100,000 projects × 10 years, where nearly every project had done
# something, walking 16,384 entries before the sort made the big screen's data 500 ms, and
# giving up at 4,096 makes it 236.
WALK_WINDOW = 64
WALK_MOST = 4096


def nothing_done_first(year: int, month: int, scope: Scope, limit: int) -> list[tuple[int, Decimal]] | None:
    """behind_time_progress()'s list when it is `limit` entries with nothing done, else None.

    While no project's year stands below zero, nothing done is the furthest behind an entry can be
    (rate 0), and behind as soon as time has passed; the largest annual plans among those come
    first. They are found walking the counted entries from the largest annual plan down (an index
    holds them in that order with their plans and projects), each one's year row looked up as it
    is reached, a window at a time, each going on from where the last one stopped, until `limit`
    with nothing done are found. The condition on what was done is kept out of the statement: no
    database can estimate how many entries meet it (PostgreSQL guesses a handful, and then joins
    every entry to its year row to sort them all), while a window's LIMIT tells it how few rows it
    has to walk. On SQLite the plans are named as values, which no index answers, so that the walk
    is not traded for the index on the plan; so is the user's scope, asked of each entry as it is
    reached."""
    if scope.level or YearProgress.any_below_zero(year, month):
        return None
    plans = list(Plan.objects.in_force().filter(year=year).values_list("pk", flat=True))
    entries = PlanEntry.objects.filter(counted=True, annual_investment__gt=0)
    mine = project_scope(scope.user, "project__", each_row=True) if scope.user is not None else None
    if mine is not None:
        entries = entries.filter(mine)
    entries = replace(scope, user=None).narrow(entries)
    if scope.plan_type:
        entries = entries.filter(plan_type=scope.plan_type)
    if connection.vendor == "sqlite":
        entries = entries.alias(plan_value=F("plan_id") + 0).filter(plan_value__in=plans)
    else:
        entries = entries.filter(plan_id__in=plans)
    walked = with_done(entries, year, month).order_by("-annual_investment", "pk")
    found: list[tuple[int, Decimal]] = []
    seen, window, last = 0, WALK_WINDOW, None
    while True:
        rows = (
            walked
            if last is None
            else walked.filter(annual_investment__lte=last[0]).exclude(
                annual_investment=last[0], pk__lte=last[1]
            )
        )
        page = list(rows.values_list("pk", "annual_investment", "done")[:window])  # type: ignore[misc]  # an annotation the plugin cannot see through with_done()
        found += [(pk, done) for pk, _plan, done in page if done == 0]
        seen += len(page)
        if len(found) >= limit:
            return found[:limit]
        if len(page) < window:
            return None
        last = (page[-1][1], page[-1][0])
        # Half as many again as the share seen so far needs; four times as many when none was.
        wanted = (limit - len(found)) * seen * 3 // (2 * len(found)) if found else 4 * seen
        window = max(wanted, WALK_WINDOW)
        if seen + window > WALK_MOST:
            # The list would take more of the walk than sorting the scope whole costs.
            return None


def compute(
    year: int, month: int, scope: Scope | None = None, *, work: bool = True, today: date | None = None
) -> dict[str, Any]:
    """All the figures of DOMAIN §9 for a period and a scope, as one dictionary (amounts in 万元).

    With work=False only the plan figures are computed: the ranking of owner units (项目单位), the
    warnings, the ledger (problems, meetings, supervision) and the elements (pipeline, starts,
    funding, approvals) are left out, for the pages that draw only the plan figures. With `today` inside the period's month (a page
    showing the month under way), the time progress is by days up to today; otherwise, and for
    last year's comparison, it is the month's end.
    """
    scope = scope or Scope()
    listed, in_force = filtered_entries(year, scope)
    entries, _in_force = counting_entries(listed, in_force)
    last_entries, last_in_force = counting_entries(*filtered_entries(year - 1, scope))
    if cells.serves(scope) and cells.refreshed([year, year - 1]):
        # From the summary, brought up to date with the tables first (see figures.models): every
        # figure by category and plan type, and the few the rankings need by unit and town.
        groups = cells.scope_groups(year, month, scope, in_force, units=False)
        unit_groups = cells.scope_groups(year, month, scope, in_force, details=False)
        last_groups = cells.scope_groups(year - 1, month, scope, last_in_force, details=False, units=False)
        last = plan_totals(last_entries, year - 1, month, last_groups)
    else:
        groups = unit_groups = scope_groups(entries, year, month, details=True)
        last = plan_totals(last_entries, year - 1, month)
    totals = plan_totals(entries, year, month, groups, today=today)
    counts = entry_counts(entries, year, month, groups)
    categories = {c.pk: c.name for c in Category.objects.all()}
    result: dict[str, Any] = {
        "period": {"year": year, "month": month},
        "scope": scope.describe(),
        "plan": totals,
        "by_category": breakdown(entries, year, month, "project__category", categories, groups),
        "by_level": level_breakdown(year, month, scope, listed, in_force, today=today),
        "by_plan_type": breakdown(
            entries, year, month, "plan_type", {k: str(v) for k, v in PlanType.choices}, groups
        ),
        "by_status": status_breakdown(counts),
        "starts": {**start_and_finish_rates(counts), **resumption_rate(counts)},
        "sizes": size_buckets(counts),
        "reporting": on_time_reporting(groups),
        "monthly": monthly_series(entries, year, month, groups, today=today),
        "ranking_units": ranking(entries, year, month, "unit", unit_groups),
        "ranking_towns": ranking(entries, year, month, "town", unit_groups),
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
    # From the cells kept per owner unit when the summary serves the scope.
    owners = cells.owner_groups(year, month, scope, in_force) if cells.serves(scope) else None
    result["ranking_owners"] = ranking(entries, year, month, "owner", owners)
    result.update(registry.contribute(registry.Context(year, month, scope, entries)))
    return result


def level_breakdown(
    year: int,
    month: int,
    scope: Scope,
    entries: QuerySet[PlanEntry],
    in_force: dict[int, str],
    today: date | None = None,
) -> list[dict[str, Any]]:
    """By plan level, each level's own list (filtered_entries() of the scope): a project counts on
    every list it is on. Read from the cells when they serve the scope, brought up to date by
    compute()."""
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
    progress = period_time_progress(year, month, today)
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
                "time_progress": progress,
                "ahead_points": ahead_of_progress(rate, progress),
            }
        )
    return result


def yi(amount: Decimal | None) -> Decimal:
    """亿元 with 2 decimals, for texts and tables that speak in 亿元."""
    return wan_to_yi(amount)
