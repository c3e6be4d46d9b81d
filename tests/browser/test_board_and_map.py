"""At province scale: the 报送看板 opens on its summary and a unit's periods open below it a page at a
time; 一张图 asks again for what it shows whenever the view moves or zooms."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from figures import views_screen
from plans.models import Plan, PlanEntry
from progress.models import Report
from progress.periods import Period
from projects.models import Project
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def last_month(world):
    """Last month's plan with five projects of 住建局 and one of 城关街道, two of them reported."""
    today = timezone.localdate()
    period = Period(*((today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)))
    plan = Plan.objects.create(year=period.year, level="local", title=f"{period.year}年区重点")
    projects = [world.project_a, world.project_b]
    for i in range(4):
        projects.append(
            Project.objects.create(
                name=f"住建局项目{i}", category=world.project_a.category, total_investment=Decimal("100"),
                responsible_unit=world.housing, owner_unit=world.owner_a_unit, status="construction",
            )
        )  # fmt: skip
    for project in projects:
        project.status, project.actual_start_date = "construction", period.start - timedelta(days=200)
        project.save()
        PlanEntry.objects.create(plan=plan, project=project, plan_type="continuing", annual_investment=10)
    for project, day in ((world.project_a, 3), (projects[2], 28)):
        Report.objects.create(
            project=project, year=period.year, month=period.month, amount=Decimal("5"), deadline=period.deadline,
            state="accepted", first_submitted_at=timezone.make_aware(datetime(period.year, period.month, day, 9)),
        )  # fmt: skip
    world.period = period
    return world


def test_the_board_opens_a_units_periods_a_page_at_a_time(
    last_month, live_server, page, screenshots, persona_password
):
    world = last_month
    log_in(page, live_server, world.coordinator, persona_password)
    key = f"{world.period.year:04d}-{world.period.month:02d}"
    page.goto(f"{live_server.url}/reports/board/?period={key}&per_page=2")
    summary = page.locator("[data-testid=board-summary]")
    assert summary.locator("tbody tr[data-unit]").count() == 2
    assert page.locator("[data-testid=due-count]").inner_text() == "6"
    housing = str(world.housing.pk)
    assert page.locator(f"#details-{housing}").is_hidden()
    page.click(f"[data-testid=open-details-{housing}]")
    details = page.locator(f"[data-testid=details-{housing}]")
    details.wait_for()
    assert details.locator("tbody tr").count() == 2
    assert f"details={housing}" in page.url
    page.screenshot(path=screenshots / "board-01-details.png", full_page=True)
    first = details.locator("tbody tr").first.inner_text()
    details.get_by_text("下一页").click()
    details = page.locator(f"[data-testid=details-{housing}]")
    details.get_by_text("第 3–4 条，共 5 条").wait_for()
    assert "&page=2" in page.url
    assert details.locator("tbody tr").first.inner_text() != first
    assert "第 3–4 条，共 5 条" in details.inner_text()
    # The address opens the board with the unit's page, as a reload or a shared link would.
    page.reload()
    assert "第 3–4 条，共 5 条" in page.locator(f"[data-testid=details-{housing}]").inner_text()
    page.click("[data-testid=close-details]")
    assert page.locator(f"#details-{housing}").is_hidden()
    assert "details=" not in page.url
    # A state filter keeps to the unit's periods in that state.
    page.click("[data-testid=filter-missing]")
    page.click(f"[data-testid=open-details-{housing}]")
    page.locator(f"[data-testid=details-{housing}]").wait_for()
    states = page.locator(f"[data-testid=details-{housing}] [data-testid=row-state]").all_inner_texts()
    assert states and set(states) == {"漏报"}
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshots / "board-02-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.console_errors == []


def test_the_map_asks_again_when_it_zooms(
    world, live_server, page, screenshots, persona_password, monkeypatch
):
    # Two placed projects, and a cap of one point: a view of both gets clusters counted by the server.
    monkeypatch.setattr(views_screen, "MAP_POINTS", 1)
    world.project_a.latitude, world.project_a.longitude = Decimal("35.761234"), Decimal("115.031234")
    world.project_a.save()
    world.project_b.latitude, world.project_b.longitude = Decimal("35.742000"), Decimal("114.902000")
    world.project_b.save()
    log_in(page, live_server, world.coordinator, persona_password)
    asked: list[str] = []
    page.on(
        "request", lambda request: asked.append(request.url) if "projects.geojson" in request.url else None
    )
    page.goto(f"{live_server.url}/dashboard/map/")
    page.wait_for_selector("#project-map[data-loaded=true]")
    assert page.locator("[data-testid=map-count]").inner_text() == "2"
    assert page.locator("#project-map").get_attribute("data-clustered") == "true"
    cells = page.locator("#project-map .map-cell")
    assert sum(int(text.replace(",", "")) for text in cells.all_inner_texts()) == 2
    page.screenshot(path=screenshots / "map-01-clusters.png", full_page=True)
    views = len([url for url in asked if "bbox=" in url])
    # A click on a cell zooms to its projects; the map asks for the new view.
    with page.expect_response(lambda response: "bbox=" in response.url):
        cells.first.click()
    page.wait_for_selector("#project-map[data-clustered=false]")
    assert len([url for url in asked if "bbox=" in url]) > views
    assert page.locator("#project-map path.leaflet-interactive").count() >= 1
    assert "当前视野内" in page.locator("[data-testid=map-in-view]").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(500)
    page.screenshot(path=screenshots / "map-02-phone.png", full_page=True)
    assert page.console_errors == []
