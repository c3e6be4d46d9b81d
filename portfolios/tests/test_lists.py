"""Named project lists (清单): projects with the list's notes, 存量资产 values, and every figure
scoped to a list equal to the same projects' figures computed otherwise."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from catalog.models import Category
from figures.compute import compute
from figures.tests.test_figures import accepted
from org.choices import UnitKind
from org.models import Unit
from plans.models import Plan, PlanEntry
from plans.scope import Scope, scope_entries
from portfolios.models import ListItem, ProjectList
from progress.rollup import refresh_projects
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(world):
    """Ten projects on the 2026 local plan, by March: project k has 1000×k 万元 planned, completed
    300×k (even k) or 100×k (odd k), and starts in February when k ≤ 6. The 关键项目清单 holds the
    even ones, which are exactly those of 区交通运输局."""
    transport = Unit.objects.create(name="区交通运输局", kind=UnitKind.DEPARTMENT, parent=world.government)
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    category = Category.objects.get(code="infrastructure")
    key = ProjectList.objects.create(name="关键项目清单", kind="key")
    for k in range(1, 11):
        project = Project.objects.create(
            name=f"清单项目{k:02d}",
            category=category,
            total_investment=Decimal(20000 * k),
            responsible_unit=transport if k % 2 == 0 else world.housing,
            town=world.town,
            status="construction",
            actual_start_date=date(2026, 2, 10) if k <= 3 else None,
        )
        PlanEntry.objects.create(
            plan=plan,
            project=project,
            plan_type="new_start" if k <= 6 else "continuing",
            annual_investment=Decimal(1000 * k),
            planned_start_month=2 if k <= 6 else None,
        )
        accepted(project, 2026, 3, str((300 if k % 2 == 0 else 100) * k))
        if k % 2 == 0:
            ListItem.objects.create(project_list=key, project=project, note=f"市领导挂钩{k}")
    refresh_projects(Project.objects.values_list("pk", flat=True))
    return {"list": key, "unit": transport, "plan": plan}


def test_list_scope_equals_the_same_projects_scoped_by_their_unit(world, portfolio):
    listed = compute(2026, 3, Scope(project_list=portfolio["list"]), work=False)
    by_unit = compute(2026, 3, Scope(unit=portfolio["unit"]), work=False)
    for key in ("count", "total_investment", "annual_plan", "completed", "completion_rate", "ahead_points"):
        assert listed["plan"][key] == by_unit["plan"][key], key
    for key in ("to_start", "started", "start_rate", "finish_rate"):
        assert listed["starts"][key] == by_unit["starts"][key], key
    assert listed["by_status"] == by_unit["by_status"]


def test_list_scope_equals_the_figures_added_up_directly(world, portfolio):
    """Projects 2, 4, 6, 8, 10: planned 30000 万元, completed 9000, total 600000; of the three due
    to start by March (2, 4, 6) one has started (2)."""
    plan = compute(2026, 3, Scope(project_list=portfolio["list"]), work=False)
    assert plan["plan"]["count"] == 5
    assert plan["plan"]["total_investment"] == Decimal("600000.00")
    assert plan["plan"]["annual_plan"] == Decimal("30000.00")
    assert plan["plan"]["completed"] == Decimal("9000.00")
    assert plan["plan"]["completion_rate"] == Decimal("30.0")
    assert (plan["starts"]["to_start"], plan["starts"]["started"], plan["starts"]["start_rate"]) == (
        3,
        1,
        Decimal("33.3"),
    )
    assert scope_entries(2026, Scope(project_list=portfolio["list"])).count() == 5


def test_list_scope_combines_with_the_other_cuts(world, portfolio):
    scope = Scope(project_list=portfolio["list"], min_total=Decimal(80000))
    assert compute(2026, 3, scope, work=False)["plan"]["count"] == 4  # 清单项目04, 06, 08, 10
    assert (
        compute(2026, 3, Scope(project_list=portfolio["list"], unit=world.housing), work=False)["plan"][
            "count"
        ]
        == 0
    )


def test_figures_command_takes_a_list_by_name(world, portfolio):
    out = io.StringIO()
    call_command("figures", "--year", "2026", "--month", "3", "--list", "关键项目清单", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["plan"]["count"] == 5 and Decimal(data["plan"]["annual_plan"]) == Decimal("30000.00")
    out = io.StringIO()
    call_command("figures", "--year", "2026", "--month", "3", "--list", "关键项目清单", stdout=out)
    assert out.getvalue().startswith("2026年1–3月关键项目清单：项目5个，总投资60.00亿元")
    with pytest.raises(CommandError, match="项目清单“没有这个清单”不存在"):
        call_command("figures", "--year", "2026", "--month", "3", "--list", "没有这个清单")


def test_dashboard_rankings_and_project_list_scope_to_a_list(world, client_for, portfolio):
    client = client_for(world.coordinator)
    key = portfolio["list"].pk
    page = client.get("/", {"period": "2026-03", "list": key})
    assert page.context["data"]["plan"]["count"] == 5
    assert f'<option value="{key}" selected>关键项目清单</option>' in page.content.decode()
    ranking = client.get("/assessment/rankings/", {"period": "2026-03", "list": key}).context["rows"]
    assert [(r["name"], r["count"]) for r in ranking] == [("区交通运输局", 5)]
    listed = client.get("/projects/", {"project_list": key}).context["page"]
    assert sorted(p.name for p in listed) == [f"清单项目{k:02d}" for k in (2, 4, 6, 8, 10)]
    # The API's figures take the same scope.
    api = client.get("/api/figures/", {"year": 2026, "month": 3, "list": key})
    assert api.status_code == 200 and api.json()["plan"]["count"] == 5
    assert client.get("/api/figures/", {"year": 2026, "month": 3, "list": 999999}).status_code == 400
    # A list that does not exist narrows nothing and says so.
    assert client.get("/", {"period": "2026-03", "list": 999999}).context["data"]["plan"]["count"] == 10


def test_list_detail_shows_the_lists_figures_and_notes(world, client_for, portfolio):
    response = client_for(world.leader).get(f"/portfolios/{portfolio['list'].pk}/", {"period": "2026-03"})
    assert response.context["totals"]["count"] == 5
    assert response.context["plan"]["completion_rate"] == Decimal("30.0")
    assert "市领导挂钩10" in response.content.decode()
    export = client_for(world.leader).get(f"/portfolios/{portfolio['list'].pk}/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0][2] == "清单项目10" and rows[0][-1] == "市领导挂钩10" and len(rows) == 5


def test_coordinator_builds_a_stock_asset_list(world, client_for):
    """存量资产台账: each asset's value and disposal method; totals by method."""
    client = client_for(world.coordinator)
    response = client.post(
        "/portfolios/new/", {"name": "存量资产台账", "kind": "stock_assets", "sort_order": 0}
    )
    assets = ProjectList.objects.get(name="存量资产台账")
    assert response.status_code == 302 and response["Location"] == f"/portfolios/{assets.pk}/"
    client.post(
        f"/portfolios/{assets.pk}/add/",
        {
            "projects": [world.project_a.pk],
            "note": "铜山源水库整体资产",
            "asset_value": "9,500",
            "disposal_method": "reits",
        },
    )
    client.post(f"/portfolios/{assets.pk}/add/", {"projects": [world.project_b.pk], "disposal_method": "ppp"})
    item_b = ListItem.objects.get(project=world.project_b)
    client.post(
        f"/portfolios/{assets.pk}/items/{item_b.pk}/edit/",
        {"note": "园区厂房", "asset_value": "30000", "disposal_method": "transfer"},
    )
    page = client.get(f"/portfolios/{assets.pk}/")
    assert page.context["totals"]["count"] == 2
    assert page.context["totals"]["asset_value"] == Decimal("39500.00")
    assert page.context["totals"]["total_investment"] == Decimal("68000.00")
    assert [(r["label"], r["count"], r["asset_value"]) for r in page.context["disposal"]] == [
        ("基础设施公募REITs", 1, Decimal("9500.00")),
        ("产权转让", 1, Decimal("30000.00")),
    ]


def test_adding_projects_checks_what_it_is_given(world, client_for):
    client = client_for(world.coordinator)
    key = ProjectList.objects.create(name="关键项目清单", kind="key")
    assets = ProjectList.objects.create(name="存量资产台账", kind="stock_assets")
    both = [world.project_a.pk, world.project_b.pk]
    # One asset value for several projects is refused: it is each project's own.
    response = client.post(f"/portfolios/{assets.pk}/add/", {"projects": both, "asset_value": "100"})
    assert response.status_code == 200 and "资产价值须逐个项目填写" in response.content.decode()
    assert not assets.items.exists()
    # A key-project list has no asset fields: what is sent for them is ignored.
    client.post(
        f"/portfolios/{key.pk}/add/", {"projects": both, "note": "一个项目一名领导", "asset_value": "100"}
    )
    assert list(key.items.order_by().values_list("note", "asset_value").distinct()) == [
        ("一个项目一名领导", None)
    ]
    # A project already on the list is no choice any more; an unknown id is an error, not a 500.
    again = client.post(f"/portfolios/{key.pk}/add/", {"projects": [world.project_a.pk]})
    assert again.status_code == 200 and key.items.count() == 2
    assert client.post(f"/portfolios/{key.pk}/add/", {"projects": ["x"]}).status_code == 200
    # A duplicate name is refused with a message.
    duplicate = client.post("/portfolios/new/", {"name": " 关键项目清单 ", "kind": "key", "sort_order": 0})
    assert duplicate.status_code == 200 and ProjectList.objects.filter(name="关键项目清单").count() == 1
    # Removing a project or the list leaves the project itself alone.
    item = key.items.get(project=world.project_a)
    client.post(f"/portfolios/{key.pk}/items/{item.pk}/remove/")
    client.post(f"/portfolios/{key.pk}/delete/")
    assert not ProjectList.objects.filter(pk=key.pk).exists()
    assert Project.objects.filter(pk=world.project_a.pk).exists()
