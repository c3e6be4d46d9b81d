"""后评价's summary under simultaneous saves, through a real server: two of 重点办's staff each
register the evaluation of a completed project at the same instant, both projects of the same
responsible unit and owner, so that both saves move a project from 待后评价 to 已评价 in the same
cell. No save fails, and the cells count afterwards exactly what the tables give, for every persona.
Run with -s to see the figures."""

import time
from functools import partial

import pytest
from django.urls import reverse

from evaluation import cells
from evaluation.choices import Grade
from evaluation.models import Evaluation
from evaluation.tests.test_evaluation_cells import assert_same
from projects.models import Project
from projects.tests import test_concurrency as concurrency

pytestmark = pytest.mark.django_db(transaction=True)

own_connections = concurrency.own_connections
site = concurrency.site

PAIRS = 6


def evaluation_form(n: int) -> dict[str, object]:
    return {
        "budget": "12000",
        "final_cost": str(11500 + n),
        "planned_start_date": "2023-03-01",
        "planned_completion_date": "2025-06-30",
        "actual_start_date": "2023-04-10",
        "actual_completion_date": "2025-09-30",
        "quality_incidents": 0,
        "safety_incidents": 0,
        "incidents_note": "",
        "appearance": "与周边风貌协调",
        "operating_results": "已投入使用，运行平稳",
        "annual_revenue": "",
        "jobs": "",
        "grade": Grade.GOOD,
        "evaluator": "区发展改革局",
        "evaluated_on": "2026-11-20",
        "case_summary": "",
    }


def awaiting() -> int:
    counted = cells.counts(None)
    assert counted is not None, "后评价的汇总未能读取"
    return counted["awaiting"]


def test_two_evaluations_of_one_cell_saved_together_leave_the_counts_right(site, persona_password) -> None:
    world, browsers = site
    first = browsers["coordinator"]
    second = concurrency.Browser(f"http://{first.host}:{first.port}", world.coordinator, persona_password)
    finished = [
        Project.objects.create(
            name=f"竣工道路{n:02d}",
            category=world.project_a.category,
            total_investment=12000,
            responsible_unit=world.housing,
            owner_unit=world.owner_a_unit,
            status="completed" if n % 2 else "operating",
        )
        for n in range(2 * PAIRS)
    ]
    assert_same(world)
    before = awaiting()
    started = time.perf_counter()
    statuses: list[int] = []
    for pair in range(PAIRS):
        paths = [reverse("evaluation:create", args=[p.pk]) for p in finished[2 * pair : 2 * pair + 2]]
        pages = [first.get(paths[0]), second.get(paths[1])]
        replies = concurrency.together(
            partial(first.post, paths[0], evaluation_form(2 * pair), pages[0]),
            partial(second.post, paths[1], evaluation_form(2 * pair + 1), pages[1]),
        )
        statuses.extend(reply.status for reply in replies)
        assert_same(world)
    print(
        f"\n{PAIRS} pairs of evaluations: {statuses.count(302)} saved, {time.perf_counter() - started:.1f} s; "
        f"待后评价 {before} → {awaiting()}"
    )
    assert statuses == [302] * (2 * PAIRS)
    assert Evaluation.objects.filter(project__in=finished).count() == 2 * PAIRS
    assert awaiting() == before - 2 * PAIRS
