"""审批效能's summary under simultaneous saves, through a real server: two people saving procedures
that count in the same cells at the same instant, moving them between two months in opposite
directions, so that each save takes from one cell and adds to the other. No save fails, none waits
for ever on the other, and the cells hold afterwards exactly what the procedures give.
Run with -s to see the figures."""

import time
from datetime import date
from functools import partial

import pytest
from django.urls import reverse

from approvals.tests.test_approval_cells import assert_cells_match, from_cells
from catalog.models import ProcedureType
from projects.models import Procedure
from projects.tests import test_concurrency as concurrency

pytestmark = pytest.mark.django_db(transaction=True)

# The live server whose request threads have connections of their own, and a browser per persona.
own_connections = concurrency.own_connections
site = concurrency.site

PAIRS = 10
MONTHS = (date(2026, 3, 16), date(2026, 4, 16))


def form(procedure: Procedure, approved_on: date) -> dict[str, object]:
    return {
        "type": procedure.type_id,
        "status": "done",
        "submitted_on": "2026-03-02",
        "approved_on": approved_on.isoformat(),
        "document_number": "",
        "department": procedure.department_id or "",
        "note": "",
    }


def test_opposite_moves_saved_together_leave_the_cells_right(site) -> None:
    world, browsers = site
    kind = ProcedureType.objects.order_by("sort_order")[0]
    first, second = (
        Procedure.objects.create(
            project=project,
            type=kind,
            status="done",
            submitted_on=date(2026, 3, 2),
            approved_on=approved,
            department=world.drc,
        )
        for project, approved in ((world.project_a, MONTHS[0]), (world.project_b, MONTHS[1]))
    )
    assert_cells_match()
    department, coordinator = browsers["department"], browsers["coordinator"]
    paths = [
        reverse("projects:procedure_edit", args=[procedure.project_id, procedure.pk])
        for procedure in (first, second)
    ]
    started = time.perf_counter()
    statuses: list[int] = []
    for pair in range(PAIRS):
        # Each pair swaps the two procedures' months: one leaves March for April as the other
        # leaves April for March, and both cells are written by both saves.
        there, back = (MONTHS[1], MONTHS[0]) if pair % 2 == 0 else MONTHS
        pages = [department.get(paths[0]), coordinator.get(paths[1])]
        replies = concurrency.together(
            partial(department.post, paths[0], form(first, there), pages[0]),
            partial(coordinator.post, paths[1], form(second, back), pages[1]),
        )
        statuses.extend(reply.status for reply in replies)
        assert_cells_match()
    print(
        f"\n{PAIRS} pairs of opposite moves: {statuses.count(302)} saved, {time.perf_counter() - started:.1f} s"
    )
    assert statuses == [302] * (2 * PAIRS)
    assert list(Procedure.objects.order_by("approved_on").values_list("approved_on", flat=True)) == list(
        MONTHS
    )
    assert sum(count for count, _days in from_cells().values()) == 2
