"""大屏 and 一张图: who sees what, the list page's filters on the map, laggards, constant query counts."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Category
from figures.compute import Scope, behind_time_progress
from figures.tests.test_figures import accepted
from figures.views_screen import map_settings
from plans.models import Plan, PlanEntry
from progress.rollup import refresh_projects
from projects.models import Project

pytestmark = pytest.mark.django_db

ENDPOINTS = ["figures:bigscreen", "figures:bigscreen_data", "figures:map", "figures:map_data"]


@pytest.fixture
def placed(world):
    """Both projects on the 2026 local plan, with coordinates and some accepted progress."""
    world.project_a.latitude, world.project_a.longitude = Decimal("35.761234"), Decimal("115.031234")
    world.project_a.save()
    world.project_b.latitude, world.project_b.longitude = Decimal("35.772000"), Decimal("115.012000")
    world.project_b.save()
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


def screen_data(client, **params):
    response = client.get(reverse("figures:bigscreen_data"), {"period": "2026-06", **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def geojson(client, **params):
    response = client.get(reverse("figures:map_data"), params)
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_coordinator_sees_the_whole_district_on_the_screen(world, client_for, placed):
    data = screen_data(client_for(world.coordinator))
    assert data["plan"]["count"] == 2
    assert data["plan"]["annual_plan"] == "10000.00"
    assert data["plan"]["completed"] == "1500.00"
    assert data["plan"]["completion_rate"] == "15.0"
    assert data["plan"]["time_progress"] == "50.0"
    assert data["region"] and data["period"] == {"year": 2026, "month": 6}
    assert [m["completed"] for m in data["monthly"]] == [
        "0.00",
        "0.00",
        "1500.00",
        "1500.00",
        "1500.00",
        "1500.00",
    ]
    assert [row["name"] for row in data["ranking"]["praise"]] == ["区住房和城乡建设局", "城关街道办事处"]
    assert data["ranking"]["pressure"] == [] and data["ranking"]["units"] == 2


def test_outsider_gets_an_empty_screen_and_an_empty_map(world, client_for, placed):
    client = client_for(world.outsider)
    data = screen_data(client)
    assert data["plan"]["count"] == 0
    assert data["plan"]["completed"] == "0.00"
    assert data["ranking"] == {"units": 0, "praise": [], "pressure": []}
    assert data["behind"] == []
    assert geojson(client)["features"] == []


def test_owner_sees_only_its_own_project(world, client_for, placed):
    client = client_for(world.owner_a)
    data = screen_data(client)
    assert data["plan"]["count"] == 1
    assert data["plan"]["annual_plan"] == "6000.00"
    assert [row["name"] for row in data["behind"]] == [world.project_a.name]
    features = geojson(client)["features"]
    assert [f["id"] for f in features] == [world.project_a.pk]


def test_geojson_carries_only_what_the_popup_needs(world, client_for, placed):
    data = geojson(client_for(world.coordinator))
    assert data["type"] == "FeatureCollection"
    feature = next(f for f in data["features"] if f["id"] == world.project_a.pk)
    assert feature["geometry"] == {"type": "Point", "coordinates": [115.031234, 35.761234]}
    assert feature["properties"] == {
        "name": "滨河路改造工程",
        "status": "construction",
        "status_label": "在建",
        "total_investment": "12000.00",
        "unit": "区住房和城乡建设局",
        "url": reverse("projects:detail", args=[world.project_a.pk]),
        "alert": None,
    }


def test_projects_without_coordinates_are_left_off_the_map(world, client_for, placed):
    Project.objects.filter(pk=world.project_b.pk).update(latitude=None, longitude=None)
    features = geojson(client_for(world.coordinator))["features"]
    assert [f["id"] for f in features] == [world.project_a.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "construction"},
        {"status": "preliminary"},
        {"category": "infrastructure"},
        {"category": "industry"},
        {"plan_year": "2026", "status": "construction"},
        {"plan_year": "2025"},
        {"q": "滨河"},
    ],
)
def test_map_filters_match_the_project_list(world, client_for, placed, params):
    if "category" in params:
        params = {**params, "category": str(Category.objects.get(code=params["category"]).pk)}
    client = client_for(world.coordinator)
    listed = client.get(reverse("projects:list"), params).context["page"]
    on_map = geojson(client, **params)["features"]
    assert sorted(f["id"] for f in on_map) == sorted(p.pk for p in listed)


def test_map_page_keeps_the_filters_and_links_to_the_same_list(world, client_for, placed):
    response = client_for(world.coordinator).get(reverse("figures:map"), {"status": "construction"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="construction" selected>' in page
    assert f'href="{reverse("projects:list")}?status=construction"' in page
    config = response.context["config"]
    assert config["data_url"] == f"{reverse('figures:map_data')}?status=construction"


def test_map_settings_reach_the_page(world, client_for, settings):
    settings.MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    settings.MAP_CENTER = [30.5, 114.3]
    response = client_for(world.coordinator).get(reverse("figures:map"))
    page = response.content.decode()
    assert "https://tiles.example.gov.cn/{z}/{x}/{y}.png" in page
    assert "[30.5, 114.3]" in page


def test_big_screen_page_rotates_at_the_configured_pace(world, client_for, settings):
    settings.BIGSCREEN_ROTATE_SECONDS = 15
    settings.BIGSCREEN_REFRESH_SECONDS = 120
    client = client_for(world.coordinator)
    response = client.get(reverse("figures:bigscreen"), {"period": "2026-06"})
    assert response.status_code == 200
    config = response.context["config"]
    assert (config["rotate_seconds"], config["refresh_seconds"]) == (15, 120)
    assert config["data_url"] == f"{reverse('figures:bigscreen_data')}?period=2026-06"
    assert "base.html" not in [t.name for t in response.templates]
    page = response.content.decode()
    assert "2026年1–6月" in page and "vendor/echarts.min.js" in page
    assert client.get(reverse("figures:bigscreen"), {"rotate": "1"}).context["config"]["rotate_seconds"] == 2
    assert client.get(reverse("figures:bigscreen"), {"rotate": "x"}).context["config"]["rotate_seconds"] == 15


def test_menu_links_to_the_map_and_the_big_screen(world, client_for):
    page = client_for(world.owner_a).get(reverse("projects:list")).content.decode()
    assert f'href="{reverse("figures:map")}"' in page
    assert f'href="{reverse("figures:bigscreen")}"' in page


def test_project_form_has_the_coordinate_picker(world, client_for):
    page = (
        client_for(world.coordinator)
        .get(reverse("projects:edit", args=[world.project_a.pk]))
        .content.decode()
    )
    assert 'id="coordinate-picker"' in page and "js/coordinate_picker.js" in page
    assert 'id="map-config"' in page


def test_behind_time_progress_lists_the_furthest_behind_first(world, placed):
    # June: time progress 50%. project_a did 1500 of 6000 (25%), project_b nothing of 4000 (0%).
    rows = behind_time_progress(2026, 6, Scope())
    assert [r["name"] for r in rows] == [world.project_b.name, world.project_a.name]
    assert rows[0]["completion_rate"] == Decimal("0.0") and rows[0]["ahead_points"] == Decimal("-50.0")
    assert rows[1]["completed"] == Decimal("1500.00") and rows[1]["ahead_points"] == Decimal("-25.0")
    assert rows[1]["unit"] == "区住房和城乡建设局"
    assert behind_time_progress(2026, 6, Scope(), limit=1) == rows[:1]
    # March: time progress 25%, project_a is exactly on it and so not behind.
    assert [r["name"] for r in behind_time_progress(2026, 3, Scope())] == [world.project_b.name]


def test_behind_time_progress_ranks_by_gap_then_by_plan(world, placed):
    project_c = Project.objects.create(
        name="城关小学扩建",
        category=Category.objects.get(code="infrastructure"),
        total_investment=Decimal("9000"),
        responsible_unit=world.town,
        status="construction",
    )
    PlanEntry.objects.create(
        plan=placed, project=project_c, plan_type="continuing", annual_investment=Decimal("9000")
    )
    accepted(project_c, 2026, 6, "6000")
    refresh_projects([project_c.pk])
    rows = behind_time_progress(2026, 6, Scope())
    # project_c is ahead (66.7% at 50%); the two at 0% … project_b (0%) then project_a (25%).
    assert [r["name"] for r in rows] == [world.project_b.name, world.project_a.name]
    Project.objects.filter(pk=project_c.pk).update(name="城关小学扩建（二期）")
    PlanEntry.objects.filter(project=project_c).update(annual_investment=Decimal("90000"))
    rows = behind_time_progress(2026, 6, Scope())
    # Now 6000 of 90000 (6.7%) sits between them.
    assert [r["name"] for r in rows] == [world.project_b.name, "城关小学扩建（二期）", world.project_a.name]


def test_ranking_names_nobody_both_for_praise_and_for_pressure(world, client_for, placed):
    data = screen_data(client_for(world.coordinator))
    praised = {row["unit_id"] for row in data["ranking"]["praise"]}
    pressed = {row["unit_id"] for row in data["ranking"]["pressure"]}
    assert not praised & pressed


def make_projects(world, plan, count):
    category = Category.objects.get(code="infrastructure")
    for i in range(count):
        project = Project.objects.create(
            name=f"压测项目{i:03d}",
            category=category,
            total_investment=Decimal(10000 + i),
            responsible_unit=world.housing if i % 2 else world.town,
            owner_unit=world.owner_a_unit if i % 3 else world.owner_b_unit,
            town=world.town,
            status="construction",
            latitude=Decimal("35.7") + Decimal(i) / 1000,
            longitude=Decimal("115.0") + Decimal(i) / 1000,
        )
        PlanEntry.objects.create(
            plan=plan, project=project, plan_type="continuing", annual_investment=Decimal(1000 + i)
        )
        accepted(project, 2026, 2, "100")
        refresh_projects([project.pk])


def queries_of(client, name, params):
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse(name), params).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("figures:map_data", {}),
        ("figures:map_data", {"plan_year": "2026", "status": "construction"}),
        ("figures:bigscreen_data", {"period": "2026-06"}),
        ("figures:map", {"status": "construction"}),
    ],
)
def test_query_count_does_not_grow_with_the_projects(world, client_for, placed, name, params):
    client = client_for(world.coordinator)
    make_projects(world, placed, 1)
    queries_of(client, name, params)
    few = queries_of(client, name, params)
    make_projects(world, placed, 27)
    assert Project.objects.count() == 30
    # The first request after the writes brings the figures' summary up to date (a fixed number of
    # statements, tested in test_cells.py); the next one reads it as the first did.
    queries_of(client, name, params)
    many = queries_of(client, name, params)
    assert many == few


def test_the_map_page_says_what_it_counts_and_how_many_it_places(world, client_for, placed):
    world.project_b.latitude = world.project_b.longitude = None
    world.project_b.save()
    client = client_for(world.coordinator)
    html = client.get(reverse("figures:map")).content.decode()
    scope = html.split('data-testid="map-scope">')[1].split("</div>")[0]
    assert "符合条件的项目共 2 个，其中" in scope and 'data-testid="map-located"' in scope
    # The number located is the map's data's, which the page's script writes into the line.
    data = client.get(reverse("figures:map_data")).json()
    assert data["total"] == 1 and data["extent"] is not None
    assert "不限年度计划" in scope and "首页看板和大屏只统计当年年度计划内的项目" in scope
    on_plan = client.get(reverse("figures:map"), {"plan_year": 2026}).content.decode()
    assert "统计范围：列入2026年计划、符合筛选条件的项目。" in on_plan
    # A year out of range is no filter: the notice says so, and the scope is the whole registry.
    assert "不限年度计划" in client.get(reverse("figures:map"), {"plan_year": 99999}).content.decode()


def test_the_big_screen_says_it_counts_the_years_plans(world, client_for, placed):
    client = client_for(world.coordinator)
    html = client.get(reverse("figures:bigscreen"), {"period": "2026-06"}).content.decode()
    assert 'data-testid="screen-scope">统计范围：2026年各级计划内的项目<' in html
    assert "个计划内项目已标注位置" in html
    local = client.get(reverse("figures:bigscreen"), {"period": "2026-06", "level": "local"}).content.decode()
    assert "统计范围：2026年区重点计划内的项目" in local


def test_status_groups_are_named_with_the_words_of_the_maps_statuses(world, client_for, placed):
    data = screen_data(client_for(world.coordinator))
    groups = {group["key"]: group["label"] for group in data["by_status"]}
    assert groups["completed"] == "竣工/投产" and groups["preliminary"] == "前期/储备"
    legend = {status["key"]: status["label"] for status in map_settings()["statuses"]}
    assert (legend["completed"], legend["operating"]) == ("竣工", "投产/运营")
    assert (legend["preliminary"], legend["reserve"]) == ("前期", "谋划/储备")
