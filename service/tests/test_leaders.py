"""分包领导: the figures ("由N名领导分包了M个项目"), each leader's page, 我分包的项目, and the list's filter."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from figures.compute import compute
from figures.registry import Context
from plans.scope import Scope, scope_entries
from service.figures import leaders_section
from service.tests.conftest import MONTH, YEAR

pytestmark = pytest.mark.django_db
PERIOD = {"period": f"{YEAR}-{MONTH:02d}"}


def test_figures_count_the_leaders_and_the_projects_they_lead(led):
    data = leaders_section(Context(YEAR, MONTH, Scope(), scope_entries(YEAR, Scope())))["leaders"]
    assert (data["leaders"], data["projects"], data["of_projects"]) == (2, 2, 2)
    first = data["rows"][0]
    assert (first["name"], first["count"], str(first["completion_rate"])) == ("李领导", 1, "50.0")
    assert data["rows"][1]["name"] == "王副区长"


def test_a_project_without_a_leader_is_counted_among_the_plans_projects_only(led):
    led.project_b.leader_in_charge = None
    led.project_b.save()
    data = compute(YEAR, MONTH, Scope())["leaders"]
    assert (data["leaders"], data["projects"], data["of_projects"]) == (1, 1, 2)


def test_figures_json_has_the_leaders_section(led):
    out = StringIO()
    call_command("figures", "--year", str(YEAR), "--month", str(MONTH), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["leaders"]["leaders"] == 2
    assert data["leaders"]["projects"] == 2


def test_a_units_scope_counts_only_its_leaders(led):
    scope = Scope(user=led.department)
    data = leaders_section(Context(YEAR, MONTH, scope, scope_entries(YEAR, scope)))["leaders"]
    assert [row["name"] for row in data["rows"]] == ["李领导"]


@pytest.mark.parametrize(
    ("persona", "answer"),
    [
        ("coordinator", 200),
        ("leader", 200),
        ("inspector", 200),
        ("department", 200),
        ("town_user", 404),
        ("outsider", 404),
        ("owner_a", "您的角色不能打开此页面。"),
        ("anonymous", "login"),
    ],
)
def test_who_opens_a_leaders_page(led, answer_to, persona, answer):
    """李领导 leads project_a (住建局's): the town and the education office, seeing none of it, get a 404."""
    url = reverse("service:leader", args=[led.leader_person.pk])
    assert answer_to(persona, "GET", url) == answer


def test_another_units_leader_is_not_found_for_a_department(led, client_for):
    client = client_for(led.department)
    assert client.get(reverse("service:leader", args=[led.other_leader.pk])).status_code == 404
    assert client.get(reverse("service:leader", args=[999999])).status_code == 404


def test_a_leaders_page_shows_completion_progress_and_problems(led, client_for):
    response = client_for(led.coordinator).get(reverse("service:leader", args=[led.leader_person.pk]), PERIOD)
    html = response.content.decode()
    assert "滨河路改造工程" in html
    assert "城关智能制造产业园" not in html
    assert "50.0%" in html
    assert "主体结构施工" in html and "45.5%" in html


def test_mine_shows_the_leaders_own_projects(led, client_for):
    response = client_for(led.leader).get(reverse("service:mine"), PERIOD)
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"]] == [led.project_a.pk]


def test_mine_for_an_account_not_in_the_directory_says_so(world, client_for):
    response = client_for(world.leader).get(reverse("service:mine"))
    assert response.status_code == 200
    assert 'data-testid="not-linked"' in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "answer"), [("leader", 200), ("coordinator", "您的角色不能打开此页面。")]
)
def test_mine_is_the_leaders_page(led, answer_to, persona, answer):
    assert answer_to(persona, "GET", reverse("service:mine")) == answer


def test_the_leaders_table_and_its_export(led, client_for):
    client = client_for(led.coordinator)
    response = client.get(reverse("service:leaders"), PERIOD)
    assert [row["name"] for row in response.context["rows"]] == ["李领导", "王副区长"]
    assert (response.context["projects_led"], response.context["of_projects"]) == (2, 2)
    # A project without a leader still counts among the plans' projects, from the same pass.
    led.project_b.leader_in_charge = None
    led.project_b.save()
    response = client.get(reverse("service:leaders"), PERIOD)
    assert [row["name"] for row in response.context["rows"]] == ["李领导"]
    assert (response.context["projects_led"], response.context["of_projects"]) == (1, 2)
    export = client.get(reverse("service:leaders"), {**PERIOD, "export": "xlsx"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_project_list_its_export_and_the_api_filter_by_leader(led, client_for):
    client = client_for(led.coordinator)
    query = {"leader_in_charge": led.other_leader.pk}
    listed = client.get(reverse("projects:list"), query)
    assert [project.pk for project, _details in listed.context["rows"]] == [led.project_b.pk]
    api = client.get("/api/projects/", query).json()
    assert [row["id"] for row in api["results"]] == [led.project_b.pk]
    export = client.get(reverse("projects:list"), {**query, "export": "xlsx"})
    assert export.status_code == 200


def test_a_leader_out_of_sight_filters_to_nothing(led, client_for):
    client = client_for(led.department)
    listed = client.get(reverse("projects:list"), {"leader_in_charge": led.other_leader.pk})
    assert listed.context["rows"] == []
