"""The summaries' triggers on PostgreSQL plan each statement on a transition table for the rows of
its call: a plan made once per connection for the first call's few rows read a later call's
thousands as if they were one (a recount of a province's plan entries ran for minutes)."""

import re

import pytest
from django.db import connection

from approvals.models import ApprovalCell
from lib.triggers import planned_each_time

pytestmark = pytest.mark.django_db

EXECUTED = re.compile(r"EXECUTE \$statement\$.*?\$statement\$;", re.S)


def test_a_statement_is_run_by_execute():
    assert planned_each_time("SELECT 1") == "EXECUTE $statement$SELECT 1$statement$;"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PL/pgSQL trigger functions")
def test_every_statement_on_a_transition_table_is_planned_for_its_call():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT p.proname, p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL"
        )
        functions = cursor.fetchall()
    names = {name for name, _source in functions}
    # The figures', the summaries' and the approvals' triggers are all there.
    assert {
        "figures_stale_plans_planentry",
        "map_stale_plans_planentry",
        "approval_cells_procedures",
    } <= names
    for name, source in functions:
        outside = EXECUTED.sub("", source)
        assert "new_rows" not in outside and "old_rows" not in outside, (name, outside)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PL/pgSQL trigger functions")
def test_a_bulk_write_after_single_ones_on_one_connection_is_counted(world):
    """The same connection writes one procedure at a time, then many in a statement: the cells
    follow both (the statements planned afresh for the bulk write)."""
    from datetime import date

    from approvals.tests.test_approval_cells import assert_cells_match
    from catalog.models import ProcedureType
    from projects.models import Procedure, Project

    kind = ProcedureType.objects.order_by("sort_order")[0]
    projects = [
        Project.objects.create(name=f"批量项目{n}", category=world.project_a.category, total_investment=10)
        for n in range(30)
    ]
    for project in projects[:6]:
        Procedure.objects.create(
            project=project,
            type=kind,
            status="done",
            submitted_on=date(2026, 3, 1),
            approved_on=date(2026, 3, 9),
        )
    Procedure.objects.bulk_create(
        Procedure(project=project, type=kind, status="in_progress", submitted_on=date(2026, 4, 1))
        for project in projects[6:]
    )
    Procedure.objects.filter(project__in=projects).update(green_channel=True)
    assert_cells_match()
    assert ApprovalCell.objects.filter(per_owner=False, unit_id=0, green_channel=True).exists()
