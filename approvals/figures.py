"""审批效能: processing days of approval procedures, green channel against ordinary, year on year,
and the procedures in progress past their time limit. Every average is computed in the database."""

import calendar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from catalog.models import ProcedureType
from figures.registry import Context
from lib.numbers import quantize
from plans.scope import Scope, is_whole, scope_projects
from projects.choices import InvestmentNature, ProcedureStatus
from projects.models import Procedure

PROCESSING = ExpressionWrapper(F("approved_on") - F("submitted_on"), output_field=DurationField())
GREEN = Q(green_channel=True)
ORDINARY = Q(green_channel=False)
SECONDS_PER_DAY = Decimal(86_400)


def days(value: timedelta | None) -> Decimal | None:
    """An average duration in days, 1 decimal."""
    return None if value is None else quantize(Decimal(value.total_seconds()) / SECONDS_PER_DAY, 1)


def efficiency_change(last_days: Decimal | None, this_days: Decimal | None) -> Decimal | None:
    """审批效能提升 x%: (last year's average days − this year's) / last year's × 100, 1 decimal.

    Positive means faster (提升), negative slower (下降); None without both averages.
    """
    if last_days is None or this_days is None or not last_days:
        return None
    return quantize((last_days - this_days) * 100 / last_days, 1)


def scoped_procedures(year: int, scope: Scope | None = None) -> QuerySet[Procedure]:
    """The procedures of the projects in `scope` (see plans.scope.scope_projects)."""

    if scope is None or is_whole(scope):
        # Every project: no semi-join over the whole registry.
        return Procedure.objects.all()

    return Procedure.objects.filter(project__in=scope_projects(year, scope))


def same_day_last_year(day: date) -> date:
    last_day = calendar.monthrange(day.year - 1, day.month)[1]
    return date(day.year - 1, day.month, min(day.day, last_day))


def approved_between(procedures: QuerySet[Procedure], start: date, end: date) -> QuerySet[Procedure]:
    """办结的手续: approved in [start, end], with both dates known."""
    return procedures.filter(
        status=ProcedureStatus.DONE, submitted_on__isnull=False, approved_on__gte=start, approved_on__lte=end
    )


def stats(procedures: QuerySet[Procedure]) -> dict[str, Any]:
    """Count and average processing days, overall, green channel and ordinary, in one query."""
    row = procedures.aggregate(
        count=Count("id"),
        average=Avg(PROCESSING),
        green_count=Count("id", filter=GREEN),
        green_average=Avg(PROCESSING, filter=GREEN),
        ordinary_count=Count("id", filter=ORDINARY),
        ordinary_average=Avg(PROCESSING, filter=ORDINARY),
    )
    return _days(row)


def _days(row: dict[str, Any]) -> dict[str, Any]:
    return {k: days(v) if k.endswith("average") else v for k, v in row.items()}


def grouped(procedures: QuerySet[Procedure], key: str, *extra: str) -> dict[Any, dict[str, Any]]:
    """stats() per value of `key`, with the values of `extra` fields of the group, in one query."""
    rows = (
        procedures.order_by()
        .values(key, *extra)
        .annotate(
            count=Count("id"),
            average=Avg(PROCESSING),
            green_count=Count("id", filter=GREEN),
            green_average=Avg(PROCESSING, filter=GREEN),
            ordinary_count=Count("id", filter=ORDINARY),
            ordinary_average=Avg(PROCESSING, filter=ORDINARY),
        )
    )
    return {row.pop(key): _days(row) for row in rows}


def compared(this: dict[str, Any], last: dict[str, Any] | None) -> dict[str, Any]:
    """A group's figures with last year's average, the change (提升/下降) and how much faster green is."""
    last_average = last["average"] if last else None
    return {
        **this,
        "last_count": last["count"] if last else 0,
        "last_average": last_average,
        "change": efficiency_change(last_average, this["average"]),
        "green_faster": efficiency_change(this["ordinary_average"], this["green_average"]),
    }


def breakdown(
    this: QuerySet[Procedure],
    last: QuerySet[Procedure],
    key: str,
    labels: dict[Any, str] | None = None,
    extra: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """compared() per value of `key`: in the order of `labels` when given, else most procedures first."""
    rows = grouped(this, key, *extra)
    last_rows = grouped(last, key)
    if labels is not None:
        keys = [k for k in labels if k in rows] + [k for k in rows if k not in labels]
    else:
        keys = sorted(rows, key=lambda k: (-rows[k]["count"], str(k)))
    result = []
    for k in keys:
        row = rows[k]
        named = {name.split("__")[-1]: row.pop(name) for name in extra}
        label = labels.get(k) if labels is not None else named.pop("name", None)
        result.append({"key": k, "label": label, **named, **compared(row, last_rows.get(k))})
    return result


def overdue_procedures(procedures: QuerySet[Procedure], today: date | None = None) -> QuerySet[Procedure]:
    """审批超时: procedures in progress longer than their type's time limit (办理时限), in one query."""
    today = today or timezone.localdate()
    condition = Q(pk__in=[])
    for type_id, limit in ProcedureType.objects.filter(time_limit_days__gt=0).values_list(
        "pk", "time_limit_days"
    ):
        condition |= Q(type_id=type_id, submitted_on__lt=today - timedelta(days=limit))
    return procedures.filter(status=ProcedureStatus.IN_PROGRESS, submitted_on__isnull=False).filter(condition)


def approval_efficiency(year: int, scope: Scope | None = None, through: date | None = None) -> dict[str, Any]:
    """审批效能 of `year` (procedures approved from 1 January to `through`, by default the year's end or
    today) against the same days of last year: average processing days per type, per approving
    department and per investment nature (政府投资/企业投资), green channel against ordinary."""
    today = timezone.localdate()
    end = through or min(date(year, 12, 31), max(today, date(year, 1, 1)))
    procedures = scoped_procedures(year, scope)
    this = approved_between(procedures, date(year, 1, 1), end)
    last = approved_between(procedures, date(year - 1, 1, 1), same_day_last_year(end))
    overall = compared(stats(this), stats(last))
    types = dict(ProcedureType.objects.order_by("sort_order", "code").values_list("pk", "name"))
    natures = {value: str(label) for value, label in InvestmentNature.choices}
    return {
        "year": year,
        "through": end,
        "overall": overall,
        "by_type": breakdown(this, last, "type", types, extra=("type__time_limit_days",)),
        "by_department": breakdown(this, last, "department", extra=("department__name",)),
        "by_nature": breakdown(this, last, "project__investment_nature", natures),
        "in_progress": procedures.filter(status=ProcedureStatus.IN_PROGRESS).count(),
        "overdue": overdue_procedures(procedures, today).count(),
    }


def figures_section(context: Context) -> dict[str, Any]:
    """审批效能 of the year through the end of the month (or today)."""
    return {"approvals": approval_efficiency(context.year, context.scope, through=context.as_of)}
