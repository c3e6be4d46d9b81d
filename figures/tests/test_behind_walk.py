"""慢于时间进度's list for a large scope (figures.compute.nothing_done_first): the entries with nothing
done walked from the largest annual plan down give the list the full sort gives, or step aside."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Category
from figures import compute
from figures.compute import Scope, behind_time_progress
from figures.tests.test_figures import accepted
from plans.counting import recount
from plans.models import Plan, PlanEntry
from progress.models import YearProgress
from progress.rollup import refresh_projects
from projects.models import Project

pytestmark = pytest.mark.django_db
LARGE = 10**6
WALK = '"plans_planentry"."annual_investment" AS "annual_investment", '


@pytest.fixture
def entries(world):
    """Twenty-four projects on the 2026 local plan, half of them on the city plan too (with other
    annual plans, which do not count), every third with progress, annual plans in pairs of equal
    size; 住建局 and 城关街道 answer for them in turn."""
    category = Category.objects.get(code="infrastructure")
    local = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    city = Plan.objects.create(year=2026, level="city", title="2026年市重点")
    done = []
    for n in range(24):
        unit = world.housing if n % 2 else world.town
        project = Project.objects.create(
            name=f"项目{n:02d}",
            category=category,
            total_investment=Decimal(10000 + n),
            responsible_unit=unit,
            owner_unit=world.owner_a_unit if n % 4 == 1 else None,
            status="construction",
        )
        PlanEntry.objects.create(
            plan=local,
            project=project,
            plan_type="continuing",
            annual_investment=Decimal(1000 + (n // 2) * 100),
        )
        if n % 2 == 0:
            PlanEntry.objects.create(
                plan=city, project=project, plan_type="continuing", annual_investment=Decimal(90000 + n)
            )
        if n % 3 == 0:
            accepted(project, 2026, 3, str(50 + n))
            done.append(project.pk)
    recount(2026)
    refresh_projects(done)
    return local


SCOPES = {
    "whole": lambda world: Scope(),
    "department": lambda world: Scope(user=world.department),
    "town": lambda world: Scope(user=world.town_user),
    "owner": lambda world: Scope(user=world.owner_a),
    "category": lambda world: Scope(category=Category.objects.get(code="infrastructure")),
    "unit": lambda world: Scope(unit=world.housing),
}


@pytest.mark.parametrize("name", SCOPES)
@pytest.mark.parametrize("limit", [1, 3, 5, 20])
def test_the_walk_gives_the_full_sorts_list(world, entries, name, limit):
    scope = SCOPES[name](world)
    sorted_list = behind_time_progress(2026, 6, scope, limit=limit)
    assert behind_time_progress(2026, 6, scope, limit=limit, entry_count=LARGE) == sorted_list
    assert sorted_list, name


def test_the_walk_is_taken_when_enough_have_nothing_done(world, entries):
    with CaptureQueriesContext(connection) as walked:
        rows = behind_time_progress(2026, 6, Scope(user=world.department), limit=3, entry_count=LARGE)
    assert any(WALK in query["sql"] for query in walked.captured_queries)
    # 住建局's largest annual plans with nothing done, each project's local entry.
    assert [row["name"] for row in rows] == ["项目23", "项目19", "项目17"]
    assert {row["completed"] for row in rows} == {Decimal("0.00")}
    if connection.vendor == "sqlite":
        plan = walked_plan(world)
        assert "plan_entry_counted_by_size" in plan and "TEMP B-TREE FOR ORDER BY" not in plan


def walked_plan(world):
    from figures.compute import nothing_done_first

    with CaptureQueriesContext(connection) as captured:
        nothing_done_first(2026, 6, Scope(user=world.department), 3)
    statement = next(q["sql"] for q in captured.captured_queries if WALK in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {statement}")
        return " ".join(str(row[-1]) for row in cursor.fetchall())


def test_too_few_with_nothing_done_and_the_sort_decides(world, entries):
    # Sixteen of the twenty-four have nothing done; asked for twenty, the sort lists them all.
    with CaptureQueriesContext(connection) as captured:
        rows = behind_time_progress(2026, 6, Scope(), limit=20, entry_count=LARGE)
    assert len(rows) == 20
    assert [row["completed"] for row in rows[16:]] != [Decimal("0.00")] * 4
    # The walk was tried, then every entry sorted.
    listed = [q["sql"] for q in captured.captured_queries if 'AS "done"' in q["sql"]]
    assert [WALK in sql for sql in listed] == [True, False]


def test_a_year_below_zero_leaves_the_list_to_the_sort(world, entries):
    below = Project.objects.get(name="项目05")
    YearProgress.objects.update_or_create(project=below, year=2026, defaults={"ytd_06": Decimal("-10")})
    assert YearProgress.any_below_zero(2026, 6) and not YearProgress.any_below_zero(2026, 7)
    rows = behind_time_progress(2026, 6, Scope(), limit=3, entry_count=LARGE)
    assert rows == behind_time_progress(2026, 6, Scope(), limit=3)
    assert rows[0]["name"] == "项目05" and rows[0]["completed"] == Decimal("-10.00")


def test_a_level_of_its_own_is_sorted(world, entries):
    scope = Scope(level="city")
    rows = behind_time_progress(2026, 6, scope, limit=3, entry_count=LARGE)
    assert rows == behind_time_progress(2026, 6, scope, limit=3)
    # The city plan's own annual figures, which the counted walk would not see.
    assert rows[0]["annual_plan"] > Decimal("90000")


@pytest.fixture
def largest_done(entries):
    """Four of the five largest local entries (项目23, 22, 20 and 19; 21 has its own) with something done."""
    done = []
    for project in Project.objects.filter(name__in=["项目23", "项目22", "项目20", "项目19"]):
        accepted(project, 2026, 3, "10")
        done.append(project.pk)
    refresh_projects(done)


@pytest.mark.parametrize("name", SCOPES)
@pytest.mark.parametrize("limit", [1, 2, 4])
def test_growing_windows_give_the_full_sorts_list(world, largest_done, name, limit, monkeypatch):
    monkeypatch.setattr(compute, "WALK_WINDOW", 1)
    scope = SCOPES[name](world)
    sorted_list = behind_time_progress(2026, 6, scope, limit=limit)
    assert behind_time_progress(2026, 6, scope, limit=limit, entry_count=LARGE) == sorted_list


def test_the_window_grows_until_the_list_is_full(world, largest_done, monkeypatch):
    monkeypatch.setattr(compute, "WALK_WINDOW", 1)
    with CaptureQueriesContext(connection) as captured:
        rows = behind_time_progress(2026, 6, Scope(), limit=1, entry_count=LARGE)
    windows = [q["sql"] for q in captured.captured_queries if WALK in q["sql"]]
    # 项目22, then 23, 20, 21 and 18 are done (in pairs of one size, the first created first); of
    # the twenty after them 项目19 is done and 16 the first with nothing done.
    assert [sql.rsplit("LIMIT", 1)[1].strip() for sql in windows] == ["1", "4", "20"]
    assert [row["name"] for row in rows] == ["项目16"]


@pytest.mark.parametrize(("most", "walked"), [(4, 1), (5, 2), (24, 2), (25, 3)])
def test_a_window_past_the_largest_leaves_the_list_to_the_sort(
    world, largest_done, monkeypatch, most, walked
):
    # The windows are 1, 4 and 20 entries (test_the_window_grows_until_the_list_is_full): the walk
    # stops before the first that would take it past WALK_MOST entries, and the sort decides.
    monkeypatch.setattr(compute, "WALK_WINDOW", 1)
    monkeypatch.setattr(compute, "WALK_MOST", most)
    with CaptureQueriesContext(connection) as captured:
        rows = behind_time_progress(2026, 6, Scope(), limit=1, entry_count=LARGE)
    listed = [q["sql"] for q in captured.captured_queries if 'AS "done"' in q["sql"]]
    sorted_whole = walked < 3
    assert [WALK in sql for sql in listed] == [True] * walked + [False] * sorted_whole
    assert [row["name"] for row in rows] == ["项目16"]
