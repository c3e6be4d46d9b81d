"""Bulk writes for imports: inserts by executemany or COPY, updates grouped by value."""

import itertools
import json
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models
from django.utils import timezone

from lib.sql import any_of

BATCH = 500
INSERT_CHUNK = 2000


def _frozen(values: dict[str, Any]) -> tuple[tuple[str, Any], ...] | None:
    """A hashable key for a set of new values; None when one of them (a dict, a list) cannot be one."""
    key = tuple(sorted(values.items(), key=lambda item: item[0]))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def update_grouped(model: type[models.Model], updates: dict[int, dict[str, Any]]) -> None:
    """Apply {pk: {field: value}}: one UPDATE … WHERE id IN (…) per distinct set of values.

    Imports mostly set the same values on many rows (a procedure done, a date); rows whose values
    are their own go through bulk_update, grouped by the fields they change.
    """
    groups: dict[tuple[tuple[str, Any], ...], list[int]] = defaultdict(list)
    singles: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
    for pk, values in updates.items():
        key = _frozen(values)
        if key is None:
            singles[tuple(sorted(values))].append(model(pk=pk, **values))
        else:
            groups[key].append(pk)
    for key, pks in groups.items():
        if len(pks) == 1:
            values = dict(key)
            singles[tuple(sorted(values))].append(model(pk=pks[0], **values))
            continue
        model._default_manager.filter(pk__in=any_of(pks)).update(**dict(key))
    for fields, objects in singles.items():
        model._default_manager.bulk_update(objects, list(fields), batch_size=BATCH)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for `count` new rows, taken before inserting so that related rows can point at them.

    Runs inside the import's transaction: on SQLite that transaction holds the write lock from its
    start (transaction_mode IMMEDIATE); on PostgreSQL the numbers come from the table's sequence.
    """
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT MAX({connection.ops.quote_name(column)}) FROM {connection.ops.quote_name(table)}"
        )
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        highest = max(highest, row[0] if row else 0)
    return list(range(highest + 1, highest + 1 + count))


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a field's Python value goes to the driver, chosen once per field; None when it goes as it is."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def to_json(value: Any) -> Any:
            if value is None:
                return None
            # Most rows' warnings and procedure states are empty: no encoder needed for those.
            if not value and isinstance(value, dict | list):
                return "{}" if isinstance(value, dict) else "[]"
            return json.dumps(value, cls=encoder)

        return to_json
    if isinstance(field, models.DateField | models.TimeField):
        cache: dict[Any, Any] = {}

        def temporal(value: Any) -> Any:
            if value not in cache:
                cache[value] = field.get_db_prep_save(value, connection)
            return cache[value]

        return temporal
    return None


def insert(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """INSERT new rows given as {attname: value} and write each row's new primary key into it.

    Imports insert tens of thousands of rows; model instances and Django's bulk_create (which on
    SQLite sends a few dozen rows per statement) were most of the time. Here a row is a dict, a
    field's missing value is its default, and every INSERT_CHUNK rows SQLite gets one executemany
    and PostgreSQL one COPY. `rows` may be a generator, so that rows are built as they are sent.
    """
    # The columns the database keeps itself (generated) are not written.
    fields = [field for field in model._meta.concrete_fields if not field.generated]
    pk_name = model._meta.pk.attname
    now = timezone.now()
    defaults = {}
    for field in fields:
        automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        defaults[field.attname] = now if automatic else field.get_default()
    # A row is its dict laid over the defaults and read in column order at C speed; the few
    # fields that need converting (JSON, dates) are converted afterwards, by position.
    ordered = operator.itemgetter(*defaults)
    converters = [(index, convert) for index, field in enumerate(fields) if (convert := _converter(field))]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, INSERT_CHUNK)):
        if connection.vendor not in ("sqlite", "postgresql"):
            objects = [model(**{name: row.get(name, defaults[name]) for name in defaults}) for row in chunk]
            model._default_manager.bulk_create(objects, batch_size=BATCH)
            for row, obj in zip(chunk, objects, strict=True):
                row[pk_name] = obj.pk
            continue
        for row, pk in zip(chunk, reserve_ids(model, len(chunk)), strict=True):
            row[pk_name] = pk
        values = [_row_values(ordered({**defaults, **row}), converters) for row in chunk]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                placeholders = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)


def _row_values(
    values: tuple[Any, ...], converters: list[tuple[int, Callable[[Any], Any]]]
) -> tuple[Any, ...]:
    if not converters:
        return values
    row = list(values)
    for index, convert in converters:
        row[index] = convert(row[index])
    return tuple(row)
