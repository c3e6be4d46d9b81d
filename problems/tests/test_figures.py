"""问题台账, 调度会议, 督办 and 现场督导 figures on hand-built data, and their place in `figures --json`."""

import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from figures.compute import compute
from plans.models import Plan, PlanEntry
from plans.scope import Scope
from problems.choices import ProblemStatus
from problems.figures import meeting_figures, problem_figures
from problems.models import Problem
from problems.tests.factories import make_matter, make_meeting, make_problem
from supervision.figures import inspection_figures, notice_figures
from supervision.models import Inspection, Notice

pytestmark = pytest.mark.django_db
YEAR = 2025


def at(month: int, day: int) -> datetime:
    return timezone.make_aware(datetime(YEAR, month, day, 10))


def solved(problem: Problem, on: datetime, matter=None) -> Problem:
    Problem.objects.filter(pk=problem.pk).update(
        status=ProblemStatus.RESOLVED, resolved_at=on, resolution="已解决", settled_by=matter
    )
    problem.refresh_from_db()
    return problem


@pytest.fixture
def year_of_work(world):
    """In 2025: 7 meetings (one on project_b only), 10 matters, 4 problems solved through meetings;
    12 problems raised (9 on project_a), 6 solved by year end, 2 overdue at year end; 3 inspections."""
    meetings = [
        make_meeting(world.coordinator, on=date(YEAR, month, 10), title=f"第{month}次调度会")
        for month in range(1, 8)
    ]
    problems_a = [
        make_problem(world.project_a, world.housing, deadline=date(YEAR, 12, 31), raised_at=at(month, 1))
        for month in range(1, 10)
    ]
    problems_b = [
        make_problem(world.project_b, world.town, deadline=date(YEAR, 12, 31), raised_at=at(month, 1))
        for month in (2, 3, 4)
    ]
    for index, problem in enumerate(problems_a[:4]):
        matter = make_matter(meetings[index], world.housing, project=world.project_a)
        solved(problem, at(index + 2, 20), matter)
    solved(problems_a[4], at(11, 5))
    solved(problems_b[0], at(6, 1))
    # Solved only in the next year: still unsolved (and overdue) at the end of 2025.
    Problem.objects.filter(pk__in=[problems_a[5].pk, problems_a[6].pk]).update(deadline=date(YEAR, 10, 1))
    solved(problems_a[5], timezone.make_aware(datetime(YEAR + 1, 1, 5, 9)))
    for meeting in meetings[:5]:
        make_matter(meeting, world.education)
    make_matter(meetings[6], world.town, project=world.project_b)
    # A problem raised the year before does not count as raised in 2025.
    make_problem(world.project_a, world.housing, raised_at=timezone.make_aware(datetime(YEAR - 1, 12, 30)))
    for month in (3, 6, 9):
        Inspection.objects.create(project=world.project_a, date=date(YEAR, month, 15), findings="现场督导")
    notice = Notice.objects.create(
        title="督办",
        target_unit=world.housing,
        content="督办事项",
        deadline=date(YEAR, 4, 1),
        issuing_office="区督查局",
        issued_on=date(YEAR, 3, 1),
    )
    notice.projects.add(world.project_a)
    return meetings


def test_problem_figures_of_a_year(year_of_work):
    figures = problem_figures(date(YEAR, 1, 1), date(YEAR, 12, 31))
    assert figures == {"raised": 12, "solved": 6, "overdue": 2, "closure_rate": Decimal("50.0")}


def test_problem_figures_at_an_earlier_month_end(year_of_work):
    figures = problem_figures(date(YEAR, 1, 1), date(YEAR, 6, 30))
    # Raised Jan–Jun: 6 on project_a, 3 on project_b; solved by 30 June: 4 through meetings + 1 on project_b.
    assert figures["raised"] == 9 and figures["solved"] == 5 and figures["overdue"] == 0


def test_meeting_figures_seven_meetings_ten_matters_four_problems(year_of_work):
    figures = meeting_figures(date(YEAR, 1, 1), date(YEAR, 12, 31))
    assert figures == {"held": 7, "matters_decided": 10, "matters_done": 0, "problems_solved": 4}


def test_meeting_figures_for_some_projects_count_only_their_meetings_and_matters(world, year_of_work):
    projects = [world.project_b.pk]
    figures = meeting_figures(date(YEAR, 1, 1), date(YEAR, 12, 31), projects)
    assert figures == {"held": 1, "matters_decided": 1, "matters_done": 0, "problems_solved": 0}


def test_inspection_and_notice_figures(world, year_of_work):
    assert inspection_figures(date(YEAR, 1, 1), date(YEAR, 12, 31)) == {"made": 3, "projects": 1}
    assert inspection_figures(date(YEAR, 1, 1), date(YEAR, 6, 30), [world.project_b.pk]) == {
        "made": 0,
        "projects": 0,
    }
    assert notice_figures(date(YEAR, 1, 1), date(YEAR, 12, 31)) == {"issued": 1, "replied": 0, "closed": 0}


def test_meetings_in_the_future_are_not_yet_held(world):
    today = timezone.localdate()
    make_meeting(world.coordinator, on=today.replace(day=1))
    make_meeting(world.coordinator, on=date(today.year, 12, 31))
    held = meeting_figures(date(today.year, 1, 1), date(today.year, 12, 31))["held"]
    assert held == (1 if today < date(today.year, 12, 31) else 2)


@pytest.fixture
def local_plan(world):
    plan = Plan.objects.create(year=YEAR, level="local", title=f"{YEAR}年区重点")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("6000")
    )
    return plan


def test_compute_includes_the_ledger_figures_for_the_whole_region_and_for_a_unit(
    world, year_of_work, local_plan
):
    whole = compute(YEAR, 12, Scope())
    assert whole["problems"]["raised"] == 12 and whole["meetings"]["held"] == 7
    assert whole["inspections"]["made"] == 3 and whole["notices"]["issued"] == 1
    # The town's scope: project_b is on no 2025 plan, so nothing of it counts.
    town = compute(YEAR, 12, Scope(unit=world.town))
    assert town["problems"]["raised"] == 0 and town["meetings"]["held"] == 0
    housing = compute(YEAR, 12, Scope(unit=world.housing))
    assert housing["problems"]["raised"] == 9 and housing["meetings"] == {
        "held": 4,
        "matters_decided": 4,
        "matters_done": 0,
        "problems_solved": 4,
    }


def test_a_users_scope_limits_the_ledger_figures(world, year_of_work, local_plan):
    assert compute(YEAR, 12, Scope(user=world.leader))["problems"]["raised"] == 12
    assert compute(YEAR, 12, Scope(user=world.department))["problems"]["raised"] == 9
    assert compute(YEAR, 12, Scope(user=world.owner_b))["problems"]["raised"] == 0


def test_the_figures_command_prints_the_ledger_figures_as_json(year_of_work, local_plan):
    out = io.StringIO()
    call_command("figures", year=YEAR, month=12, json=True, stdout=out)
    data = json.loads(out.getvalue())
    assert data["problems"] == {"raised": 12, "solved": 6, "overdue": 2, "closure_rate": "50.0"}
    assert data["meetings"]["held"] == 7 and data["meetings"]["problems_solved"] == 4
    assert data["inspections"] == {"made": 3, "projects": 1}
