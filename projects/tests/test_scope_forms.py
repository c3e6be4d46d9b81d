"""A project's scope asked of each row's own project (on PostgreSQL beside an OR, and for a table of
few rows) or read from a subquery: the same rows for every persona, to read and to write."""

from decimal import Decimal

import pytest

from elements.models import ElementNeed, ElementType
from figures.tests.test_figures import accepted
from pipeline.models import PipelineEntry
from portfolios.models import ListItem, ProjectList
from problems.models import Matter, Meeting, Problem
from problems.tests.factories import make_matter, make_meeting, make_problem
from progress.models import Report
from projects import querysets
from projects.models import Project
from supervision.models import Inspection, Notice
from supervision.tests.test_notices import make_notice

pytestmark = pytest.mark.django_db


def test_a_scope_beside_another_condition_gives_the_same_rows_in_either_form(world, monkeypatch):
    # A problem of each project, one of project_b assigned to 住建局 as well, and one assigned to
    # the town without being its project's; matters owned by units in and out of each scope.
    make_problem(world.project_a)
    make_problem(world.project_b, world.housing)
    make_problem(world.project_a, world.town)
    meeting = make_meeting(world.coordinator)
    make_matter(meeting, world.town)
    make_matter(meeting, world.housing, project=world.project_b)
    make_matter(meeting, world.owner_a_unit, project=world.project_a)
    for project in (world.project_a, world.project_b):
        Inspection.objects.create(project=project, findings="现场督导")
        PipelineEntry.objects.create(
            project=project,
            proposed_year=2027,
            estimated_investment=Decimal(100),
            proposing_unit=project.responsible_unit,
        )
    named = ProjectList.objects.create(name="2026年关键项目清单")
    for project in (world.project_a, world.project_b):
        ListItem.objects.create(project_list=named, project=project)
    make_notice(world).projects.add(world.project_a)
    make_notice(world, unit=world.education).projects.add(world.project_b)
    land = ElementType.objects.get(code="land")
    for project, department in [(world.project_a, world.drc), (world.project_b, world.town)]:
        ElementNeed.objects.create(project=project, type=land, needed=Decimal(10), department=department)
    users = [
        world.coordinator,
        world.leader,
        world.department,
        world.town_user,
        world.owner_a,
        world.owner_b,
        world.outsider,
    ]

    def seen() -> dict:
        return {
            (user.username, model.__name__, way): set(getattr(model.objects, way)(user).values_list("pk", flat=True))
            for user in users
            for model in (Problem, Matter, ElementNeed, Meeting, Notice, Inspection, PipelineEntry, ListItem)
            for way in ("visible_to", "editable_by")
        }  # fmt: skip

    def asks_each_row() -> bool:
        statement = str(Problem.objects.visible_to(world.town_user).query)
        return "EXISTS" in statement

    monkeypatch.setattr(querysets, "asks_each_row", lambda few_rows=False, alternative=False: False)
    assert not asks_each_row()
    by_subquery = seen()
    monkeypatch.setattr(querysets, "asks_each_row", lambda few_rows=False, alternative=False: True)
    assert asks_each_row()
    assert seen() == by_subquery
    # The rows are not all or nothing: the town sees its own project's problems and the one
    # assigned to it, not project_a's other one.
    town = by_subquery["town", "Problem", "visible_to"]
    assert 0 < len(town) < Problem.objects.count()
    assert by_subquery["outsider", "Problem", "visible_to"] == set()


@pytest.mark.parametrize(
    ("persona", "same"),
    [
        ("coordinator", True),
        ("leader", False),
        ("department", True),
        ("town_user", True),
        ("owner_a", True),
        ("outsider", True),
    ],
)
def test_who_writes_every_project_it_reads(world, persona, same):
    user = getattr(world, persona)
    read = set(Project.objects.visible_to(user).values_list("pk", flat=True))
    written = set(Project.objects.editable_by(user).values_list("pk", flat=True))
    assert querysets.writes_what_it_reads(user) is same
    assert (read == written) is same


def test_any_in_scope_finds_a_scope_beyond_the_rows_it_probes(world, monkeypatch):
    """With a probe of one row, one of the two owners' reports lies beyond it: the listed scope
    finds it. A user whose scope holds none of the rows is told so, and one who sees all is not
    asked after any project."""
    accepted(world.project_a, 2026, 11, "100")
    accepted(world.project_b, 2026, 11, "200")
    monkeypatch.setattr(querysets, "PROBE_ROWS", 1)
    november = Report.objects.filter(year=2026, month=11)
    for user in (world.owner_a, world.owner_b, world.town_user, world.department, world.coordinator):
        assert querysets.any_in_scope(user)(november), user.username
    assert not querysets.any_in_scope(world.outsider)(november)
    assert not querysets.any_in_scope(world.owner_a)(Report.objects.filter(year=2026, month=10))
    assert querysets.any_in_scope(world.owner_b)(november.filter(project=world.project_b))
    assert not querysets.any_in_scope(world.owner_a)(november.filter(project=world.project_b))
