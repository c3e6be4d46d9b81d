"""A coordinator logs in, filters the list, opens a project, edits it and finds the change in its history."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_filter_open_edit_and_see_history(world, live_server, page, screenshots, persona_password):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", world.coordinator.username)
    page.fill("input[name=password]", persona_password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.screenshot(path=screenshots / "01-home.png", full_page=True)

    page.goto(f"{live_server.url}/projects/")
    page.fill("input[name=q]", "滨河")
    page.click("[data-testid=apply-filters]")
    # htmx swaps the table in place; the address follows the filters once it has.
    page.wait_for_url("**q=%E6%BB%A8%E6%B2%B3*")
    rows = page.locator("[data-testid=project-table] tbody tr")
    assert rows.count() == 1
    assert "滨河路改造工程" in rows.first.inner_text()
    page.screenshot(path=screenshots / "02-filtered-list.png", full_page=True)

    rows.first.locator("a").first.click()
    page.wait_for_selector("[data-testid=project-tabs]")
    page.screenshot(path=screenshots / "03-project.png", full_page=True)

    page.click("[data-testid=edit-project]")
    page.fill("input[name=address]", "滨河路与人民路交叉口东北角")
    page.fill("input[name=total_investment]", "12500")
    page.screenshot(path=screenshots / "04-edit.png", full_page=True)
    page.click("[data-testid=save-project]")
    page.wait_for_selector("[data-testid=project-tabs]")

    page.click("[data-testid=tab-history]")
    history = page.locator("[data-testid=history-table]").inner_text()
    assert "滨河路与人民路交叉口东北角" in history
    assert "12000" in history and "12500" in history
    assert "周协调" in history
    page.screenshot(path=screenshots / "05-history.png", full_page=True)
    assert page.console_errors == []


def test_bad_input_in_the_form_shows_messages_in_chinese(
    world, live_server, page, screenshots, persona_password
):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", world.department.username)
    page.fill("input[name=password]", persona_password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/projects/{world.project_a.pk}/edit/")
    page.fill("input[name=code]", "2020-12345")
    # The browser refuses letters in a number field; a hand-made request can still send them.
    page.eval_on_selector("input[name=total_investment]", "el => { el.type = 'text'; el.value = '约3000'; }")
    page.click("[data-testid=save-project]")
    errors = page.locator("[data-testid=form-errors]")
    assert errors.is_visible()
    body = page.content()
    assert "项目代码格式" in body and "请输入数字" in body
    page.screenshot(path=screenshots / "06-form-errors.png", full_page=True)
