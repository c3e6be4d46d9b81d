"""The dashboard opens on the latest month with accepted reports, says which month it shows, and
counts the time progress of the month under way by days; a past month keeps its month-end figure."""

from decimal import Decimal

import pytest
from django.utils import timezone

from figures.tests.test_figures import accepted
from lib.numbers import elapsed_of_year, time_progress, time_progress_by_day
from plans.models import Plan, PlanEntry
from progress.rollup import refresh_projects
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def this_month(world):
    """This year's plan, last month's progress of both projects and this month's report of 滨河路,
    accepted as soon as it came in (before this month's deadline)."""
    today = timezone.localdate()
    plan = Plan.objects.create(year=today.year, level="local", title=f"{today.year}年区重点")
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
    if today.month > 1:
        accepted(world.project_a, today.year, today.month - 1, "3000")
        accepted(world.project_b, today.year, today.month - 1, "1000")
    accepted(world.project_a, today.year, today.month, "600")
    refresh_projects([world.project_a.pk, world.project_b.pk])
    return today


def test_the_dashboard_shows_this_months_accepted_reports_with_time_progress_by_days(
    this_month, world, live_server, page, persona_password, screenshots
):
    today = this_month
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, world.coordinator, persona_password)
    page.wait_for_selector(".chart canvas")

    note = page.locator("[data-testid=period-note]")
    assert f"数据截至{today.year}年{today.month}月（已审核月报）" in note.inner_text()
    assert page.locator("input[name=period]").input_value() == f"{today.year:04d}-{today.month:02d}"
    completed = Decimal("4600") if today.month > 1 else Decimal("600")
    assert page.locator("[data-testid=kpi-completed]").inner_text() == f"{completed / 10000:.2f}"
    progress = time_progress_by_day(today)
    elapsed, whole = elapsed_of_year(today.year, today.month, today)
    assert page.locator("[data-testid=time-progress-note]").inner_text() == (
        f"时间进度按日计算（{today.month}月{today.day}日，已过{elapsed}/{whole}天）"
    )
    kpi = page.locator("[data-testid=kpi-time-progress]").inner_text()
    assert kpi.startswith(f"时间进度 {progress}%") and kpi.endswith("（按日）")
    page.wait_for_timeout(1200)  # the charts' entry animation
    page.screenshot(path=screenshots / "dashboard-period-1440.png")

    page.set_viewport_size(PHONE)
    page.wait_for_timeout(1200)
    assert note.is_visible() and page.locator("[data-testid=kpi-time-progress]").is_visible()
    overflow = page.evaluate(
        "() => document.querySelector('[data-testid=period-note]').scrollWidth"
        " - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.screenshot(path=screenshots / "dashboard-period-390.png", full_page=True)
    assert page.console_errors == []

    if today.month == 1:
        return
    # Last month, picked: its month-end time progress, nothing said of days.
    page.set_viewport_size(DESKTOP)
    page.fill("input[name=period]", f"{today.year:04d}-{today.month - 1:02d}")
    page.locator("[data-testid=period-picker] button").click()
    page.wait_for_url(f"{live_server.url}/?period=*")
    assert f"数据截至{today.year}年{today.month - 1}月（已审核月报）" in note.inner_text()
    assert page.locator("[data-testid=time-progress-note]").count() == 0
    kpi = page.locator("[data-testid=kpi-time-progress]").inner_text()
    assert kpi.startswith(f"时间进度 {time_progress(today.month - 1)}%") and "按日" not in kpi
    assert page.locator("[data-testid=kpi-completed]").inner_text() == "0.40"
    page.wait_for_selector(".chart canvas")
    page.wait_for_timeout(1200)
    page.screenshot(path=screenshots / "dashboard-period-past-1440.png")
