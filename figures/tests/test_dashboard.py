"""The dashboard: the user's scope, clickable charts, downloads, constant query count."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from figures.tests.test_figures import accepted
from plans.models import Plan, PlanEntry
from progress.rollup import refresh_projects
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_plan(world):
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("6000")
    )
    PlanEntry.objects.create(
        plan=plan,
        project=world.project_b,
        plan_type="new_start",
        annual_investment=Decimal("4000"),
        planned_start_month=3,
    )
    accepted(world.project_a, 2026, 3, "1500")
    refresh_projects([world.project_a.pk])
    return plan


@pytest.mark.parametrize(
    ("persona", "count", "completed"),
    [
        ("coordinator", 2, "0.15"),
        ("leader", 2, "0.15"),
        ("department", 1, "0.15"),
        ("owner_b", 1, "0.00"),
        ("outsider", 0, "0.00"),
    ],
)
def test_dashboard_shows_each_persona_its_own_scope(world, client_for, year_plan, persona, count, completed):
    response = client_for(getattr(world, persona)).get(reverse("home"), {"period": "2026-06"})
    assert response.status_code == 200
    plan = response.context["data"]["plan"]
    assert plan["count"] == count
    assert f'data-testid="kpi-completed">{completed}<' in response.content.decode()


def test_charts_link_to_the_filtered_project_list(world, client_for, year_plan):
    response = client_for(world.coordinator).get(reverse("home"), {"period": "2026-06"})
    charts = response.context["charts"]
    link = charts["units"]["links"][0]
    assert (
        link.startswith(reverse("projects:list")) and "plan_year=2026" in link and "responsible_unit=" in link
    )
    listed = client_for(world.coordinator).get(link).content.decode()
    assert world.project_a.name in listed and world.project_b.name not in listed
    status_link = charts["status"]["links"][1]
    assert "status=construction" in status_link


def test_chart_data_downloads_match_the_figures(world, client_for, year_plan):
    client = client_for(world.coordinator)
    response = client.get(reverse("figures:chart_data", args=["monthly"]), {"period": "2026-06"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[2][0] == "3月" and rows[2][1] == 1500
    assert rows[5][1] == 1500
    assert client.get(reverse("figures:chart_data", args=["nothing"])).status_code == 404


def test_bad_period_falls_back_to_this_month(world, client_for):
    response = client_for(world.coordinator).get(reverse("home"), {"period": "20xx-99", "level": "bogus"})
    assert response.status_code == 200


def test_dashboard_queries_do_not_grow_with_projects(world, client_for, year_plan):
    client = client_for(world.coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"), {"period": "2026-06"})
    for i in range(25):
        project = Project.objects.create(
            name=f"加{i}",
            category=world.project_a.category,
            total_investment=1000 + i,
            responsible_unit=world.town,
            town=world.town,
            status="construction",
        )
        PlanEntry.objects.create(
            plan=year_plan, project=project, plan_type="continuing", annual_investment=100
        )
        accepted(project, 2026, 2, "10")
    refresh_projects(Project.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"), {"period": "2026-06"})
    assert len(many) == len(few)


def test_a_period_with_no_plan_says_so_plainly(world, client_for, year_plan):
    """January of a year without plans: the title names one month, the time progress has no
    'behind by … points' without a number, and the status chart is an empty state, not a pie of
    zeros."""
    response = client_for(world.coordinator).get(reverse("home"), {"period": "2027-01"})
    page = response.content.decode()
    assert "2027年1月重点项目推进情况" in page and "1–1月" not in page
    assert "时间进度 8.3%" in page and "个百分点" not in page
    assert response.context["charts"]["status"]["empty"] is True
    assert 'data-chart="status"' not in page
    on_time = client_for(world.coordinator).get(reverse("home"), {"period": "2026-06"}).content.decode()
    assert "时间进度 50.0%，慢 35.0 个百分点" in on_time
