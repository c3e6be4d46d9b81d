"""Keeping the rollup (MonthlyProgress and YearProgress) current from the accepted reports."""

import json
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from progress.choices import ReportState
from progress.models import MonthlyProgress, Report, YearProgress

MONTHS = range(1, 13)
# The advisory lock refreshes take on PostgreSQL (any number of the application's own choosing).
ROLLUP_LOCK = 7_202_611
# Id lists this long are analysed (see keep_projects); an acceptance's one project is not worth it.
ANALYZED_FROM = 500
MONTH_COLUMNS = ("amount", "ytd_increment", "year_to_date", "cumulative")
YEAR_COLUMNS = tuple(YearProgress.column(month) for month in MONTHS)

# The month rows the projects should have: one per reported month, the month's reports
# (half-monthly ones are two) in period order, their amounts added up, the last one's year-to-date
# and cumulative kept, and what the month adds to the year: its year-to-date less the previous
# month row's of the same year (less nothing for the first, so that an opening figure counts
# whole). ROUND keeps the cents exact on SQLite, which stores decimals as floating point.
FRESH_MONTHS = """
CREATE TEMPORARY TABLE rollup_months AS
SELECT project_id, year, month, ROUND(amount, 2) AS amount,
       ROUND(year_to_date - COALESCE(
           LAG(year_to_date) OVER (PARTITION BY project_id, year ORDER BY month), 0
       ), 2) AS ytd_increment,
       year_to_date, cumulative
FROM (
    SELECT project_id, year, month, year_to_date, cumulative,
           SUM(amount) OVER (PARTITION BY project_id, year, month) AS amount,
           ROW_NUMBER() OVER (PARTITION BY project_id, year, month ORDER BY seq DESC) AS later
    FROM {report}
    WHERE state = %s AND {projects}{in_years}
) reported
WHERE later = 1
"""

# The year rows they should have: where each year stood at the end of each month, the year-to-date
# of the month's row or, without one, of the latest month before it (0 before the first). The
# figures are carried as reported, with no arithmetic: exactly the month rows' increments summed.
FRESH_YEARS = """
CREATE TEMPORARY TABLE rollup_years AS
SELECT project_id, year, {carried}
FROM (SELECT project_id, year, {at_month} FROM rollup_months GROUP BY project_id, year) months
"""

# Rows whose key is gone (a report no longer accepted) are deleted, rows whose figures changed
# updated, new rows inserted, the others left alone: a month of new reports writes a month of rows
# and updates the year rows, not each project's history again.
DELETE_GONE = """
DELETE FROM {table}
WHERE {projects} AND NOT EXISTS (
    SELECT 1 FROM {fresh} f WHERE {same_key}
)
"""
UPDATE_CHANGED = """
UPDATE {table} SET {updates}
FROM {fresh} f
WHERE {same_key} AND ({columns}) <> ({fresh_columns})
"""
INSERT_NEW = """
INSERT INTO {table} ({key}, {columns})
SELECT {key}, {columns} FROM {fresh} f
WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {same_key})
"""


def refresh_projects(project_ids: Iterable[int], years: Iterable[int] | None = None) -> int:
    """Bring the monthly and yearly rows of these projects in line with their accepted reports.

    Set-based: the database works out the rows the projects should have into two temporary
    tables, then deletes the rows that should not exist and writes those that are new or changed,
    a handful of statements whatever the number of projects (the official-table import passes
    20,000 at once). A year's rows follow from that year's reports alone, so a caller that knows
    which years its change reached names them (`years`) and the rest of the history is not read
    again. Returns the number of month rows rebuilt.
    """
    ids = sorted(set(project_ids))
    if not ids:
        return 0
    in_years = years_condition(years)
    quote = connection.ops.quote_name
    monthly = quote(MonthlyProgress._meta.db_table)
    yearly = quote(YearProgress._meta.db_table)
    at_month = ", ".join(f"MAX(CASE WHEN month = {m} THEN year_to_date END) AS at_{m:02d}" for m in MONTHS)
    carried = ", ".join(
        f"COALESCE({', '.join(f'at_{k:02d}' for k in range(month, 0, -1))}, 0) AS {column}"
        for month, column in zip(MONTHS, YEAR_COLUMNS, strict=True)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One refresh at a time until its transaction ends: two refreshing the same project
            # (an import and an acceptance) would both insert its new rows and one would fail on
            # the unique keys. SQLite's write transactions are one at a time already.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])
        drop_fresh(cursor)
        projects = keep_projects(cursor, ids)
        cursor.execute(
            FRESH_MONTHS.format(report=quote(Report._meta.db_table), projects=projects, in_years=in_years),
            [ReportState.ACCEPTED.value],
        )
        cursor.execute(FRESH_YEARS.format(at_month=at_month, carried=carried))
        # Keyed, so that the comparisons below look rows up rather than scan (SQLite makes no
        # index of its own for a correlated subquery).
        cursor.execute("CREATE UNIQUE INDEX rollup_months_key ON rollup_months (project_id, year, month)")
        cursor.execute("CREATE UNIQUE INDEX rollup_years_key ON rollup_years (project_id, year)")
        # Rows of the years not named are left as they are.
        where = projects + in_years
        sync(cursor, yearly, "rollup_years", ("project_id", "year"), YEAR_COLUMNS, where)
        sync(cursor, monthly, "rollup_months", ("project_id", "year", "month"), MONTH_COLUMNS, where)
        cursor.execute("SELECT COUNT(*) FROM rollup_months")
        written = cursor.fetchone()[0]
        drop_fresh(cursor)
    return written


def keep_projects(cursor: CursorWrapper, ids: list[int]) -> str:
    """Put the projects' ids in a keyed temporary table; return the SQL that picks their rows.

    The list reaches the database as one parameter (SQLite takes few parameters a statement).
    Keyed and, on PostgreSQL, analysed, it stays cheap to join whatever the planner believes of
    the other side: an import refreshes right after writing its reports in the same transaction,
    before the table's statistics have seen them, and against an id list unnested in place
    PostgreSQL then estimated one report and compared each with the whole list (17 s for 20,000
    projects, against 0.1 s).
    """
    cursor.execute("CREATE TEMPORARY TABLE rollup_projects (id bigint PRIMARY KEY)")
    if connection.vendor == "postgresql":
        cursor.execute("INSERT INTO rollup_projects SELECT unnest(%s::bigint[])", [ids])
        if len(ids) >= ANALYZED_FROM:
            cursor.execute("ANALYZE rollup_projects")
    else:
        cursor.execute("INSERT INTO rollup_projects SELECT value FROM json_each(%s)", [json.dumps(ids)])
    return "project_id IN (SELECT id FROM rollup_projects)"


def years_condition(years: Iterable[int] | None) -> str:
    """` AND year IN (…)` for the years named (whole numbers, written into the SQL); '' for all."""
    if years is None:
        return ""
    chosen = sorted({int(year) for year in years})
    return f" AND year IN ({', '.join(str(year) for year in chosen)})" if chosen else " AND 1 = 0"


def sync(
    cursor: CursorWrapper,
    table: str,
    fresh: str,
    key: tuple[str, ...],
    columns: tuple[str, ...],
    projects: str,
) -> None:
    """Make `table`'s rows of the projects those of the temporary table `fresh`."""
    same_key = " AND ".join(f"f.{name} = {table}.{name}" for name in key)
    cursor.execute(DELETE_GONE.format(table=table, fresh=fresh, projects=projects, same_key=same_key))
    names = {
        "table": table,
        "fresh": fresh,
        "key": ", ".join(key),
        "columns": ", ".join(f"{table}.{name}" for name in columns),
        "fresh_columns": ", ".join(f"f.{name}" for name in columns),
        "same_key": same_key,
        "updates": ", ".join(f"{name} = f.{name}" for name in columns),
    }
    cursor.execute(UPDATE_CHANGED.format(**names))
    cursor.execute(INSERT_NEW.format(**{**names, "columns": ", ".join(columns)}))


def drop_fresh(cursor: CursorWrapper) -> None:
    """Remove the temporary tables (they live as long as the connection otherwise)."""
    for table in ("rollup_months", "rollup_years", "rollup_projects"):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
