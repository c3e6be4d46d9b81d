"""A coordinator looks at the dashboard, the big screen, the project map and picks a project's location."""

from decimal import Decimal

import pytest
from django.utils import timezone

from figures.tests.test_figures import accepted
from figures.views import latest_reported_month
from plans.models import Plan, PlanEntry
from progress.rollup import refresh_projects
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district(world):
    """The plan of the year the pages open on, both projects placed on the map, the progress of the
    month they open on (the latest with an accepted report)."""
    year, month = latest_reported_month(timezone.localdate())
    world.project_a.latitude, world.project_a.longitude = Decimal("35.761234"), Decimal("115.031234")
    world.project_a.save()
    world.project_b.latitude, world.project_b.longitude = Decimal("35.742000"), Decimal("115.002000")
    world.project_b.save()
    plan = Plan.objects.create(year=year, level="local", title=f"{year}年区重点")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("6000")
    )
    PlanEntry.objects.create(
        plan=plan,
        project=world.project_b,
        plan_type="new_start",
        annual_investment=Decimal("4000"),
        planned_start_month=1,
    )
    accepted(world.project_a, year, month, "1500")
    refresh_projects([world.project_a.pk])
    return world


@pytest.fixture
def coordinator_page(district, live_server, page, persona_password):
    log_in(page, live_server, district.coordinator, persona_password)
    return page


def test_dashboard_draws_every_chart(coordinator_page, live_server, screenshots):
    page = coordinator_page
    page.wait_for_selector(".chart canvas")
    charts = page.locator(".chart")
    assert charts.count() >= 4
    for i in range(charts.count()):
        assert charts.nth(i).locator("canvas").count() == 1
    assert page.locator("[data-testid=kpi-count]").inner_text() == "2"
    page.screenshot(path=screenshots / "10-dashboard.png", full_page=True)
    assert page.console_errors == []


def test_big_screen_rotates_its_panels(coordinator_page, live_server, screenshots):
    page = coordinator_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/dashboard/screen/?rotate=2")
    page.wait_for_selector("#stage[data-loaded=true]")
    assert page.locator("[data-testid=screen-rate]").inner_text() == "15.0"
    assert page.locator("#chart-monthly canvas").count() == 1
    page.screenshot(path=screenshots / "11-screen-overview.png")
    for panel in ("map", "ranking", "behind"):
        page.wait_for_selector(f"#stage[data-panel={panel}]", timeout=10_000)
        page.wait_for_timeout(700)
        page.screenshot(path=screenshots / f"12-screen-{panel}.png")
        if panel == "map":
            assert (
                page.locator("#screen-map path.leaflet-interactive, #screen-map .marker-cluster").count() >= 1
            )
        if panel == "ranking":
            assert "区住房和城乡建设局" in page.locator("#rank-praise").inner_text()
        if panel == "behind":
            assert page.locator("#behind-rows tr").count() == 2
    page.wait_for_selector("#stage[data-panel=overview]", timeout=10_000)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.wait_for_timeout(300)
    box = page.locator("#stage").bounding_box()
    assert box is not None and abs(box["width"] - 1280) < 2 and abs(box["height"] - 720) < 2
    page.screenshot(path=screenshots / "13-screen-scaled.png")
    assert page.console_errors == []


def test_map_shows_the_projects_without_tiles(coordinator_page, live_server, screenshots):
    page = coordinator_page
    page.goto(f"{live_server.url}/dashboard/map/")
    page.wait_for_selector("#project-map[data-loaded=true]")
    markers = page.locator("#project-map path.leaflet-interactive, #project-map .marker-cluster")
    assert markers.count() >= 1
    assert page.locator("#project-map .leaflet-tile").count() == 0
    assert page.locator("[data-testid=map-count]").inner_text() == "2"
    assert page.locator("[data-testid=map-located]").inner_text() == "2"
    assert "在建" in page.locator("[data-testid=map-legend]").inner_text()
    page.screenshot(path=screenshots / "14-map.png", full_page=True)

    page.select_option("#id_status", "preliminary")
    page.click("[data-testid=apply-map-filters]")
    page.wait_for_selector("#project-map[data-loaded=true]")
    assert page.locator("[data-testid=map-count]").inner_text() == "1"
    assert page.locator("[data-testid=map-located]").inner_text() == "1"
    page.locator("#project-map path.leaflet-interactive").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "城关智能制造产业园" in popup.inner_text() and "56,000.00" in popup.inner_text()
    page.wait_for_timeout(400)
    page.screenshot(path=screenshots / "15-map-popup.png", full_page=True)
    assert page.console_errors == []


def test_clicking_the_form_map_sets_the_coordinates(coordinator_page, live_server, screenshots, district):
    page = coordinator_page
    page.goto(f"{live_server.url}/projects/{district.project_a.pk}/edit/")
    picker = page.locator("[data-testid=coordinate-picker]")
    picker.scroll_into_view_if_needed()
    assert picker.locator("path.leaflet-interactive").count() >= 1
    picker.click(position={"x": 60, "y": 250})
    latitude = page.input_value("#id_latitude")
    longitude = page.input_value("#id_longitude")
    assert latitude != "35.761234" and longitude != "115.031234"
    assert len(latitude.split(".")[1]) == 6 and len(longitude.split(".")[1]) == 6
    assert abs(float(latitude) - 35.76) < 0.1 and abs(float(longitude) - 115.03) < 0.1
    picker.screenshot(path=screenshots / "16-coordinate-picker.png")
    page.click("[data-testid=save-project]")
    page.wait_for_selector("[data-testid=project-tabs]")
    district.project_a.refresh_from_db()
    assert str(district.project_a.latitude) == latitude and str(district.project_a.longitude) == longitude
    assert page.console_errors == []
