"""审批效能: processing days of approval procedures, green channel against ordinary, year on year,
and the procedures in progress past their time limit. Every average is computed in the database."""

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Func, IntegerField, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import ApprovalCell, ApprovalDayCell
from catalog.choices import ProcedureStage
from catalog.models import ProcedureType
from figures.registry import Context
from lib.numbers import percent, quantize
from org.models import Unit, among, subtree
from plans.scope import Scope, is_whole, scope_projects
from projects.choices import InvestmentNature, ProcedureStatus
from projects.models import Procedure, Project

GREEN = Q(green_channel=True)
ORDINARY = Q(green_channel=False)


def efficiency_change(last_days: Decimal | None, this_days: Decimal | None) -> Decimal | None:
    """审批效能提升 x%: (last year's average days − this year's) / last year's × 100, 1 decimal.

    Positive means faster (提升), negative slower (下降); None without both averages.
    """
    if last_days is None or this_days is None or not last_days:
        return None
    return quantize((last_days - this_days) * 100 / last_days, 1)


def each_asked(procedures: QuerySet[Procedure], year: int, scope: Scope | None) -> QuerySet[Procedure]:
    """`procedures` of the projects in `scope`, the project asked of each procedure the other
    conditions find (as a value, `+ 0`, which no index answers): for the few procedures an index
    of their own finds (in progress, or approved this week), where through the index on the
    project a department's 90,000 procedures were read at 100,000 projects."""
    if scope is None or is_whole(scope):
        return procedures
    return procedures.alias(project_value=F("project_id") + 0).filter(
        project_value__in=scope_projects(year, scope).values("pk")
    )


def scoped_procedures(year: int, scope: Scope | None = None) -> QuerySet[Procedure]:
    """The procedures of the projects in `scope` (see plans.scope.scope_projects)."""

    if scope is None or is_whole(scope):
        # Every project: no semi-join over the whole registry.
        return Procedure.objects.all()

    return Procedure.objects.filter(project__in=scope_projects(year, scope))


def same_day_last_year(day: date) -> date:
    last_day = calendar.monthrange(day.year - 1, day.month)[1]
    return date(day.year - 1, day.month, min(day.day, last_day))


class DaysBetween(Func):
    """Whole days from one date to another, in the database (no Python function per row)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


# 办理用时: days from submission to approval.
PROCESSING_DAYS = DaysBetween("submitted_on", "approved_on")
# Overall, green channel and ordinary, by the prefix of their figures.
KINDS = {"": Q(), "green_": GREEN, "ordinary_": ORDINARY}
WINDOWS = ("this_", "last_")


def sums(window: Q | None = None, name: str = "") -> dict[str, Any]:
    """Aggregates of the procedures in `window`: count and total processing days, overall, green
    channel and ordinary, named `{name}{kind}count` and `{name}{kind}days`."""
    aggregates: dict[str, Any] = {}
    for prefix, kind in KINDS.items():
        condition = (window or Q()) & kind
        aggregates[f"{name}{prefix}count"] = Count("id", filter=condition or None)
        aggregates[f"{name}{prefix}days"] = Sum(PROCESSING_DAYS, filter=condition or None)
    return aggregates


def averages(row: dict[str, Any], name: str = "") -> dict[str, Any]:
    """Counts and average processing days (1 decimal, exact: total days over count) of a row of sums()."""
    figures: dict[str, Any] = {}
    for prefix in KINDS:
        count = row[f"{name}{prefix}count"] or 0
        total = row[f"{name}{prefix}days"] or 0
        figures[f"{prefix}count"] = count
        figures[f"{prefix}average"] = quantize(Decimal(total) / count, 1) if count else None
    return figures


def stats(procedures: QuerySet[Procedure]) -> dict[str, Any]:
    """Count and average processing days, overall, green channel and ordinary, in one query."""
    return averages(procedures.aggregate(**sums()))


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


# What the breakdowns cut the procedures by, with the fields that go with each value.
GROUP_KEYS = ("type", "type__time_limit_days", "department", "department__name", "project__investment_nature")
# What the statement groups by: the breakdowns' own keys (the names and time limits are looked up
# apart, in the catalogue's few rows), the green channel and the year (this year or last).
GROUPED_BY = ("type", "department", "project__investment_nature", "green_channel", "current")


def counted_in(
    procedures: QuerySet[Procedure], this: Q, last: Q, this_start: date, since: date | None = None
) -> QuerySet:
    """The procedures done in either window, counted and their processing days added up per
    GROUPED_BY, in one statement. Each procedure's days are computed once (not once per figure it
    counts in), and the window bounds come first so that the index of the procedures done by their
    date of approval reads only the two years, or from `since` when the windows begin later."""
    return (
        procedures.filter(status=ProcedureStatus.DONE, submitted_on__isnull=False)
        .filter(approved_on__gte=since or this_start.replace(year=this_start.year - 1))
        .filter(this | last)
        .annotate(current=ExpressionWrapper(Q(approved_on__gte=this_start), output_field=BooleanField()))
        .order_by()
        .values(*GROUPED_BY)
        .annotate(n=Count("id"), d=Sum(PROCESSING_DAYS))
    )


def whole_months(end: date) -> tuple[int, date | None]:
    """The whole months from 1 January to `end`, as the last of them (0 for none), and the first
    day of the month `end` is part of, when it is not that month's last day."""
    if end.day == calendar.monthrange(end.year, end.month)[1]:
        return end.month, None
    return end.month - 1, end.replace(day=1)


def served(scope: Scope | None) -> bool:
    """Whether the summary (approvals.cells) answers for `scope`: every project, or those a user
    sees, of a unit's subtree or not. A level, town, category, plan type, nature, size or list
    narrows the projects by what the cells are not kept by."""
    if scope is None:
        return True
    return not (scope.level or scope.town or scope.category or scope.plan_type or scope.cuts_projects)


def day_number(day: date) -> int:
    """`day` as the day cells hold it (ApprovalDayCell.on): yyyymmdd."""
    return day.year * 10000 + day.month * 100 + day.day


def user_units(scope: Scope) -> Any:
    """The units of the subtree of the scope's user (org.models.subtree): none for a user without a
    unit, or signed out."""
    user = scope.user
    unit = user.unit if user is not None and user.is_authenticated and user.is_active else None
    return [] if unit is None else subtree(unit.path)


def parts(scope: Scope, unit: str, owner: str) -> tuple[Q, Q | None]:
    """How a scope the summary serves, other than every project, finds its procedures, as
    conditions on a responsible unit field (`unit`) and an owner unit field (`owner`): the
    responsible units whose projects it counts whole (those of its user's subtree, or every unit
    for a user who sees every project; within the subtree of the scope's unit when it has one);
    and the projects of its user's owners that answer to a unit outside the user's subtree (None
    for a user who sees every project). A project has one responsible unit and one owner unit, so
    the two never count one twice."""
    within = Q()
    if scope.unit is not None:
        within = among(unit, subtree(scope.unit.path))
    if scope.user_sees_everything:
        return within, None
    mine = user_units(scope)
    return among(unit, mine) & within, among(owner, mine) & ~among(unit, mine) & within


def scope_cells(scope: Scope | None, condition: Q) -> list[QuerySet[ApprovalCell]]:
    """The month cells meeting `condition` (which names their year `cell_year`) of a scope the
    summary serves, as parts() finds them: those over every unit for every project, else those of
    the scope's responsible units and those of its owners' projects of other units."""
    if scope is None or is_whole(scope):
        return [ApprovalCell.objects.alias(cell_year=F("year")).filter(condition, per_owner=False, unit_id=0)]
    # Found through the indexes on their units, on SQLite the years asked of each as values
    # (`+ 0`): SQLite, which keeps no statistics, took the index on the months instead and read
    # both years' cells of every unit. PostgreSQL reads the years from the same indexes.
    year = F("year") + 0 if connection.vendor == "sqlite" else F("year")
    cells = ApprovalCell.objects.alias(cell_year=year).filter(condition)
    units, owners = parts(scope, "unit_id", "owner_unit_id")
    found: list[QuerySet[ApprovalCell]] = [cells.filter(units, per_owner=False, unit_id__gt=0)]
    if owners is not None:
        found.append(cells.filter(owners, per_owner=True))
    return found


def scope_days(scope: Scope | None) -> list[QuerySet[ApprovalDayCell]]:
    """The day cells of a scope the summary serves, as scope_cells() finds the month cells."""
    if scope is None or is_whole(scope):
        return [ApprovalDayCell.objects.filter(per_owner__in=[False], unit_id=0, owner_unit_id=0)]
    units, owners = parts(scope, "unit_id", "owner_unit_id")
    found = [ApprovalDayCell.objects.filter(units, per_owner__in=[False], owner_unit_id=0)]
    if owners is not None:
        found.append(ApprovalDayCell.objects.filter(owners, per_owner=True))
    return found


def counted_from_cells(this_end: date, last_end: date, scope: Scope | None = None) -> list[dict[str, Any]]:
    """counted_in() of the procedures of `scope` (one served()) from the summary (approvals.cells):
    the whole months of both windows from their month cells, the days of a month begun from the
    day cells."""
    year = this_end.year
    this_months, this_partial = whole_months(this_end)
    last_months, last_partial = whole_months(last_end)
    # The same months of both years (the windows end on the same day of the year, but for 29
    # February) asked as one range: an OR of the two is planned by SQLite term by term, and its
    # terms alone do not say that they ask for the totals over the units, which have an index of
    # their own.
    if this_months == last_months:
        window = Q(cell_year__in=[year - 1, year], month__lte=this_months)
    else:
        window = Q(cell_year=year, month__lte=this_months) | Q(cell_year=year - 1, month__lte=last_months)
    counted = []
    for cells in scope_cells(scope, window & Q(count__gt=0)):
        grouped = (
            cells.values("year", "type_id", "department_id", "nature", "green_channel")
            .annotate(n=Sum("count"), d=Sum("days"))
            .order_by()
        )
        counted += [cell_group(cell, cell["year"] == year) for cell in grouped]
    for first, end in ((this_partial, this_end), (last_partial, last_end)):
        if first is None:
            continue
        for days in scope_days(scope):
            of_days = (
                days.filter(status=ProcedureStatus.DONE, on__gte=day_number(first), on__lte=day_number(end))
                .filter(count__gt=0)
                .values("type_id", "department_id", "nature", "green_channel")
                .annotate(n=Sum("count"), d=Sum("days"))
                .order_by()
            )
            counted += [cell_group(cell, first.year == year) for cell in of_days]
    return counted


def cell_group(cell: dict[str, Any], current: bool) -> dict[str, Any]:
    """A group of cells added up, as counted_in() gives the group of its procedures."""
    return {
        "type": cell["type_id"],
        "department": cell["department_id"] or None,
        "project__investment_nature": cell["nature"],
        "green_channel": cell["green_channel"],
        "current": current,
        "n": cell["n"],
        "d": cell["d"],
    }


def in_progress_counts(year: int, scope: Scope | None, today: date) -> dict[str, int]:
    """The scope's procedures in progress, and those of them past their type's time limit as of
    `today` (审批超时): from the day cells of a scope the summary serves, else from the procedures
    (a narrowed scope's projects looked up once, not once a count)."""
    in_progress = Procedure.objects.filter(status=ProcedureStatus.IN_PROGRESS)
    if not served(scope):
        return each_asked(in_progress, year, scope).aggregate(
            in_progress=Count("id"), overdue=Count("id", filter=past_time_limit(today))
        )
    counts = dict.fromkeys(("in_progress", "overdue"), 0)
    overdue = past_time_limit_on(today)
    for days in scope_days(scope):
        added = days.filter(status=ProcedureStatus.IN_PROGRESS).aggregate(
            in_progress=Sum("count"), overdue=Sum("count", filter=overdue)
        )
        for name in counts:
            counts[name] += added[name] or 0
    return counts


def grouped_rows(counted: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The groups of counted_in() (or counted_from_cells()) as rows of GROUP_KEYS per type,
    department and investment nature, with the measures of sums(this, "this_") and sums(last,
    "last_")."""
    limits = dict(ProcedureType.objects.values_list("pk", "time_limit_days"))
    measures = [*sums(name="this_"), *sums(name="last_")]
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    department_ids = set()
    for group in counted:
        key = (group["type"], group["department"], group["project__investment_nature"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = {
                "type": group["type"],
                "type__time_limit_days": limits.get(group["type"]),
                "department": group["department"],
                "project__investment_nature": group["project__investment_nature"],
                **dict.fromkeys(measures, 0),
            }
            department_ids.add(group["department"])
        window = "this_" if group["current"] else "last_"
        kind = "green_" if group["green_channel"] else "ordinary_"
        for prefix in ("", kind):
            row[f"{window}{prefix}count"] += group["n"]
            row[f"{window}{prefix}days"] += group["d"] or 0
    names = dict(Unit.objects.filter(pk__in=department_ids - {None}).values_list("pk", "name"))
    for row in rows.values():
        row["department__name"] = names.get(row["department"])
    return list(rows.values())


def added_up(rows: list[dict[str, Any]], key: str | None) -> dict[Any, dict[str, Any]]:
    """The grouped rows of both windows added up per value of `key` (or all into None); each keeps
    the fields of its first row under "fields"."""
    totals: dict[Any, dict[str, Any]] = {}
    measures = [name for name in sums(name="this_")] + [name for name in sums(name="last_")]
    for row in rows:
        total = totals.setdefault(row[key] if key else None, {"fields": row, **dict.fromkeys(measures, 0)})
        for measure in measures:
            total[measure] += row[measure] or 0
    return totals


def breakdown(
    rows: list[dict[str, Any]],
    key: str,
    labels: dict[Any, str] | None = None,
    extra: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """compared() per value of `key` among this year's procedures: in the order of `labels` when
    given, else most procedures first."""
    totals = {k: total for k, total in added_up(rows, key).items() if total["this_count"]}
    if labels is not None:
        keys = [k for k in labels if k in totals] + [k for k in totals if k not in labels]
    else:
        keys = sorted(totals, key=lambda k: (-totals[k]["this_count"], str(k)))
    result = []
    for k in keys:
        total = totals[k]
        named = {name.split("__")[-1]: total["fields"][name] for name in extra}
        label = labels.get(k) if labels is not None else named.pop("name", None)
        last = averages(total, "last_") if total["last_count"] else None
        result.append({"key": k, "label": label, **named, **compared(averages(total, "this_"), last)})
    return result


def past_time_limit(today: date) -> Q:
    """Submitted longer ago than the type's time limit (办理时限) allows, as of `today`."""
    condition = Q(pk__in=[])
    for type_id, limit in ProcedureType.objects.filter(time_limit_days__gt=0).values_list(
        "pk", "time_limit_days"
    ):
        condition |= Q(type_id=type_id, submitted_on__lt=today - timedelta(days=limit))
    return Q(submitted_on__isnull=False) & condition


def past_time_limit_on(today: date) -> Q:
    """past_time_limit() of the day cells of procedures in progress, whose day is the day of
    submission (0 for none)."""
    condition = Q(pk__in=[])
    for type_id, limit in ProcedureType.objects.filter(time_limit_days__gt=0).values_list(
        "pk", "time_limit_days"
    ):
        condition |= Q(type_id=type_id, on__lt=day_number(today - timedelta(days=limit)))
    return Q(on__gt=0) & condition


def overdue_procedures(procedures: QuerySet[Procedure], today: date | None = None) -> QuerySet[Procedure]:
    """审批超时: procedures in progress longer than their type's time limit (办理时限), in one query."""
    today = today or timezone.localdate()
    return procedures.filter(status=ProcedureStatus.IN_PROGRESS).filter(past_time_limit(today))


def approval_efficiency(year: int, scope: Scope | None = None, through: date | None = None) -> dict[str, Any]:
    """审批效能 of `year` (procedures approved from 1 January to `through`, by default the year's end or
    today) against the same days of last year: average processing days per type, per approving
    department and per investment nature (政府投资/企业投资), green channel against ordinary."""
    today = timezone.localdate()
    end = through or min(date(year, 12, 31), max(today, date(year, 1, 1)))
    procedures = scoped_procedures(year, scope)
    this = Q(approved_on__gte=date(year, 1, 1), approved_on__lte=end)
    last = Q(approved_on__gte=date(year - 1, 1, 1), approved_on__lte=same_day_last_year(end))
    # Both years cut by type, department and nature at once, in one grouped query, or from the
    # summary for a scope it serves when the window ends in its year (a month of a later year
    # asked for before it begins has an empty window, which the query gives). The overall figures
    # and each breakdown add up its rows (a few hundred at most for every project).
    if served(scope) and end.year == year:
        counted = counted_from_cells(end, same_day_last_year(end), scope)
    else:
        counted = list(counted_in(procedures, this, last, date(year, 1, 1)))
    rows = grouped_rows(counted)
    total = added_up(rows, None).get(None) or dict.fromkeys([*sums(name="this_"), *sums(name="last_")], 0)
    overall = compared(averages(total, "this_"), averages(total, "last_"))
    types = dict(ProcedureType.objects.order_by("sort_order", "code").values_list("pk", "name"))
    natures = {value: str(label) for value, label in InvestmentNature.choices}
    return {
        "year": year,
        "through": end,
        "overall": overall,
        "by_type": breakdown(rows, "type", types, extra=("type__time_limit_days",)),
        "by_department": breakdown(rows, "department", extra=("department__name",)),
        "by_nature": breakdown(rows, "project__investment_nature", natures),
        **in_progress_counts(year, scope, today),
    }


def approval_catalogue(year: int, scope: Scope | None = None) -> dict[str, Any]:
    """审批事项目录 (seed 000: "政府投资建设项目主要涉及的9个部门、37个事项，…全部实现联合审批"): the active
    procedure types that concern each investment nature, the departments approving them and how
    many are in joint approval; the same by stage; and 绿色通道 coverage of the scope's projects."""
    active = ProcedureType.objects.filter(is_active=True)
    by_nature = [
        {"key": nature, "label": str(label), **active.concerning(nature).catalogue_counts()}
        for nature, label in InvestmentNature.choices
    ]
    stages = {
        row.pop("stage"): row
        for row in active.order_by()
        .values("stage")
        .annotate(
            items=Count("id"),
            departments=Count("department", distinct=True),
            joint=Count("id", filter=Q(joint_approval=True)),
        )
    }
    empty = {"items": 0, "departments": 0, "joint": 0}
    by_stage = [
        {"key": stage, "label": str(label), **stages.get(stage, empty)}
        for stage, label in [*ProcedureStage.choices, ("", _("未分阶段"))]
        if stage or stage in stages
    ]
    projects = Project.objects.all() if scope is None or is_whole(scope) else scope_projects(year, scope)
    green = projects.aggregate(projects=Count("id"), green=Count("id", filter=Q(green_channel=True)))
    return {
        **active.catalogue_counts(),
        "by_nature": by_nature,
        "by_stage": by_stage,
        "green_channel": {**green, "share": percent(green["green"], green["projects"], 1)},
    }


def figures_section(context: Context) -> dict[str, Any]:
    """审批效能 of the year through the end of the month (or today), and the approval catalogue."""
    return {
        "approvals": approval_efficiency(context.year, context.scope, through=context.as_of),
        "approval_catalogue": approval_catalogue(context.year, context.scope),
    }
