"""Query helpers shared by the apps."""

import json
from collections.abc import Collection
from typing import Any

from django.db import connection
from django.db.models.expressions import RawSQL


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
