"""Seed 002: "每月对投资完成率前五名项目单位“激励”，对后五名项目单位“鞭策”" — rankings by 项目单位."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from figures.compute import compute
from figures.tests.test_figures import accepted
from org.choices import UnitKind
from org.models import Unit
from plans.models import Plan, PlanEntry
from plans.scope import Scope
from progress.rollup import refresh_projects
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def owners(world):
    """Twelve owner units under 住建局, one project each: owner k completes k×8% of its plan by
    March; the even ones invest as government, the odd ones as enterprises."""
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    projects = []
    for k in range(1, 13):
        owner = Unit.objects.create(name=f"建设单位{k:02d}", kind=UnitKind.OWNER, parent=world.housing)
        project = Project.objects.create(
            name=f"单位项目{k}",
            category=world.project_a.category,
            total_investment=50000,
            investment_nature="government" if k % 2 == 0 else "enterprise",
            responsible_unit=world.housing,
            owner_unit=owner,
            status="construction",
        )
        PlanEntry.objects.create(plan=plan, project=project, plan_type="continuing", annual_investment=1000)
        accepted(project, 2026, 3, str(k * 80))
        projects.append(project)
    refresh_projects([p.pk for p in projects])
    return projects


def ranking_page(client, **params):
    response = client.get(reverse("assessment:rankings"), {"period": "2026-03", "by": "owner", **params})
    assert response.status_code == 200
    return response


def test_owner_units_ranked_first_five_praised_last_five_pressed(world, client_for, owners):
    rows = ranking_page(client_for(world.coordinator)).context["rows"]
    assert [r["name"] for r in rows] == [f"建设单位{k:02d}" for k in range(12, 0, -1)]
    assert rows[0]["completion_rate"] == Decimal("96.0")
    assert [r["mark"] for r in rows] == ["praise"] * 5 + [""] * 2 + ["pressure"] * 5


def test_owner_ranking_within_a_nature(world, client_for, owners):
    rows = ranking_page(client_for(world.coordinator), nature="government").context["rows"]
    assert [r["name"] for r in rows] == [f"建设单位{k:02d}" for k in (12, 10, 8, 6, 4, 2)]
    assert [r["mark"] for r in rows] == ["praise"] * 3 + ["pressure"] * 3


def test_a_department_ranks_the_owner_units_of_its_projects(world, client_for, owners):
    assert len(ranking_page(client_for(world.department)).context["rows"]) == 12
    # 城关街道's own project is on no plan of the year: nothing of 住建局's shows.
    assert ranking_page(client_for(world.town_user)).context["rows"] == []
    assert ranking_page(client_for(world.outsider)).context["rows"] == []


def test_owner_ranking_pages_keep_the_ranks_and_marks_of_all(world, client_for, owners):
    client = client_for(world.coordinator)
    first = ranking_page(client, per_page=5)
    assert [r["rank"] for r in first.context["rows"]] == [1, 2, 3, 4, 5]
    assert [r["mark"] for r in first.context["rows"]] == ["praise"] * 5
    assert "第 1–5 条，共 12 条" in first.content.decode()
    last = ranking_page(client, per_page=5, page=3).context["rows"]
    assert [(r["rank"], r["name"], r["mark"]) for r in last] == [
        (11, "建设单位02", "pressure"),
        (12, "建设单位01", "pressure"),
    ]
    # A page past the end is the last one, a page that is not a number the first.
    assert ranking_page(client, per_page=5, page=99).context["rows"] == last
    assert ranking_page(client, per_page=5, page="x").context["rows"][0]["rank"] == 1


def test_owner_ranking_export(world, client_for, owners):
    response = client_for(world.coordinator).get(
        reverse("assessment:rankings"), {"period": "2026-03", "by": "owner", "export": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert any("项目单位" in str(row[0]) for row in values[:2])
    assert ["激励" in row for row in values].count(True) == 5
    assert ["鞭策" in row for row in values].count(True) == 5


def test_figures_rank_owner_units(owners):
    rows = compute(2026, 3, Scope())["ranking_owners"]
    assert rows[0]["name"] == "建设单位12"
    assert len(rows) == 12
