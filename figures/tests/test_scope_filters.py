"""Scope by 投资性质 and size, unit, town and category on the dashboard and in /api/figures/, for
each persona within its own data."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Category
from figures.tests.test_figures import accepted
from plans.models import Plan, PlanEntry
from progress.rollup import refresh_projects
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def natures(world):
    """project_a (政府投资, 1.2亿) and project_b (企业投资, 5.6亿) on the 2026 local plan, and a third
    government project of 3000 万元 in no town, under 住建局."""
    Project.objects.filter(pk=world.project_b.pk).update(investment_nature="enterprise")
    small = Project.objects.create(
        name="背街小巷整治",
        category=Category.objects.get(code="social"),
        total_investment=Decimal(3000),
        responsible_unit=world.housing,
        owner_unit=world.owner_a_unit,
        status="construction",
    )
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    for project, annual in ((world.project_a, 6000), (world.project_b, 4000), (small, 1000)):
        PlanEntry.objects.create(plan=plan, project=project, plan_type="continuing", annual_investment=annual)
    accepted(world.project_a, 2026, 3, "1500")
    accepted(small, 2026, 3, "500")
    refresh_projects([world.project_a.pk, small.pk])
    return small


def dashboard(client, **params):
    response = client.get(reverse("home"), {"period": "2026-06", **params})
    assert response.status_code == 200
    return response


def test_dashboard_cuts_by_nature_and_size(world, client_for, natures):
    client = client_for(world.coordinator)
    assert dashboard(client).context["data"]["plan"]["count"] == 3
    government = dashboard(client, nature="government").context["data"]["plan"]
    assert (government["count"], government["completed"]) == (2, Decimal("2000.00"))
    assert dashboard(client, nature="enterprise").context["data"]["plan"]["count"] == 1
    big = dashboard(client, nature="government", min_total="10000").context["data"]["plan"]
    assert (big["count"], big["completed"]) == (1, Decimal("1500.00"))


def test_dashboard_cuts_by_unit_town_and_category(world, client_for, natures):
    client = client_for(world.coordinator)
    assert dashboard(client, unit=world.housing.pk).context["data"]["plan"]["count"] == 2
    assert dashboard(client, town=world.town.pk).context["data"]["plan"]["count"] == 2
    social = Category.objects.get(code="social")
    assert dashboard(client, category=social.pk).context["data"]["plan"]["count"] == 1


def test_dashboard_shows_the_resumption_rate(world, client_for, natures):
    response = dashboard(client_for(world.coordinator))
    assert response.context["data"]["starts"]["resume_rate"] == Decimal("66.7")
    assert "复工率 66.7%" in response.content.decode()


def test_a_bad_filter_is_ignored_and_said_so(world, client_for, natures):
    response = dashboard(client_for(world.coordinator), nature="state", min_total="-5")
    assert response.context["data"]["plan"]["count"] == 3
    assert response.content.decode().count("已忽略") == 2


def test_a_unit_outside_the_users_data_narrows_nothing(world, client_for, natures):
    """住建局's person cannot pick 城关街道 as a unit: the choice is refused and the scope stays its own."""
    response = dashboard(client_for(world.department), unit=world.town.pk)
    assert response.context["data"]["plan"]["count"] == 2
    assert "已忽略" in response.content.decode()


def test_charts_and_downloads_keep_the_scope(world, client_for, natures):
    response = dashboard(client_for(world.coordinator), nature="government", min_total="10000")
    link = response.context["charts"]["category"]["links"][0]
    assert "investment_nature=government" in link
    assert "min_total=10000" in link
    html = response.content.decode()
    assert "nature=government&amp;min_total=10000" in html
    download = client_for(world.coordinator).get(
        reverse("figures:chart_data", args=["category"]),
        {"period": "2026-06", "nature": "government", "min_total": "10000"},
    )
    assert download.status_code == 200


def test_the_project_list_takes_the_least_total_investment(world, client_for, natures):
    response = client_for(world.coordinator).get(reverse("projects:list"), {"min_total": "10000"})
    names = {project.name for project in response.context["page"].object_list}
    assert names == {world.project_a.name, world.project_b.name}


API = "/api/figures/"
# (persona, projects seen, of which government-invested)
API_PERSONAS = [
    ("coordinator", 3, 2),
    ("leader", 3, 2),
    ("inspector", 3, 2),
    ("department", 2, 2),
    ("town_user", 1, 0),
    ("owner_a", 2, 2),
    ("owner_b", 1, 0),
    ("outsider", 0, 0),
]


@pytest.mark.parametrize(("persona", "seen", "government"), API_PERSONAS)
def test_api_figures_of_each_persona_within_its_data(world, client_for, natures, persona, seen, government):
    client = client_for(getattr(world, persona))
    data = client.get(API, {"year": 2026, "month": 6}).json()
    assert data["plan"]["count"] == seen
    data = client.get(API, {"year": 2026, "month": 6, "nature": "government"}).json()
    assert data["plan"]["count"] == government
    assert data["scope"]["nature"] == "government"


def test_api_figures_by_size_and_level(world, client_for, natures):
    client = client_for(world.coordinator)
    data = client.get(API, {"year": 2026, "month": 6, "level": "local", "min_total": "10000"}).json()
    assert data["plan"]["count"] == 2
    assert data["plan"]["completed"] == "1500.00"
    assert "resume_rate" in data["starts"]
    assert "approval_catalogue" in data


def test_api_figures_refuses_what_is_not_a_scope(world, client_for):
    client = client_for(world.coordinator)
    assert client.get(API, {"year": 2026, "month": 13}).status_code == 400
    assert client.get(API, {"year": 1900, "month": 6}).status_code == 400
    response = client.get(API, {"year": 2026, "month": 6, "nature": "state", "min_total": "abc"})
    assert response.status_code == 400
    assert set(response.json()) == {"nature", "min_total"}
    assert client_for(world.department).get(API, {"unit": world.town.pk}).status_code == 400
    assert client.post(API, {}).status_code == 405


def test_api_figures_needs_a_signed_in_user(client):
    assert client.get(API).status_code == 401
