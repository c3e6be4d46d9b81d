"""On a phone (390×844) the lists show each row as a card, every cell a full-width line headed by its
column's name, instead of a table squeezed to a character per line; on a desktop (1440×900) the
tables are laid out exactly as without the phone rules. The big screen on an upright phone shows a
notice pointing to the dashboard."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from plans.models import Plan, PlanEntry
from supervision.models import Notice
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
LISTS = [
    pytest.param("/projects/", "滨河路改造工程", id="项目库"),
    pytest.param("/plans/", "年示范区重点建设项目计划", id="年度计划"),
    pytest.param("/supervision/notices/", "关于加快滨河路改造工程管线迁改的督办通知", id="督办通知"),
]

# Every visible body cell of the page's stacked tables: its box, its row's and its label as drawn.
CELLS = """() => Array.from(document.querySelectorAll('table.table-stack > tbody > tr > td'))
  .filter((td) => td.getClientRects().length && td.textContent.trim())
  .map((td) => ({
    text: td.textContent.trim().slice(0, 20),
    width: td.getBoundingClientRect().width,
    rowWidth: td.parentElement.getBoundingClientRect().width,
    rowDisplay: getComputedStyle(td.parentElement).display,
    label: td.dataset.label || null,
    drawnLabel: getComputedStyle(td, '::before').content,
  }))"""
# Where each table, header and cell sits: the same with and without the phone stylesheet on a desktop.
LAYOUT = """() => Array.from(document.querySelectorAll('table, table th, table td')).map((e) => {
  const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].map(Math.round).join(','); })"""
WITHOUT_PHONE_RULES = """() => { for (const sheet of document.styleSheets) {
  if (sheet.href && sheet.href.includes('table-stack')) sheet.disabled = true; } }"""


@pytest.fixture
def listed(world):
    """A plan of this year with both projects, and two notices (one past its deadline)."""
    today = timezone.localdate()
    plan = Plan.objects.create(year=today.year, level="local", title=f"{today.year}年示范区重点建设项目计划")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("6000")
    )
    PlanEntry.objects.create(
        plan=plan,
        project=world.project_b,
        plan_type="new_start",
        annual_investment=Decimal("4000"),
        planned_start_month=6,
    )
    for title, unit, deadline in (
        ("关于加快滨河路改造工程管线迁改的督办通知", world.housing, today + timedelta(days=10)),
        ("关于督促城关智能制造产业园加快办理用地手续的通知", world.town, today - timedelta(days=3)),
    ):
        Notice.objects.create(
            title=title,
            target_unit=unit,
            content="请于办理时限内反馈办理情况。",
            deadline=deadline,
            issuing_office="示范区人民政府督查局",
            issued_on=today - timedelta(days=20),
            issued_by=world.inspector,
        )
    return world


@pytest.fixture
def coordinator_page(listed, live_server, page, persona_password):
    log_in(page, live_server, listed.coordinator, persona_password)
    return page


def shot_name(path: str) -> str:
    return path.strip("/").replace("/", "-")


@pytest.mark.parametrize(("path", "expected"), LISTS)
def test_a_list_shows_its_rows_as_cards_on_a_phone(
    coordinator_page, live_server, screenshots, path, expected
):
    page = coordinator_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{path}")
    assert expected in page.locator("table.table-stack").first.inner_text()

    cells = page.evaluate(CELLS)
    assert len(cells) >= 8
    for cell in cells:
        assert cell["rowDisplay"] == "flex", cell
        # A card's lines span the card: no cell is a sliver a character or two wide.
        assert cell["width"] >= 60, cell
        assert cell["width"] >= cell["rowWidth"] - 1, cell
        if cell["label"]:
            assert cell["drawnLabel"] == f'"{cell["label"]}"', cell
    # The page does not run past the screen's edge, and no table needs scrolling sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(
        "Array.from(document.querySelectorAll('.table-responsive')).every((e) => e.scrollWidth <= e.clientWidth)"
    )
    # The headers that sort stay usable, as a row of links above the cards.
    sort_links = page.locator("table.table-stack thead .table-sort-link")
    assert sort_links.count() >= 2 and sort_links.first.is_visible()
    page.screenshot(path=screenshots / f"phone-{shot_name(path)}-390.png", full_page=True)
    assert page.console_errors == []


@pytest.mark.parametrize(("path", "expected"), LISTS)
def test_a_list_on_a_desktop_is_the_table_it_was(coordinator_page, live_server, screenshots, path, expected):
    page = coordinator_page
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}{path}")
    assert expected in page.locator("table.table-stack").first.inner_text()
    row_display = "getComputedStyle(document.querySelector('table.table-stack tbody tr')).display"
    assert page.evaluate(row_display) == "table-row"
    assert page.locator("table.table-stack thead").first.is_visible()
    page.screenshot(path=screenshots / f"phone-{shot_name(path)}-1440.png", full_page=True)
    with_rules = page.evaluate(LAYOUT)
    page.evaluate(WITHOUT_PHONE_RULES)
    assert page.evaluate(LAYOUT) == with_rules


def test_the_big_screen_on_a_phone_points_to_the_dashboard(coordinator_page, live_server, screenshots):
    page = coordinator_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dashboard/screen/")
    page.wait_for_selector("#stage[data-loaded=true]")
    notice = page.locator("[data-testid=screen-narrow-notice]")
    assert notice.is_visible()
    box = notice.bounding_box()
    assert box["width"] == PHONE["width"] and box["height"] == PHONE["height"]
    assert "横屏" in notice.inner_text()
    page.screenshot(path=screenshots / "phone-bigscreen-390.png")

    # Whoever wants the strip anyway closes the notice; the dashboard link leads home.
    page.click("#narrow-dismiss")
    assert not notice.is_visible()
    page.goto(f"{live_server.url}/dashboard/screen/")
    page.wait_for_selector("#stage[data-loaded=true]")
    page.wait_for_load_state("networkidle")
    page.click("[data-testid=screen-narrow-notice] a")
    page.wait_for_url(f"{live_server.url}/")

    # On its own screen, and on a phone turned sideways, there is no notice.
    for viewport in ({"width": 1920, "height": 1080}, {"width": 844, "height": 390}):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/dashboard/screen/")
        page.wait_for_selector("#stage[data-loaded=true]")
        assert not page.locator("[data-testid=screen-narrow-notice]").is_visible()
        page.screenshot(path=screenshots / f"phone-bigscreen-{viewport['width']}.png")
    assert page.console_errors == []
