"""A leader opens 我分包的项目; the big screen's cards panel goes through every project, signed in
and through a screen link on a browser that never signed in."""

import pytest
from django.urls import reverse

from kiosk.models import ScreenLink
from service.tests.conftest import MONTH, YEAR, led  # noqa: F401
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PERIOD = f"period={YEAR}-{MONTH:02d}"


def test_a_leader_sees_the_projects_they_lead(led, live_server, page, persona_password, screenshots):  # noqa: F811
    log_in(page, live_server, led.leader, persona_password)
    page.click("text=我分包的项目")
    page.wait_for_selector("[data-testid=leader-projects]")
    rows = page.locator("[data-testid=leader-projects] tbody tr")
    assert rows.count() == 1
    assert "滨河路改造工程" in rows.first.inner_text()
    page.goto(f"{live_server.url}{reverse('service:mine')}?{PERIOD}")
    assert page.locator("[data-testid=leader-rate]").inner_text() == "50.0%"
    assert "主体结构施工" in page.locator("[data-testid=leader-projects]").inner_text()
    page.screenshot(path=screenshots / "60-leader-projects.png", full_page=True)
    assert page.console_errors == []


def screen_goes_round(page, screenshots, name):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_selector("#stage[data-loaded=true]")
    page.wait_for_selector("#stage[data-panel=projects]", timeout=20_000)
    page.wait_for_selector("#project-cards .project-card")
    names = page.locator("#project-cards .card-name").all_inner_texts()
    assert sorted(names) == ["城关智能制造产业园", "滨河路改造工程"]
    assert page.locator("#cards-position").inner_text() == "第1—2个，共2个项目"
    page.wait_for_timeout(700)
    page.screenshot(path=screenshots / name)


def test_the_big_screen_shows_each_projects_card(led, live_server, page, persona_password, screenshots):  # noqa: F811
    log_in(page, live_server, led.coordinator, persona_password)
    page.goto(f"{live_server.url}{reverse('figures:bigscreen')}?rotate=2&{PERIOD}")
    screen_goes_round(page, screenshots, "61-screen-projects.png")
    assert page.console_errors == []


def test_a_screen_link_shows_the_screen_without_signing_in(led, live_server, page, screenshots):  # noqa: F811
    link = ScreenLink(name="大厅LED屏", created_by=led.coordinator)
    token = link.new_token()
    link.save()
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{reverse('screen:show', args=[token])}?rotate=2&{PERIOD}")
    screen_goes_round(page, screenshots, "62-screen-link-projects.png")
    assert page.context.cookies() == []
    link.revoke(by=led.coordinator)
    page.reload()
    assert page.locator("[data-testid=screen-gone]").is_visible()
    assert page.console_errors == [] or all("404" in error for error in page.console_errors)
