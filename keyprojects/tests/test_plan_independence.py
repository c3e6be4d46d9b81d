"""Every figure is the same whatever plan the database chooses for its statements.

A list grouped in the database and not ordered comes in whatever order the plan gives: the same
database restored elsewhere, or analysed again, then shows its ties in another order (the
restored backup's figures differed so). PostgreSQL is told to avoid one kind of plan at a time,
and `figures --json` must not change.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings"),
]

PLANS = [
    "enable_hashagg",
    "enable_sort",
    "enable_hashjoin",
    "enable_nestloop",
    "enable_mergejoin",
    "enable_seqscan",
]


def figures() -> dict:
    out = io.StringIO()
    call_command("figures", year=2026, month=11, json=True, stdout=out)
    return json.loads(out.getvalue())


def test_the_figures_do_not_depend_on_the_plan():
    call_command("seed_demo", projects=12, year=2026, stdout=io.StringIO())
    call_command("refresh_figures", all=True, stdout=io.StringIO())
    chosen = figures()
    for setting in PLANS:
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL {setting} = off")
        try:
            assert figures() == chosen, setting
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {setting} = on")
