"""A coordinator filters, sorts and pages the project list: htmx swaps only the table, the address bar
follows every step, the export link exports what the table shows, and Back shows the list before."""

import pytest

from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = "[data-testid=project-table] tbody tr"


def names(page):
    return [row.split("\t")[1].strip() for row in page.locator(ROWS).all_inner_texts()]


def test_a_filter_swaps_the_table_and_updates_the_address(
    world, live_server, page, persona_password, screenshots
):
    log_in(page, live_server, world.coordinator, persona_password)
    page.goto(f"{live_server.url}/projects/")
    assert sorted(names(page)) == sorted(["滨河路改造工程", "城关智能制造产业园"])
    # A mark on the window and on the form survive only if the page is not loaded again.
    page.evaluate("window.__sameDocument = true")
    page.evaluate("document.querySelector('[data-testid=project-filters]').dataset.kept = 'yes'")
    requests = []
    page.on("request", lambda request: requests.append(request) if "/projects/" in request.url else None)

    page.select_option("#id_status", "construction")
    page.wait_for_url("**/projects/?*status=construction*")
    assert names(page) == ["滨河路改造工程"]
    assert [request.resource_type for request in requests] == ["xhr"]
    assert requests[0].headers.get("hx-request") == "true"
    assert page.evaluate("window.__sameDocument") is True
    assert page.get_attribute("[data-testid=project-filters]", "data-kept") == "yes"
    assert "status=construction" in page.get_attribute("#export-xlsx", "href")
    page.screenshot(path=screenshots / "list-01-filtered.png", full_page=True)

    # The filter kept, the status cleared and the list sorted by investment from its header.
    page.select_option("#id_status", "")
    page.wait_for_url(lambda url: "status=construction" not in url)
    page.click("a.table-sort-link:has-text('总投资')")
    page.wait_for_url("**sort=total_investment*")
    assert names(page) == ["滨河路改造工程", "城关智能制造产业园"]
    page.click("a.table-sort-link:has-text('总投资')")
    page.wait_for_url("**sort=-total_investment*")
    assert names(page) == ["城关智能制造产业园", "滨河路改造工程"]
    # The sort travels with the next filter, as it does when the form is sent without JavaScript.
    page.fill("#id_q", "滨河")
    page.press("#id_q", "Enter")
    page.wait_for_url("**q=%E6%BB%A8%E6%B2%B3*")
    assert "sort=-total_investment" in page.url and names(page) == ["滨河路改造工程"]
    assert page.evaluate("window.__sameDocument") is True
    assert all(request.resource_type == "xhr" for request in requests)

    # Back loads the list as it was before the search, sorted.
    page.go_back()
    page.wait_for_function("() => !location.search.includes('q=%E6%BB%A8')")
    page.wait_for_selector(f"{ROWS} >> nth=1")
    assert "sort=-total_investment" in page.url
    assert names(page) == ["城关智能制造产业园", "滨河路改造工程"]
    assert page.console_errors == []


def test_page_links_swap_the_table(world, live_server, page, persona_password, settings):
    settings.LIST_PAGE_SIZE = 1
    log_in(page, live_server, world.coordinator, persona_password)
    page.goto(f"{live_server.url}/projects/?sort=name")
    first = names(page)
    page.evaluate("window.__sameDocument = true")
    page.click(".pagination a:has-text('下一页')")
    page.wait_for_url("**page=2*")
    assert len(names(page)) == 1 and names(page) != first
    assert "sort=name" in page.url and page.evaluate("window.__sameDocument") is True
    assert page.locator(".pagination .active").inner_text().strip() == "2 / 2"
    assert page.console_errors == []
