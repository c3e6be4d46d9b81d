"""The figures' summary: building `FigureCell` rows from the tables and reading scopes from them.

A cell is what `figures.compute.scope_groups()` adds up for the entries of one combination of
plan, counting mark, category, plan type, responsible unit, town and owner unit in one month, built by the
same aggregate expressions over the same joins. Reading a scope from the cells therefore gives
the figures the tables give, to the cent, as long as no cell is stale; the database's triggers
mark every (year, responsible unit) a write touches, and `refresh()` rebuilds those before a
figure is read.
"""

import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import Any, TypeVar, cast

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Sum, Value
from django.utils import timezone

from figures.models import FigureCell, FigureStale
from lib.sql import analyze_table
from org.models import Unit, among
from org.models import subtree as unit_subtree
from plans.choices import PlanType
from plans.models import Plan, PlanEntry
from plans.scope import Scope
from progress.choices import PARTS_PER_MONTH, Frequency, ReportState
from progress.models import Report, YearProgress, period_seq
from progress.periods import Period, parts_in_month
from progress.querysets import REPORTING_STATUSES
from projects.choices import SIZE_BUCKET_BOUNDS, STATUS_GROUPS, ProjectStatus, SizeBucket
from projects.models import Project, ProjectStatusChange
from projects.querysets import project_scope

MONTHS = range(1, 13)
PARTS = range(1, max(PARTS_PER_MONTH.values()) + 1)
# The advisory lock a refresh takes on PostgreSQL (a number of the application's own choosing).
REFRESH_LOCK = 7_202_613
# Size buckets by the names of their cell fields (their values are not valid column names).
BUCKET_FIELDS = {
    SizeBucket.TEN_PLUS: "ten_plus",
    SizeBucket.FIVE_TEN: "five_ten",
    SizeBucket.ONE_FIVE: "one_five",
    SizeBucket.BELOW_ONE: "below_one",
}
# What a cell is keyed by, besides its year and month; without the owner, the key of the cells
# added up over the owners.
KEYS = ["plan_id", "counted", "category_id", "plan_type", "unit_id", "town_id", "owner_unit_id"]
COARSE = [key for key in KEYS if key != "owner_unit_id"]
# A project whose responsible unit is still 待明确 has its cells under unit 0.
UNIT_KEY = "COALESCE(p.responsible_unit_id, 0)"
# A stale mark names a project without an owner unit as owner 0 (its cells' owner is empty).
# Beyond this many (unit, owner) marks in a year their units are rebuilt whole: a statement naming
# each pair (an import marks thousands) would cost more than the rebuild it spares.
MAX_OWNER_MARKS = 200
# Beyond this many cell keys of the owners rebuilt (those they had and those they have), their units'
# totals over the owners are added up again whole rather than key by key: a term per key, and
# SQLite refuses an OR of more than about a thousand.
MAX_TOTAL_KEYS = 100
# A rebuild writing more cells than this refreshes the planner's statistics of the cells (a month-end
# save writes a few dozen; a year rebuilt after an import, hundreds of thousands).
ANALYZE_AFTER = 20_000
# The cell fields a scope's rows add up, by the names scope_groups() gives them.
ENTRY_COUNTS = [
    "to_start",
    "started",
    "to_finish",
    "finished",
    "to_resume",
    "resumed",
    *[f"status_{name}" for name, _label, _statuses in STATUS_GROUPS],
]
REPORTING = [f"{kind}_{part}" for part in PARTS for kind in ("due", "submitted", "on_time")]
# Every reporting period a month can have: (frequency, part).
FREQUENCY_PARTS = [
    (frequency, part)
    for frequency in Frequency.values
    for part in range(1, PARTS_PER_MONTH[Frequency(frequency)] + 1)
]
# The cell fields only the 报送看板 reads (board_lines()), besides REPORTING.
BOARD = [
    "due_projects",
    *(f"{kind}_{part}" for part in PARTS for kind in ("sent", "accepted", "pending")),
    *(f"{kind}_{frequency}_{part}" for frequency, part in FREQUENCY_PARTS for kind in ("unsent", "drafts")),
]


def measure_fields() -> dict[str, str]:
    """Each figure of a scope_groups() row that a cell holds, by its name there → the cell field."""
    fields = {"count": "count", "annual_plan": "annual_plan", "total_investment": "total_investment"}
    fields.update({f"ytd_{m}": f"ytd_{m}" for m in MONTHS})
    fields.update({name: name for name in ENTRY_COUNTS + REPORTING})
    for bucket, field in BUCKET_FIELDS.items():
        fields[f"n_{bucket}"] = f"n_{field}"
        fields[f"t_{bucket}"] = f"t_{field}"
    return fields


def month_table(year: int) -> tuple[str, list[Any]]:
    """The twelve months of `year` as a table for the statement that builds the cells: each
    month's last day, and the first and last day of each reporting period in it (by frequency
    and part, empty for a fifth week the month does not have), from progress.periods."""
    postgres = connection.vendor == "postgresql"
    day = "CAST(%s AS date)" if postgres else "%s"
    columns = ["month", "month_end", "year_start"]
    columns += [f"{edge}_{f}_{p}" for f, p in FREQUENCY_PARTS for edge in ("s", "e")]
    rows, params = [], []
    for month in MONTHS:
        values: list[Any] = [month, Period(year, month).end, date(year, 1, 1)]
        for frequency, part in FREQUENCY_PARTS:
            if part > parts_in_month(frequency, year, month):
                # A month of four weeks has no fifth: no project is due for it.
                values += [None, None]
                continue
            period = Period(year, month, part, frequency)
            values += [period.start, period.end]
        rows.append("(" + ", ".join(["%s"] + [day] * (len(values) - 1)) + ")")
        params += values
    return f"months ({', '.join(columns)}) AS (VALUES {', '.join(rows)})", params


def cell_fields() -> list[str]:
    """Every field a cell sums up: measure_fields(), BOARD, then the public entries."""
    return [*measure_fields().values(), *BOARD, "public"]


def cell_sums(year: int) -> tuple[list[str], list[Any]]:
    """The sums of a cell of `year`, in the order of cell_fields(), as SQL over the entry `e`, its
    project `p`, its year row `y`, the month `m` and the month's reports of each part `r1` … `r5`:
    the figures compute.scope_groups(details=True) adds up, at every reporting frequency, and the
    states of the periods due the 报送看板 counts."""
    quote = connection.ops.quote_name
    params_of: dict[str, list[Any]] = {}

    def count(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    def listed(values: Iterable[str]) -> str:
        return ", ".join(f"'{value}'" for value in values)

    new_start = f"e.plan_type = '{PlanType.NEW_START}' AND e.planned_start_month <= m.month"
    completing = f"e.plan_type = '{PlanType.COMPLETING}' AND e.planned_completion_month <= m.month"
    sums = {
        "count": "COUNT(*)",
        "annual_plan": "COALESCE(SUM(e.annual_investment), 0)",
        "total_investment": "COALESCE(SUM(p.total_investment), 0)",
    }
    for month in MONTHS:
        sums[f"ytd_{month}"] = f"COALESCE(SUM(y.{quote(YearProgress.column(month))}), 0)"
    sums["to_start"] = count(new_start)
    sums["started"] = count(f"{new_start} AND p.actual_start_date <= m.month_end")
    sums["to_finish"] = count(completing)
    sums["finished"] = count(f"{completing} AND p.actual_completion_date <= m.month_end")
    # 复工率 as compute.resumed_condition() counts it: an accepted report of the year with an amount
    # by the month, or a return from 暂停施工 to 在建 dated this year by the month's end.
    continuing = f"e.plan_type = '{PlanType.CONTINUING}'"
    reported = (
        f"EXISTS (SELECT 1 FROM {quote(Report._meta.db_table)} rs WHERE rs.project_id = p.id"
        f" AND rs.seq >= {period_seq(year, 1, 0)} AND rs.seq <= {period_seq(year, 0, 9)} + 10 * m.month"
        f" AND rs.state = '{ReportState.ACCEPTED}' AND rs.amount > 0)"
    )
    returned = (
        f"EXISTS (SELECT 1 FROM {quote(ProjectStatusChange._meta.db_table)} sc WHERE sc.project_id = p.id"
        f" AND sc.from_status = '{ProjectStatus.SUSPENDED}' AND sc.to_status = '{ProjectStatus.CONSTRUCTION}'"
        f" AND sc.effective_date >= m.year_start AND sc.effective_date <= m.month_end)"
    )
    sums["to_resume"] = count(continuing)
    sums["resumed"] = count(f"{continuing} AND ({reported} OR {returned})")
    for name, _label, statuses in STATUS_GROUPS:
        sums[f"status_{name}"] = count(f"p.status IN ({listed(statuses)})")
    for bucket, field in BUCKET_FIELDS.items():
        low, high = SIZE_BUCKET_BOUNDS[bucket]
        bounds = [
            f"p.total_investment >= {low}" if low is not None else "",
            f"p.total_investment < {high}" if high is not None else "",
        ]
        condition = " AND ".join(bound for bound in bounds if bound)
        sums[f"n_{field}"] = count(condition)
        sums[f"t_{field}"] = f"COALESCE(SUM(CASE WHEN {condition} THEN p.total_investment END), 0)"
    reporting = listed(REPORTING_STATUSES)

    def due_at(frequency: str, part: int) -> str:
        return (
            f"(p.report_frequency = '{frequency}' AND p.actual_start_date <= m.e_{frequency}_{part}"
            f" AND (p.actual_completion_date IS NULL OR p.actual_completion_date >= m.s_{frequency}_{part}))"
        )

    due_in_month = []
    for part in PARTS:
        due = " OR ".join(
            due_at(frequency, part) for frequency, of_part in FREQUENCY_PARTS if of_part == part
        )
        due_in_month.append(f"({due})")
        due = f"p.status IN ({reporting}) AND ({due})"
        submitted_on, on_params = connection.ops.datetime_cast_date_sql(
            f"r{part}.first_submitted_at", (), timezone.get_current_timezone_name()
        )
        on_time = f"{submitted_on} <= r{part}.deadline"
        sums[f"due_{part}"] = count(due)
        sums[f"submitted_{part}"] = count(f"{due} AND r{part}.first_submitted_at IS NOT NULL")
        sums[f"on_time_{part}"] = count(f"{due} AND {on_time}")
        # 已审核 or 已报送 with a first submission: one without it (written so by hand) is not submitted.
        sent = (
            f"r{part}.state IN ({listed([ReportState.ACCEPTED, ReportState.SUBMITTED])})"
            f" AND r{part}.first_submitted_at IS NOT NULL"
        )
        sums[f"sent_{part}"] = count(f"{sent} AND {due}")
        # The state first: the submission's day is worked out only for the reports in it.
        sums[f"accepted_{part}"] = count(f"r{part}.state = '{ReportState.ACCEPTED}' AND {due} AND {on_time}")
        sums[f"pending_{part}"] = count(f"r{part}.state = '{ReportState.SUBMITTED}' AND {due} AND {on_time}")
        for name in (f"on_time_{part}", f"accepted_{part}", f"pending_{part}"):
            params_of[name] = list(on_params)
    sums["due_projects"] = count(f"p.status IN ({reporting}) AND ({' OR '.join(due_in_month)})")
    for frequency, part in FREQUENCY_PARTS:
        # The frequency and the report first: most rows are another frequency's, or submitted.
        unsent = (
            f"p.report_frequency = '{frequency}' AND r{part}.first_submitted_at IS NULL"
            f" AND p.status IN ({reporting}) AND {due_at(frequency, part)}"
        )
        sums[f"unsent_{frequency}_{part}"] = count(unsent)
        sums[f"drafts_{frequency}_{part}"] = count(f"r{part}.id IS NOT NULL AND {unsent}")
    sums["public"] = count("p.is_public")
    fields = cell_fields()
    return [sums[field] for field in fields], [
        param for field in fields for param in params_of.get(field, [])
    ]


def whole_units(year: int, whole: list[int], rp: str = "rp") -> tuple[list[str], list[Any], list[Q]]:
    """The conditions on the projects `rp` of the units `whole` (0: none), their parameters, and the
    condition on their cells of `year`: one term for the units and one for none, however many (an
    OR of a term per unit passes SQLite's limit of 1,000 on an expression's depth, as a refresh
    after a migrate of a province's units would)."""
    units = [unit for unit in whole if unit]
    conditions = [f"{rp}.responsible_unit_id IN ({', '.join(['%s'] * len(units))})"] if units else []
    if len(units) < len(whole):
        conditions.append(f"{rp}.responsible_unit_id IS NULL")
    return conditions, list(units), [Q(year=year, unit_id__in=whole)] if whole else []


def owner_projects(unit: int, owner: int, rp: str = "rp") -> tuple[str, list[int]]:
    """The condition on a project `rp` of responsible unit `unit` and owner unit `owner` (0: none),
    and its parameters: the owner's projects found through the index on the owner unit, where a
    unit has thousands. On SQLite, which keeps no statistics, the unit is asked as a value (`+ 0`),
    which no index answers, so that the unit's index is not taken instead; PostgreSQL estimates
    both indexes, and asked a value it cannot estimate planned the rebuild for every project
    (an owner of 40 projects: 200 -> 700 ms at 20,000 projects)."""
    unit_value = (
        f"{rp}.responsible_unit_id + 0" if connection.vendor == "sqlite" else f"{rp}.responsible_unit_id"
    )
    unit_condition = f"{unit_value} = %s" if unit else f"{rp}.responsible_unit_id IS NULL"
    return f"({equals(f'{rp}.owner_unit_id', owner)} AND {unit_condition})", [v for v in (owner, unit) if v]


def equals(column: str, key: int) -> str:
    """`column` matching the unit of a cell key or stale mark, where 0 stands for none."""
    return f"{column} = %s" if key else f"{column} IS NULL"


def rebuild(year: int, units: Iterable[int] | None = None, owners: Iterable[tuple[int, int]] = ()) -> int:
    """Build the cells of `year` again from the tables: all of them when `units` is None, else the
    cells of `units` and those of the (unit, owner) pairs of `owners` (owner 0: the projects
    without an owner unit) with their units' totals over the owners; returns how many.

    One statement for the twelve months: the entries of the year's plans joined once to their
    projects, year rows and reports, crossed with the months, grouped by month and cell key, the
    owner unit included; and one adding those up over the owners (add_up_owners()): of every
    unit rebuilt whole, and of only the cell keys an owner rebuilt had before or has now.
    """
    quote = connection.ops.quote_name
    cells = FigureCell.objects.filter(year=year)
    where = ""
    where_params: list[Any] = []
    # The totals over the owners rebuilt: every one of the year, or those of the units rebuilt whole
    # and those of the cell keys (without the owner) the owners rebuilt had or have.
    totals: list[dict[str, Any]] | None = None
    owner_cells: Q | None = None
    if units is not None:
        whole = sorted(set(units))
        pairs = sorted({(unit, owner) for unit, owner in owners if unit not in whole})
        if not whole and not pairs:
            return 0
        # The projects rebuilt, found through the indexes on their units (0: none), then their
        # entries through the index on the project; the year in every term of the cells taken
        # away, so that each is found through the indexes that begin with the year and the unit.
        # SQLite names the projects first, in a subquery; PostgreSQL plans the statement for every
        # project when they are named so (20,000 projects: 200 -> 700 ms for an owner of 40), and
        # finds them through the same indexes from the conditions on the statement's own projects.
        rp = "rp" if connection.vendor == "sqlite" else "p"
        conditions, where_params, stale = whole_units(year, whole, rp)
        owner_terms = []
        for unit, owner in pairs:
            condition, params = owner_projects(unit, owner, rp)
            conditions.append(condition)
            where_params += params
            owner_terms.append(Q(year=year, per_owner=True, unit_id=unit, owner_unit_id=owner or None))
        totals = [{"unit_id__in": whole}] if whole else []
        if owner_terms:
            owner_cells = reduce(operator.or_, owner_terms)
        cells = FigureCell.objects.filter(reduce(operator.or_, stale + owner_terms))
        where = (
            f" AND e.project_id IN (SELECT rp.id FROM {quote(Project._meta.db_table)} rp "
            f"WHERE {' OR '.join(conditions)})"
            if rp == "rp"
            else f" AND ({' OR '.join(conditions)})"
        )

    def owner_keys() -> set[tuple[Any, ...]]:
        if owner_cells is None:
            return set()
        return set(FigureCell.objects.filter(owner_cells).values_list(*COARSE).distinct().order_by())

    before = owner_keys()
    cells.delete()
    months, month_params = month_table(year)
    sums, sum_params = cell_sums(year)
    keys = [
        "e.plan_id",
        "e.counted",
        "p.category_id",
        "e.plan_type",
        UNIT_KEY,
        "p.town_id",
        "p.owner_unit_id",
    ]
    reports = " ".join(
        f"LEFT JOIN {quote(Report._meta.db_table)} r{part} ON r{part}.project_id = p.id"
        f" AND r{part}.year = %s AND r{part}.month = m.month AND r{part}.part = {part}"
        for part in PARTS
    )
    table = quote(FigureCell._meta.db_table)
    # The months named after INSERT: a statement that begins with WITH reports no rows written (SQLite).
    sql = (
        f"INSERT INTO {table} ({insert_columns()}) "
        f"WITH {months} "
        f"SELECT %s, m.month, TRUE, {', '.join(keys)}, {', '.join(sums)} "
        f"FROM {quote(PlanEntry._meta.db_table)} e "
        f"JOIN {quote(Project._meta.db_table)} p ON p.id = e.project_id "
        f"LEFT JOIN {quote(YearProgress._meta.db_table)} y ON y.project_id = p.id AND y.year = %s "
        f"CROSS JOIN months m {reports} "
        f"WHERE e.plan_id IN (SELECT id FROM {quote(Plan._meta.db_table)} WHERE year = %s){where} "
        f"GROUP BY m.month, {', '.join(keys)}"
    )
    params = [*month_params, year, *sum_params, year, *([year] * len(PARTS)), year, *where_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.rowcount
    if totals is not None:
        changed = before | owner_keys()
        if len(changed) > MAX_TOTAL_KEYS:
            totals.append({"unit_id__in": sorted({key[COARSE.index("unit_id")] for key in changed})})
        else:
            totals += [dict(zip(COARSE, key, strict=True)) for key in changed]
    written += add_up_owners(year, totals)
    if written > ANALYZE_AFTER:
        analyze_table(FigureCell._meta.db_table)
    return written


def insert_columns() -> str:
    """The columns a statement building cells writes, in the order its SELECT gives them."""
    names = ["year", "month", "per_owner", *KEYS, *cell_fields()]
    return ", ".join(connection.ops.quote_name(name) for name in names)


def add_up_owners(year: int, totals: list[dict[str, Any]] | None) -> int:
    """Build the cells of every owner added up without it (those a scope of every project reads)
    again from the per-owner cells: every one of `year`, or those of the cell keys each of `totals`
    names (field lookups); returns how many."""
    terms = [{}] if totals is None else totals
    if not terms:
        return 0

    def named(per_owner: bool) -> QuerySet[FigureCell]:
        return FigureCell.objects.filter(
            reduce(operator.or_, [Q(year=year, per_owner=per_owner, **term) for term in terms])
        )

    named(False).delete()
    measures = cell_fields()
    grouped = (
        named(True)
        .order_by()
        .values("year", "month", *COARSE)
        .annotate(**{f"total_{measure}": Sum(measure) for measure in measures})
    )
    select, params = grouped.query.sql_with_params()
    rollup = (
        f"INSERT INTO {connection.ops.quote_name(FigureCell._meta.db_table)} ({insert_columns()}) "
        f"SELECT year, month, FALSE, {', '.join(COARSE)}, NULL, {', '.join(f'total_{m}' for m in measures)} "
        f"FROM ({select}) totals"
    )
    with connection.cursor() as cursor:
        cursor.execute(rollup, params)
        return cursor.rowcount


def refresh(years: Iterable[int] | None = None) -> int:
    """Rebuild the cells the stale marks name (of `years`, or of every year); returns the marks
    cleared. Cheap when nothing is stale: one indexed look-up."""
    stale = FigureStale.objects.all()
    if years is not None:
        stale = stale.filter(year__in=list(years))
    if not stale.exists():
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One refresh at a time: two rebuilding the same unit would both insert its cells.
            # (SQLite's write transactions are one at a time already.)
            lock_and_sort_in_memory()
        return rebuild_marked(stale)


def refreshed(years: Iterable[int], owners_only: bool = False) -> bool:
    """Bring the cells of `years` up to date, unless another process is rebuilding them this very
    moment (PostgreSQL): then False at once, and the caller reads the tables instead of queueing
    behind the rebuild (at month end every save marks cells stale, and a page waiting on each
    rebuild in turn holds a web worker that every other request then waits for). `owners_only`:
    only the marks that name an owner unit, those a save writes."""
    stale = FigureStale.objects.filter(year__in=list(years))
    if owners_only:
        stale = stale.filter(owner_id__isnull=False)
    if not stale.exists():
        return True
    if connection.vendor != "postgresql":
        with transaction.atomic():
            rebuild_marked(stale)
        return True
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK])
            if not cursor.fetchone()[0]:
                return False
            cursor.execute("SET LOCAL work_mem = '64MB'")
        rebuild_marked(stale)
    return True


def rebuild_marked(stale: QuerySet[Any], rebuilt_by: Callable[..., int] | None = None) -> int:
    """Rebuild what the marks of `stale` name, inside the caller's transaction and lock; returns
    the marks cleared. The figures' cells by default; another summary marked the same way
    (year, unit, owner) passes its own `rebuilt_by(year, units, owners)` (service.cells)."""
    build = rebuilt_by or rebuild
    # Only the marks read here are cleared: one a transaction commits meanwhile stays for the
    # next refresh, since what this one rebuilds may not include that transaction's rows.
    marks = list(stale.values_list("pk", "year", "unit_id", "owner_id"))
    units_of: dict[int, set[int]] = defaultdict(set)
    owners_of: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for _pk, year, unit, owner in marks:
        if owner is None:
            units_of[year].add(unit)
        else:
            owners_of[year].add((unit, owner))
    for year in sorted(set(units_of) | set(owners_of)):
        units, owners = units_of[year], owners_of[year]
        if len(owners) > MAX_OWNER_MARKS:
            units, owners = units | {unit for unit, _owner in owners}, set()
        build(year, units, owners)
    stale.model.objects.filter(pk__in=[pk for pk, _year, _unit, _owner in marks]).delete()
    return len(marks)


def lock_and_sort_in_memory() -> None:
    """On PostgreSQL, for the rest of the transaction: the refresh lock, and room to sort a year
    of entries crossed with its months in memory (with the default 4 MB the sort spills to disk,
    about a third of a unit's rebuild at 100,000 projects)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        cursor.execute("SET LOCAL work_mem = '64MB'")


def rebuild_all() -> int:
    """Every year's cells from the tables, and no stale mark left (after a restore, or to check)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            lock_and_sort_in_memory()
        FigureStale.objects.all().delete()
        years = set(Plan.objects.values_list("year", flat=True)) | set(
            FigureCell.objects.values_list("year", flat=True).distinct()
        )
        return sum(rebuild(year) for year in sorted(years))


def serves(scope: Scope) -> bool:
    """Whether the cells can answer for `scope`: they carry no 投资性质 or 总投资, so they serve a
    scope not cut by nature or size. The user's data scope is a key of theirs (visible_cells)."""
    return not scope.cuts_projects


# A queryset of cells: the figures' own, or another summary's keyed the same way (service.cells).
CellsT = TypeVar("CellsT", bound=QuerySet[Any])


def of_kind(cells: CellsT, per_owner: bool) -> CellsT:
    """`cells` kept per owner, or added up over the owners. Written as IN, which SQLite matches
    to the index on (year, month, per_owner, plan_id): Django writes `per_owner=False` as `NOT
    per_owner`, which no index serves, so that a month's cells of both kinds were read to find
    the tenth added up over the owners."""
    return cells.filter(per_owner__in=[per_owner])


def visible_cells(cells: CellsT, user: Any, also: str | None = None, owners: bool = False) -> CellsT:
    """`cells` narrowed to what `user` may see, as projects.querysets.project_scope narrows projects:
    for those who see everything, the cells added up over the owners (a tenth as many at 100,000
    projects); else the cells of the units of the user's subtree added up over their owners, and
    of the owners of the subtree only the cells of projects answering to a unit outside it (a
    project has one responsible unit and one owner unit, so the two never count one twice), or
    none. With `owners` (a ranking of the owners) the cells of each owner whose responsible unit
    or owner unit is in the subtree; `also` names one more unit field of the cells that, in the
    subtree, makes such a cell visible (the department asked to supply an element)."""
    if user is None or project_scope(user) is None:
        return of_kind(cells, False)
    unit = user.unit if user.is_authenticated and user.is_active else None
    if unit is None:
        return cells.none()
    # On PostgreSQL the ids, read once: it cannot tell how many units a path's prefix matches, and
    # read every cell of the period rather than those of a town's few units.
    subtree = unit_subtree(unit.path)
    if owners or also:
        of_owners = of_kind(cells, True)
        fields = ["unit_id", "owner_unit_id", *([also] if also else [])]
        if connection.vendor != "sqlite":
            return of_owners.filter(reduce(operator.or_, [among(field, subtree) for field in fields]))
        # SQLite serves an OR of two columns with one index, the period's, and so read every
        # owner's cells of the period to keep the user's: a town's 31 ms at 100,000 projects.
        # Asked as the keys of the cells each column's own index finds, the OR is two index
        # searches (15 ms).
        found = [Q(pk__in=of_owners.filter(**{f"{field}__in": subtree}).values("pk")) for field in fields]
        return cast(CellsT, cells.model._default_manager.filter(reduce(operator.or_, found)))
    # A department's own cells are a few per unit rather than one per owner of its projects.
    own = Q(per_owner__in=[False]) & among("unit_id", subtree)
    others = Q(per_owner__in=[True]) & among("owner_unit_id", subtree) & ~among("unit_id", subtree)
    if connection.vendor != "sqlite":
        return cells.filter(own | others)
    found = [Q(pk__in=cells.filter(condition).values("pk")) for condition in (own, others)]
    return cast(CellsT, cells.model._default_manager.filter(reduce(operator.or_, found)))


def plan_totals(plans: list[Plan], user: Any) -> dict[int, dict[str, Any]]:
    """项目数, 总投资 and 年度计划投资 of each plan as `user` may see it (plans.totals), from the cells of
    its year's January: every month's cells count the same entries. The plans are kept out of the
    statement: PostgreSQL looks a scope's cells up once for each year, unit and plan named (a
    town's 189 units × 3 years × 10 plans, 34,000 buffers for 86 cells at 100,000 projects), and
    the years' cells hold few other plans (earlier versions)."""
    refresh({plan.year for plan in plans})
    cells = FigureCell.objects.filter(year__in={plan.year for plan in plans}, month=1)
    rows = (
        visible_cells(cells, user)
        .order_by()
        .values("plan_id")
        .annotate(
            entry_count=Sum("count"), project_total=Sum("total_investment"), annual_total=Sum("annual_plan")
        )
    )
    wanted = {plan.pk for plan in plans}
    return {row.pop("plan_id"): row for row in rows if row["plan_id"] in wanted}


# The unit a reporting count is kept by: the cell field of each scope_groups() key.
UNIT_FIELDS = {"project__responsible_unit": "unit_id", "project__town": "town_id"}


def unit_sums(
    year: int, months: Iterable[int], scope: Scope, key: str, sums: dict[str, Any]
) -> dict[int, dict[str, Any]]:
    """The cell expressions `sums` (by name) added up over `months` of `year` per responsible unit or
    town (`key`, "project__responsible_unit" or "project__town") of the scope's entries, one per
    project, in one statement. A project without such a unit is left out."""
    refresh([year])
    in_force = dict(Plan.objects.in_force().filter(year=year).values_list("pk", "level"))
    if scope.level:
        in_force = {pk: level for pk, level in in_force.items() if level == scope.level}
    field = UNIT_FIELDS[key]
    cells = narrowed(
        FigureCell.objects.filter(year=year, month__in=list(months), plan_id__in=list(in_force)), scope
    )
    if len(in_force) > 1:
        cells = cells.filter(counted=True)
    cells = cells.exclude(**{f"{field}__isnull": True}).exclude(**{field: 0})
    return sums_by(cells, field, sums)


def sums_by(cells: QuerySet[FigureCell], field: str, sums: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    """The cell expressions `sums` (by name) added up over `cells` per value of `field`, none taken
    as 0. The database groups them by plan as well, the order of the index it finds a month's
    cells by; grouped by the unit alone, SQLite (which keeps no statistics of the cells) walks the
    whole year's cells along the index by unit instead, 80 ms against 2 at 100,000 projects."""
    rows = (
        cells.order_by()
        .values("plan_id", field)
        .annotate(**{f"sum_{name}": Sum(value) for name, value in sums.items()})
    )
    added: dict[Any, dict[str, Any]] = {}
    for row in rows:
        line = added.setdefault(row[field], dict.fromkeys(sums, 0))
        for name in sums:
            line[name] += row[f"sum_{name}"] or 0
    return added


def reporting_by(year: int, months: Iterable[int], scope: Scope, key: str) -> dict[int, dict[str, int]]:
    """Reporting periods due, submitted and on time over `months` of `year`, per responsible unit or
    town of the scope's entries: what compute.with_report() and reporting_aggregates() count month
    by month, added up from the cells in one statement."""
    kinds = ("due", "submitted", "on_time")
    sums = {kind: sum((F(f"{kind}_{part}") for part in PARTS), Value(0)) for kind in kinds}
    return {
        unit: {kind: int(row[kind]) for kind in kinds}
        for unit, row in unit_sums(year, months, scope, key, sums).items()
    }


def board_lines(
    year: int, month: int, user: Any, unit: Unit | None = None
) -> dict[int | None, dict[str, int]] | None:
    """The month's reporting periods of the projects `user` may see (responsible unit in `unit`'s
    subtree, when given) for the 报送看板, per responsible unit (None: 待明确): REPORTING and BOARD
    added up from the cells of the plans in force, a project once; None when the cells cannot be
    brought up to date at once (another process is rebuilding them), and the board reads the
    tables."""
    if not refreshed([year]):
        return None
    plans = list(Plan.objects.in_force().filter(year=year).values_list("pk", flat=True))
    cells = visible_cells(FigureCell.objects.filter(year=year, month=month, plan_id__in=plans), user)
    if len(plans) > 1:
        cells = cells.filter(counted=True)
    if unit is not None:
        cells = cells.filter(unit_id__in=Unit.objects.filter(path__startswith=unit.path).values("pk"))
    lines = sums_by(cells, "unit_id", {field: F(field) for field in [*REPORTING, *BOARD]})
    return {unit or None: {name: int(value) for name, value in line.items()} for unit, line in lines.items()}


def scope_cells(year: int, month: int, scope: Scope, plan_ids: Iterable[int]) -> QuerySet[FigureCell]:
    """The cells of the month of the plans named, narrowed by the scope's user, unit, town,
    category and plan type."""
    return narrowed(FigureCell.objects.filter(year=year, month=month, plan_id__in=list(plan_ids)), scope)


def narrowed(cells: CellsT, scope: Scope) -> CellsT:
    """`cells` narrowed by the scope's user, unit, town, category and plan type."""
    return cut(visible_cells(cells, scope.user), scope)


def cut(cells: CellsT, scope: Scope) -> CellsT:
    """`cells` narrowed by the scope's unit, town, category and plan type."""
    if scope.unit is not None:
        cells = cells.filter(unit_id__in=Unit.objects.filter(path__startswith=scope.unit.path).values("pk"))
    if scope.town is not None:
        cells = cells.filter(town_id=scope.town.pk)
    if scope.category is not None:
        cells = cells.filter(category_id=scope.category.pk)
    if scope.plan_type:
        cells = cells.filter(plan_type=scope.plan_type)
    return cells.order_by()


def scope_groups(
    year: int, month: int, scope: Scope, in_force: dict[int, str], *, details: bool = True, units: bool = True
) -> list[dict[str, Any]]:
    """compute.scope_groups() of the scope, added up from its cells: count, amounts and 年度完成投资,
    and with `details` everything else compute.scope_groups(details=True) gives. Without `units`
    the rows are by category and plan type alone (their responsible unit and town None): the
    figures over the whole scope need no more, and at 100,000 projects the rows by unit and town
    are 1,300 of 60 sums each to read for them."""
    cells = scope_cells(year, month, scope, in_force)
    if len(in_force) > 1:
        cells = cells.filter(counted=True)
    fields = (
        measure_fields() if details else {name: name for name in ("count", "annual_plan", "total_investment")}
    )
    # The sums are named apart from the cell's fields (an annotation may not shadow a field).
    sums = {f"sum_{name}": Sum(field) for name, field in fields.items() if not name.startswith("ytd_")}
    if details:
        sums.update({f"sum_ytd_{m}": Sum(f"ytd_{m}") for m in range(1, month + 1)})
    sums["sum_completed"] = Sum(f"ytd_{month}")
    keys = ("category_id", "plan_type", "unit_id", "town_id") if units else ("category_id", "plan_type")
    rows = cells.values(*keys).annotate(**sums)
    groups = []
    for row in rows:
        group = {
            "project__category": row["category_id"],
            "plan_type": row["plan_type"],
            "project__responsible_unit": row.get("unit_id") or None,
            "project__town": row.get("town_id"),
        }
        group.update(
            {
                name[4:]: 0 if value is None else value
                for name, value in row.items()
                if name.startswith("sum_")
            }
        )
        if details:
            group["total"] = group["count"]
        groups.append(group)
    if units:
        name_units(groups)
    return groups


def owner_groups(year: int, month: int, scope: Scope, in_force: dict[int, str]) -> list[dict[str, Any]]:
    """Count, 总投资, 年度计划投资 and 年度完成投资 to the end of `month` of the scope's entries per
    project owner (项目单位), from the cells kept per owner: the rows compute.ranking() ranks owner
    units by, keyed "project__owner_unit" (None for entries without one)."""
    cells = of_kind(FigureCell.objects.filter(year=year, month=month, plan_id__in=list(in_force)), True)
    user = scope.user
    if user is not None and project_scope(user) is not None:
        # Of the owners' cells, those visible_cells() keeps for the user.
        cells = visible_cells(cells, user, owners=True)
    cells = cut(cells, scope)
    if len(in_force) > 1:
        cells = cells.filter(counted=True)
    rows = list(
        cells.values("owner_unit_id").annotate(
            sum_count=Sum("count"),
            sum_annual_plan=Sum("annual_plan"),
            sum_total_investment=Sum("total_investment"),
            sum_completed=Sum(f"ytd_{month}"),
        )
    )
    names = dict(Unit.objects.filter(pk__in={row["owner_unit_id"] for row in rows}).values_list("pk", "name"))
    return [
        {
            "project__owner_unit": row["owner_unit_id"],
            "project__owner_unit__name": names.get(row["owner_unit_id"]),
            **{name[4:]: row[name] or 0 for name in row if name.startswith("sum_")},
        }
        for row in rows
    ]


def name_units(groups: list[dict[str, Any]]) -> None:
    """Add the names of the responsible units and towns the rows name, in one query."""
    ids = {row[key] for row in groups for key in ("project__responsible_unit", "project__town")}
    names = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
    for row in groups:
        row["project__responsible_unit__name"] = names.get(row["project__responsible_unit"])
        row["project__town__name"] = names.get(row["project__town"])


def plan_sums(year: int, month: int, scope: Scope, plan_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Count, public entries, 总投资, 年度计划投资 and 年度完成投资 to the end of `month` of each plan's
    own entries in the scope, from the cells: one grouped statement, whatever the number of units
    and towns."""
    rows = (
        scope_cells(year, month, scope, plan_ids)
        .values("plan_id")
        .annotate(
            sum_count=Sum("count"),
            sum_total_investment=Sum("total_investment"),
            sum_annual_plan=Sum("annual_plan"),
            sum_completed=Sum(f"ytd_{month}"),
            sum_public=Sum("public"),
        )
    )
    return {
        row["plan_id"]: {
            "count": row["sum_count"] or 0,
            "public": row["sum_public"] or 0,
            "total_investment": row["sum_total_investment"] or Decimal(0),
            "annual_plan": row["sum_annual_plan"] or Decimal(0),
            "completed": row["sum_completed"] or Decimal(0),
        }
        for row in rows
    }


def level_rows(year: int, month: int, scope: Scope, in_force: dict[int, str]) -> dict[str, dict[str, Any]]:
    """Count, 总投资, 年度计划投资 and 年度完成投资 of each level's own list, from the cells."""
    by_level: dict[str, dict[str, Any]] = {}
    for plan_id, sums in plan_sums(year, month, scope, in_force).items():
        level = by_level.setdefault(
            in_force[plan_id],
            {"count": 0, "total_investment": Decimal(0), "annual_plan": Decimal(0), "completed": Decimal(0)},
        )
        for name in level:
            level[name] += sums[name]
    return by_level
