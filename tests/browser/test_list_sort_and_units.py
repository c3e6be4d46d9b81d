"""A coordinator sorts the project list by name (拼音 order) and chooses the page size, the table swapped
by htmx each time; an administrator folds and unfolds the unit tree and searches it."""

import pytest

from org.choices import UnitKind
from org.models import Unit
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = "[data-testid=project-table] tbody tr"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def names(page):
    return [
        name.strip() for name in page.locator(f"{ROWS} td:nth-child(2) > a:first-child").all_inner_texts()
    ]


def test_names_sort_by_pinyin_and_the_page_size_swaps_the_table(
    world, live_server, page, persona_password, screenshots, settings
):
    settings.LIST_PAGE_SIZE = 1
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, world.coordinator, persona_password)
    page.goto(f"{live_server.url}/projects/")
    page.evaluate("window.__sameDocument = true")

    page.click("a.table-sort-link:has-text('项目名称')")
    page.wait_for_url("**sort=name*")
    # 滨 bīn before 城 chéng, where code points put 城 first.
    assert names(page) == ["滨河路改造工程"]
    page.click("[data-testid=page-size] a:text-is('20')")
    page.wait_for_url("**per_page=20*")
    assert names(page) == ["滨河路改造工程", "城关智能制造产业园"]
    assert "sort=name" in page.url
    assert page.locator("[data-testid=page-size] .active").inner_text().strip() == "20"
    page.screenshot(path=screenshots / "list-sort-pinyin-1440.png", full_page=True)

    # The filter form keeps the sort and the page size; the header turns the order round.
    page.fill("#id_q", "工程")
    page.press("#id_q", "Enter")
    page.wait_for_url("**q=*")
    assert "per_page=20" in page.url and "sort=name" in page.url
    page.fill("#id_q", "")
    page.press("#id_q", "Enter")
    page.wait_for_url(lambda url: "q=%E5%B7%A5" not in url)
    page.click("a.table-sort-link:has-text('项目名称')")
    page.wait_for_url("**sort=-name*")
    assert names(page) == ["城关智能制造产业园", "滨河路改造工程"]
    assert "per_page=20" in page.url
    assert page.evaluate("window.__sameDocument") is True

    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshots / "list-sort-pinyin-390.png", full_page=True)
    assert page.console_errors == []


def test_the_unit_tree_folds_unfolds_and_finds_a_unit_with_the_units_above_it(
    world, live_server, page, persona_password, screenshots
):
    Unit.objects.create(name="区住建局房屋征收中心", kind=UnitKind.DEPARTMENT, parent=world.housing)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, world.admin, persona_password)
    page.goto(f"{live_server.url}/admin/org/units/")
    owner = page.locator("tr:has-text('示范区城投建设有限公司')")
    housing = page.locator("tr[data-depth='1']:has-text('区住房和城乡建设局')")
    # Opened with the branches below the government folded.
    assert owner.is_hidden() and housing.is_visible()
    housing.locator("[data-tree-toggle]").click()
    assert owner.is_visible()
    assert housing.locator("[data-tree-toggle]").get_attribute("aria-expanded") == "true"
    page.click("[data-tree-collapse-all]")
    assert housing.is_hidden() and owner.is_hidden()
    page.click("[data-tree-expand-all]")
    assert owner.is_visible() and page.locator("tr:has-text('区住建局房屋征收中心')").is_visible()
    page.screenshot(path=screenshots / "unit-tree-1440.png", full_page=True)

    page.fill("[data-testid=unit-search] input[name=q]", "城投")
    page.press("[data-testid=unit-search] input[name=q]", "Enter")
    page.wait_for_url("**q=*")
    shown = [
        row.strip().split("\n")[0]
        for row in page.locator("[data-testid=unit-table] tbody tr td:first-child").all_inner_texts()
    ]
    assert [name.split()[0] for name in shown] == [
        "示范区人民政府",
        "区住房和城乡建设局",
        "示范区城投建设有限公司",
    ]
    assert page.locator("[data-testid=unit-match]").all_inner_texts() == ["示范区城投建设有限公司"]
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshots / "unit-tree-search-390.png", full_page=True)
    assert page.console_errors == []


def test_a_large_trees_owners_come_in_below_their_unit_and_fold_with_it(
    world, live_server, page, persona_password, screenshots, monkeypatch
):
    from org import views

    monkeypatch.setattr(views, "UNITS_LISTED_UP_TO", 1)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, world.admin, persona_password)
    page.goto(f"{live_server.url}/admin/org/units/")
    housing = page.locator("tr[data-depth='1']:has-text('区住房和城乡建设局')")
    owner = page.locator("tr:has-text('示范区城投建设有限公司')")
    assert owner.count() == 0
    housing.locator("[data-tree-toggle]").click()
    page.click("tr[data-tree-path$='owners/']:visible [data-testid=show-owners]")
    owner.wait_for()
    assert owner.get_attribute("data-tree-path", timeout=1000).startswith(
        housing.get_attribute("data-tree-path", timeout=1000)
    )
    assert page.url.removeprefix(live_server.url) == "/admin/org/units/"
    housing.locator("[data-tree-toggle]").click()
    assert owner.is_hidden()
    housing.locator("[data-tree-toggle]").click()
    assert owner.is_visible()
    page.screenshot(path=screenshots / "unit-tree-owners-1440.png", full_page=True)
    assert page.console_errors == []
