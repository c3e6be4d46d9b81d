"""登记问题 from the problem ledger: the button, the project picker scoped to the user, and the form."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import OperationLog
from problems.models import Problem
from problems.querysets import raisable_projects
from projects.models import Project

pytestmark = pytest.mark.django_db


def picked(client, query: str = "", **headers: str) -> list[str]:
    """The names of the projects the picker offers."""
    response = client.get(f"/problems/new/{query}", headers=headers)
    assert response.status_code == 200
    return [project.name for project in response.context["page"]]


@pytest.mark.parametrize("persona", ["coordinator", "admin", "department", "town_user", "owner_a"])
def test_the_ledger_offers_raising_a_problem_to_those_who_change_projects(world, client_for, persona):
    page = client_for(getattr(world, persona)).get("/problems/").content.decode()
    assert 'data-testid="raise-problem"' in page and 'href="/problems/new/"' in page


@pytest.mark.parametrize("persona", ["leader", "inspector"])
def test_readers_get_no_button_and_no_picker(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert 'data-testid="raise-problem"' not in client.get("/problems/").content.decode()
    assert client.get("/problems/new/").status_code == 403


def test_a_unit_with_no_project_is_offered_no_button(world, client_for):
    client = client_for(world.outsider)
    assert 'data-testid="raise-problem"' not in client.get("/problems/").content.decode()
    assert picked(client) == []
    assert "没有可以登记问题的项目" in client.get("/problems/new/").content.decode()


def test_the_picker_lists_only_the_projects_the_user_may_raise_problems_on(world, client_for):
    assert set(picked(client_for(world.coordinator))) == {world.project_a.name, world.project_b.name}
    assert picked(client_for(world.department)) == [world.project_a.name]
    assert picked(client_for(world.owner_a)) == [world.project_a.name]
    assert picked(client_for(world.town_user)) == [world.project_b.name]
    assert picked(client_for(world.owner_b)) == [world.project_b.name]


def test_the_picker_finds_a_project_by_name_or_code(world, client_for):
    world.project_b.code = "2601-330100-04-01-123456"
    world.project_b.save()
    client = client_for(world.coordinator)
    assert picked(client, "?q=智能制造") == [world.project_b.name]
    assert picked(client, "?q=123456") == [world.project_b.name]
    assert picked(client, "?q=不存在的项目") == []
    assert picked(client_for(world.department), "?q=智能制造") == []


def test_htmx_search_swaps_only_the_list(world, client_for):
    client = client_for(world.coordinator)
    response = client.get("/problems/new/?q=滨河", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'data-testid="project-pick-list"' in html and "<html" not in html
    assert world.project_a.name in html and world.project_b.name not in html


def test_the_picker_pages_thousands_of_projects_with_the_same_queries(world, client_for):
    client = client_for(world.coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get("/problems/new/")
    Project.objects.bulk_create(
        Project(
            name=f"城东片区安置房{n:03d}期工程",
            category=world.project_a.category,
            total_investment=Decimal("8000"),
            responsible_unit=world.housing,
            owner_unit=world.owner_a_unit,
            build_years="2026-2027",
        )
        for n in range(1, 121)
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/problems/new/")
    assert len(many) == len(few)
    assert len(response.context["page"]) == 20 and response.context["page"].paginator.count == 122


@pytest.mark.parametrize("persona", ["coordinator", "department", "town_user", "owner_a", "outsider"])
def test_the_pickers_count_is_the_projects_the_user_may_raise_problems_on(world, client_for, persona):
    """Unfiltered the count comes from the units' indexes, filtered from the list: both are the
    projects the user changes, a project owned in the subtree and answering elsewhere once."""
    user = getattr(world, persona)
    Project.objects.create(
        name="城关片区雨污分流工程",
        category=world.project_a.category,
        total_investment=Decimal("3000"),
        responsible_unit=world.town,
        owner_unit=world.owner_a_unit,
        build_years="2026",
    )
    client = client_for(user)
    expected = raisable_projects(user).count()
    assert client.get("/problems/new/").context["page"].paginator.count == expected
    filtered = client.get("/problems/new/?q=工程").context["page"].paginator.count
    assert filtered == raisable_projects(user).filter(name__contains="工程").count()


def test_picking_a_project_leads_to_its_form_and_saves_the_problem(world, client_for):
    client = client_for(world.department)
    page = client.get("/problems/new/").content.decode()
    assert f'href="/problems/new/?project={world.project_a.pk}"' in page
    form = client.get(f"/problems/new/?project={world.project_a.pk}").content.decode()
    assert world.project_a.name in form and "更换项目" in form
    response = client.post(
        f"/problems/new/?project={world.project_a.pk}",
        {
            "category": "demolition",
            "description": "沿线3户拆迁未完成，影响路基施工",
            "responsible_units": [world.housing.pk],
            "deadline": "2026-06-30",
        },
    )
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/problems/{problem.pk}/"
    assert problem.project == world.project_a and problem.raised_by == world.department
    assert OperationLog.objects.get(object_type="问题", action="create").project == world.project_a


def test_a_project_out_of_reach_cannot_be_picked_by_its_address(world, client_for):
    assert client_for(world.department).get(f"/problems/new/?project={world.project_b.pk}").status_code == 404
    assert client_for(world.owner_b).get(f"/problems/new/?project={world.project_a.pk}").status_code == 404
    refused = client_for(world.department).post(
        f"/problems/new/?project={world.project_b.pk}",
        {"category": "land", "description": "越权登记", "deadline": "2026-06-30"},
    )
    assert refused.status_code == 404 and not Problem.objects.exists()
