"""Who sees and changes which problem: the projects' scope, or assignment to one's unit subtree."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import OperationLog
from problems.models import Problem
from problems.tests.factories import make_problem

pytestmark = pytest.mark.django_db
JSON = "application/json"
EVERYONE = {"甲", "乙", "丙"}


@pytest.fixture
def ledger(world):
    """甲 on project_a given to 住建局; 乙 on project_b given to 城关街道; 丙 on project_b given to 教育局."""
    return {
        "甲": make_problem(world.project_a, world.housing, description="甲：滨河路用地指标未落实"),
        "乙": make_problem(world.project_b, world.town, description="乙：产业园拆迁补偿未谈妥"),
        "丙": make_problem(world.project_b, world.education, description="丙：配套学校选址未定"),
    }


SEES = {
    "coordinator": EVERYONE,
    "leader": EVERYONE,
    "inspector": EVERYONE,
    "admin": EVERYONE,
    "department": {"甲"},
    "town_user": {"乙", "丙"},
    "owner_a": {"甲"},
    "owner_b": {"乙", "丙"},
    "outsider": {"丙"},
}
CHANGES = {
    "coordinator": EVERYONE,
    "leader": set(),
    "inspector": set(),
    "admin": EVERYONE,
    "department": {"甲"},
    "town_user": {"乙", "丙"},
    "owner_a": {"甲"},
    "owner_b": {"乙", "丙"},
    "outsider": {"丙"},
}


def keys(problems) -> set[str]:
    return {p.description[0] for p in problems}


@pytest.mark.parametrize("persona", list(SEES))
def test_visible_to_is_the_projects_scope_or_assignment(world, ledger, persona):
    user = getattr(world, persona)
    assert keys(Problem.objects.visible_to(user)) == SEES[persona]
    assert keys(Problem.objects.editable_by(user)) == CHANGES[persona]


@pytest.mark.parametrize("persona", list(SEES))
def test_the_list_page_shows_only_what_the_persona_sees(world, client_for, ledger, persona):
    response = client_for(getattr(world, persona)).get("/problems/")
    assert response.status_code == 200
    body = response.content.decode()
    for key, problem in ledger.items():
        assert (problem.description in body) == (key in SEES[persona]), key


@pytest.mark.parametrize("persona", list(SEES))
def test_another_units_problem_by_id_is_a_404(world, client_for, ledger, persona):
    client = client_for(getattr(world, persona))
    for key, problem in ledger.items():
        expected = 200 if key in SEES[persona] else 404
        assert client.get(f"/problems/{problem.pk}/").status_code == expected, key
        assert client.get(f"/api/problems/{problem.pk}/").status_code == expected, key


@pytest.mark.parametrize("persona", list(SEES))
def test_the_edit_page_opens_for_those_who_may_change_the_problem(world, client_for, ledger, persona):
    client = client_for(getattr(world, persona))
    for key, problem in ledger.items():
        expected = 200 if key in CHANGES[persona] else 403 if key in SEES[persona] else 404
        assert client.get(f"/problems/{problem.pk}/edit/").status_code == expected, key


def test_a_unit_sees_problems_assigned_to_a_unit_below_it(world, client_for):
    problem = make_problem(world.project_b, world.owner_a_unit, description="丁：交给住建局下属公司的问题")
    assert problem in Problem.objects.visible_to(world.department)
    assert client_for(world.department).get(f"/problems/{problem.pk}/").status_code == 200


def test_an_inactive_user_sees_nothing(world, ledger):
    world.coordinator.is_active = False
    assert not Problem.objects.visible_to(world.coordinator).exists()


@pytest.mark.parametrize("persona", list(SEES))
def test_the_api_lists_the_same_problems_as_the_page(world, client_for, ledger, persona):
    response = client_for(getattr(world, persona)).get("/api/problems/")
    assert response.status_code == 200
    assert {row["description"][0] for row in response.json()["results"]} == SEES[persona]


def test_the_api_list_costs_the_same_for_one_or_many_problems(world, client_for, ledger):
    client = client_for(world.coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/problems/")
    for index in range(10):
        make_problem(world.project_a, world.housing, world.town, description=f"批量问题{index}")
    with CaptureQueriesContext(connection) as many:
        client.get("/api/problems/")
    assert len(many) == len(few)


def test_the_list_page_costs_the_same_for_one_or_many_problems(world, client_for, ledger):
    client = client_for(world.coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get("/problems/")
    for index in range(10):
        make_problem(world.project_a, world.housing, world.town, description=f"批量问题{index}")
    with CaptureQueriesContext(connection) as many:
        client.get("/problems/")
    assert len(many) == len(few)


def payload(project, **extra) -> dict:
    return {"project": project.pk, "category": "funding", "description": "资金缺口3000万元", **extra}


def test_an_owner_raises_a_problem_on_its_project_through_the_api_and_it_is_logged(world, client_for):
    response = client_for(world.owner_a).post(
        "/api/problems/", payload(world.project_a, responsible_units=[world.housing.pk]), content_type=JSON
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "open" and data["responsible_unit_names"] == ["区住房和城乡建设局"]
    assert data["raised_by"] == world.owner_a.pk
    log = OperationLog.objects.get(action="create")
    assert log.project == world.project_a and log.changes["问题描述"] == ["", "资金缺口3000万元"]


@pytest.mark.parametrize("persona", ["owner_a", "department", "outsider", "leader", "inspector"])
def test_a_problem_on_a_project_one_cannot_change_is_refused_as_if_missing(world, client_for, persona):
    response = client_for(getattr(world, persona)).post(
        "/api/problems/", payload(world.project_b), content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["project"] == ["项目不存在或无权操作。"]
    assert not Problem.objects.exists()


def test_the_api_runs_the_models_validation(world, client_for):
    response = client_for(world.coordinator).post(
        "/api/problems/", payload(world.project_a, description="   ", category="weather"), content_type=JSON
    )
    assert response.status_code == 400
    errors = response.json()
    assert "category" in errors and "description" in errors


@pytest.mark.parametrize(
    "persona, expected", [("leader", 403), ("inspector", 403), ("owner_b", 404), ("owner_a", 200)]
)
def test_changing_a_problem_through_the_api(world, client_for, ledger, persona, expected):
    response = client_for(getattr(world, persona)).patch(
        f"/api/problems/{ledger['甲'].pk}/", {"measures": "协调自然资源局调剂指标"}, content_type=JSON
    )
    assert response.status_code == expected


def test_a_problem_cannot_move_to_another_project(world, client_for, ledger):
    response = client_for(world.coordinator).patch(
        f"/api/problems/{ledger['甲'].pk}/", {"project": world.project_b.pk}, content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["project"] == ["问题不能改挂到其他项目。"]


def test_the_api_assigns_problems_to_the_same_units_as_the_form(world, client_for):
    response = client_for(world.coordinator).post(
        "/api/problems/",
        payload(world.project_a, responsible_units=[world.owner_b_unit.pk]),
        content_type=JSON,
    )
    assert response.status_code == 400
    assert response.json()["responsible_units"] == ["所选对象不存在或无权使用。"]
