"""A coordinator filters the supervision notices by an owner unit that the select does not list
until its name is typed: the search asks the server, the typing reloads nothing, and choosing the
unit found filters the list."""

import pytest

from lib import pickers
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPTIONS = "#id_target_unit option"


def test_an_owner_found_by_typing_its_name_filters_the_notices(
    world, live_server, page, persona_password, screenshots, monkeypatch
):
    from playwright.sync_api import expect

    monkeypatch.setattr(pickers, "LISTED_UP_TO", 3)
    log_in(page, live_server, world.coordinator, persona_password)
    page.goto(f"{live_server.url}/supervision/notices/")
    listed = page.locator(OPTIONS).all_inner_texts()
    assert "区住房和城乡建设局" in listed
    assert "城关科技有限公司" not in listed
    lists = []
    page.on(
        "request",
        lambda request: lists.append(request.url) if "/supervision/notices/" in request.url else None,
    )
    box = page.locator("[data-search-select] [data-search-box]")
    box.fill("科技")
    page.wait_for_selector(f"{OPTIONS}:text-is('城关科技有限公司')", state="attached")
    expect(page.locator("[data-search-status]")).to_contain_text("找到 1 个")
    box.press("Enter")
    box.blur()
    page.wait_for_load_state("networkidle")
    # Neither the typing, nor its Enter, nor leaving the box reloaded the list or submitted the form.
    assert lists == []
    assert "target_unit" not in page.url
    page.screenshot(path=screenshots / "search-select-1440.png", full_page=True)

    page.select_option("#id_target_unit", label="城关科技有限公司")
    page.wait_for_url(f"**target_unit={world.owner_b_unit.pk}*")
    assert page.locator("#id_target_unit option:checked").inner_text() == "城关科技有限公司"

    box = page.locator("[data-search-select] [data-search-box]")
    box.fill("没有这个单位")
    expect(page.locator("[data-search-status]")).to_contain_text("没有找到")
    assert page.locator("#id_target_unit option:checked").inner_text() == "城关科技有限公司"
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshots / "search-select-390.png", full_page=True)
    assert page.console_errors == []
