"""Query helpers shared by the apps."""

import json
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    Field,
    Func,
    Lookup,
    Model,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields.related import ForeignObject
from django.utils import timezone


def any_of(values: Collection[int] | Collection[str]) -> RawSQL | list[Any]:
    """A list of ids or names for `field__in=` that reaches the database as one parameter.

    An import looks up thousands of projects at once. Spelled out, each value is one placeholder
    that Django prepares through the field (most of the lookup's time) and SQLite allows only so
    many; as one JSON text (SQLite's json_each) or one array (PostgreSQL's unnest) the list costs
    no more than a single value. Other databases get the plain list. The values are all whole
    numbers or all text, so that both databases compare them the same way.
    """
    items = list(values)
    if all(type(item) is int for item in items):
        kind = "bigint"
    elif all(isinstance(item, str) for item in items):
        kind = "text"
    else:
        raise TypeError("any_of takes whole numbers or text, not a mix")
    if not items:
        return []  # Django answers an empty IN without asking the database
    if connection.vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(items, ensure_ascii=False)])
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT unnest(%s::{kind}[])", [items])
    return items


class Among(Lookup[Any]):
    """`field__among=frozenset(ids)`: the field is one of a set of whole numbers, reaching PostgreSQL
    as one array literal (`= ANY('{…}'::bigint[])`), which it plans exactly as the IN list it
    stands for.

    A user's subtree is named by its units' ids on PostgreSQL (org.models.subtree): a town of a
    province is some 200 units, asked three times in a statement of the summaries' cells. Spelled
    out as IN, each id is resolved and prepared by Django and dumped by psycopg, in every
    statement: at 100,000 projects a town's 大屏 data spent more on that than on its SQL. A set
    (not a list) is passed through by Django as one value. Elsewhere the plain IN list."""

    lookup_name = "among"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        values = sorted(self.rhs)
        if not all(type(value) is int for value in values):
            raise TypeError("among takes whole numbers")
        return values

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, "{" + ",".join(map(str, self.rhs)) + "}"]
        if not self.rhs:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*lhs_params, *self.rhs]


# On every column, and on foreign keys, whose lookups are their own.
Field.register_lookup(Among)
ForeignObject.register_lookup(Among)


def distinct_values(model: type[Model], field: str) -> RawSQL:
    """The distinct values of `model`'s indexed column `field` (nulls left out), for `…__in=`, each
    found from the index as the smallest above the last (a loose index scan, in a recursive
    query). For a column with a handful of values over many rows (the projects' 分包领导: 11 people
    over 70,000 projects) it reads a handful of index entries, where SELECT DISTINCT reads every row
    on PostgreSQL (37 ms at 100,000 projects, against 1 ms)."""
    quote = connection.ops.quote_name
    found = model._meta.get_field(field)
    if not isinstance(found, Field) or found.column is None:
        raise TypeError(f"{model.__name__}.{field} is not a column")
    table, column = quote(model._meta.db_table), quote(found.column)
    return RawSQL(
        f"WITH RECURSIVE found(value) AS (SELECT MIN({column}) FROM {table} UNION ALL "
        f"SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > found.value) "
        f"FROM found WHERE found.value IS NOT NULL) "
        f"SELECT value FROM found WHERE value IS NOT NULL",
        [],
    )


# How far from the day a statement is about its per-row dates may lie and still be compared in
# SQLite's own terms (see on_or_before); dates further off are read the slow, exact way.
NEAR_DAYS = 400


def on_or_before(moment: str, day: str, near: date) -> Q:
    """The datetime field `moment` fell, in the site's time zone, on or before the date field `day`:
    `moment__date__lte=F(day)`, as 按时报送 is judged.

    SQLite has no time zones: Django reads each datetime through a Python function, which over a
    hundred thousand reports costs more than the rest of the statement. Where the zone's offset from
    the database's is the same at the end of every day within NEAR_DAYS of `near` (China keeps no
    summer time), SQLite compares the stored text with the moment that day ends instead; a `day` out
    of that range, another database, or a zone that changes its offset in it, get the exact lookup.
    """
    exact = Q(**{f"{moment}__date__lte": F(day)})
    if connection.vendor != "sqlite" or not settings.USE_TZ:
        return exact
    first, last = near - timedelta(days=NEAR_DAYS), near + timedelta(days=NEAR_DAYS)
    local, stored = timezone.get_current_timezone(), connection.timezone
    offsets = set()
    for days in range((last - first).days + 1):
        # The end of a day is the start of the next one.
        midnight = datetime.combine(first + timedelta(days=days + 1), time(), tzinfo=local)
        offsets.add(midnight.utcoffset() - midnight.astimezone(stored).utcoffset())  # type: ignore[operator]  # aware datetimes always have an offset
    if len(offsets) != 1:
        return exact
    seconds = int((timedelta(days=1) - offsets.pop()).total_seconds())
    # Django stores a datetime in SQLite as "YYYY-MM-DD HH:MM:SS[.ffffff]" in the database's zone, which
    # orders as text the way the moments do; datetime() writes the day's end the same way.
    day_end = Func(F(day), Value(f"{seconds:+d} seconds"), function="datetime", output_field=CharField())
    near_day = Q(**{f"{day}__gte": first, f"{day}__lte": last})
    return Q(
        Case(
            When(
                near_day, then=ExpressionWrapper(Q(**{f"{moment}__lt": day_end}), output_field=BooleanField())
            ),
            default=ExpressionWrapper(exact, output_field=BooleanField()),
            output_field=BooleanField(),
        )
    )


def analyze() -> None:
    """Refresh the database's planner statistics after a bulk load (a restore, a seeded demo).

    PostgreSQL's autovacuum counts changes since its last analysis, and a database restored with
    pg_restore or copied from a template starts with no statistics and no count of changes: its
    planner then estimates every table at a few rows and joins the month's reports by nested loops
    over a whole month (the 报送看板 at 3,000 projects took 830 ms instead of 9 ms). Outside a
    transaction the tables are vacuumed as well, which marks their pages all-visible: until then
    an index-only scan still reads every row it finds from the table to check it, and a count of
    a unit's projects read from the units' index alone took as long as reading the projects
    (单位管理 at 100,000 projects: 87 ms before, 31 ms after). A server whose autovacuum is off, or
    has not reached the tables yet, would otherwise never mark them. SQLite keeps its statistics
    in the database file, so a copy brings them along and there is nothing to do."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM refuses to run inside a transaction block.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


def analyze_table(table: str) -> None:
    """Refresh one table's planner statistics (PostgreSQL) after a statement rewrote much of it.

    Autovacuum would do it within a minute or so where it runs, but until then the planner reads
    the table as it was: a summary rebuilt after a bulk load is still "empty", and its reads pick
    the wrong index (the figures' cells of a year at 100,000 projects: 170 ms instead of 5).
    ANALYZE reads a sample of the table, whatever its size, and may run inside a transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
