"""Keeping the rollup (MonthlyProgress and YearProgress) current from the accepted reports."""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from progress.choices import ReportState
from progress.models import MonthlyProgress, Report, YearProgress

# Projects per statement: SQLite allows 999 parameters in Django's count, and smaller chunks keep
# each statement's sort of reports in memory.
CHUNK = 500
MONTHS = range(1, 13)

# A month row per project and reported month: the month's reports (half-monthly ones are two) in
# period order, their amounts added up, the last one's year-to-date and cumulative kept, and what
# the month adds to the year: its year-to-date less the previous month row's of the same year
# (less nothing for the first, so that an opening figure counts whole). ROUND keeps the cents
# exact on SQLite, which stores decimals as floating point.
MONTHLY_SQL = """
INSERT INTO {monthly} (project_id, year, month, amount, ytd_increment, year_to_date, cumulative)
SELECT project_id, year, month, ROUND(amount, 2),
       ROUND(year_to_date - COALESCE(LAG(year_to_date) OVER (PARTITION BY project_id, year ORDER BY month), 0), 2),
       year_to_date, cumulative
FROM (
    SELECT project_id, year, month, year_to_date, cumulative,
           SUM(amount) OVER (PARTITION BY project_id, year, month) AS amount,
           ROW_NUMBER() OVER (PARTITION BY project_id, year, month ORDER BY seq DESC) AS later
    FROM {report}
    WHERE state = %s AND project_id IN ({ids})
) months
WHERE later = 1
"""

# A year row per project and year with month rows: where the year stood at the end of each month,
# the month rows' increments added up to it (the last figure carried forward, 0 before the first).
YEARLY_SQL = """
INSERT INTO {yearly} (project_id, year, {columns})
SELECT project_id, year, {sums}
FROM {monthly}
WHERE project_id IN ({ids})
GROUP BY project_id, year
"""


def refresh_projects(project_ids: Iterable[int]) -> int:
    """Rebuild the monthly and yearly rows of these projects from their accepted reports.

    Set-based: for each chunk of projects the database deletes their rows and writes them again
    with one INSERT … SELECT per table, so that an import of 20,000 projects is a few dozen
    statements, not a loop over their reports. Returns the monthly rows written.
    """
    ids = sorted(set(project_ids))
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            written += rebuild_chunk(cursor, ids[start : start + CHUNK])
    return written


def rebuild_chunk(cursor: CursorWrapper, ids: list[int]) -> int:
    """Delete and rewrite the rollup rows of up to CHUNK projects; returns the monthly rows written."""
    quote = connection.ops.quote_name
    tables = {
        "monthly": quote(MonthlyProgress._meta.db_table),
        "yearly": quote(YearProgress._meta.db_table),
        "report": quote(Report._meta.db_table),
    }
    placeholders = ", ".join(["%s"] * len(ids))
    columns = [YearProgress.column(month) for month in MONTHS]
    sums = ", ".join(
        f"ROUND(SUM(CASE WHEN month <= {month} THEN ytd_increment ELSE 0 END), 2)" for month in MONTHS
    )
    for table in ("yearly", "monthly"):
        cursor.execute(f"DELETE FROM {tables[table]} WHERE project_id IN ({placeholders})", ids)
    cursor.execute(MONTHLY_SQL.format(ids=placeholders, **tables), [ReportState.ACCEPTED.value, *ids])
    written = cursor.rowcount
    cursor.execute(YEARLY_SQL.format(ids=placeholders, columns=", ".join(columns), sums=sums, **tables), ids)
    return written
