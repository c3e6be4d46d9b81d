"""登记问题 from the problem ledger: the coordinator, among many projects, finds the one by typing part
of its name, picks it and raises the problem, on a desktop and on a phone."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from problems.models import Problem
from projects.models import Project
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.mark.parametrize("size", list(SIZES))
def test_raise_a_problem_from_the_ledger_picking_the_project(
    world, live_server, page, screenshots, persona_password, size
):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    Project.objects.bulk_create(
        Project(
            name=f"城东片区{n:02d}号地块安置房工程",
            category=world.project_a.category,
            total_investment=Decimal("8600"),
            responsible_unit=world.housing,
            owner_unit=world.owner_a_unit,
            build_years="2026-2027",
        )
        for n in range(1, 41)
    )
    log_in(page, live_server, world.coordinator, persona_password)

    page.goto(f"{live_server.url}/problems/")
    page.click("[data-testid=raise-problem]")
    page.wait_for_url(f"{live_server.url}/problems/new/")
    picks = page.locator("[data-testid=pick-project]")
    assert picks.count() == 20
    assert "共 42 条" in page.locator("#project-pick").inner_text()
    page.screenshot(path=screenshots / f"raise-01-pick-{size}.png", full_page=True)

    # Typing part of the name narrows the list in place (htmx), without leaving the page.
    page.fill("#id_q", "滨河")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=pick-project]').length === 1")
    assert picks.first.inner_text().startswith("滨河路改造工程")
    assert "q=%E6%BB%A8%E6%B2%B3" in page.url
    page.screenshot(path=screenshots / f"raise-02-found-{size}.png", full_page=True)

    picks.first.click()
    page.wait_for_selector("[data-testid=problem-form]")
    assert "滨河路改造工程" in page.locator("[data-testid=problem-project]").inner_text()
    assert page.locator("select[name=responsible_units] option:checked").inner_text() == "区住房和城乡建设局"
    page.select_option("select[name=category]", "demolition")
    page.fill("textarea[name=description]", "滨河路东段沿线3户拆迁未完成，影响路基施工")
    page.fill("input[name=deadline]", (timezone.localdate() + timedelta(days=20)).isoformat())
    page.screenshot(path=screenshots / f"raise-03-form-{size}.png", full_page=True)
    page.click("[data-testid=save-problem]")
    page.wait_for_selector("text=问题已登记。")

    problem = Problem.objects.get()
    assert problem.project == world.project_a and problem.raised_by == world.coordinator
    assert page.url == f"{live_server.url}/problems/{problem.pk}/"
    assert "沿线3户拆迁未完成" in page.locator("[data-testid=problem-description]").inner_text()
    page.screenshot(path=screenshots / f"raise-04-raised-{size}.png", full_page=True)
    assert page.console_errors == []
