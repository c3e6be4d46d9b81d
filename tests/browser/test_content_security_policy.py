"""The Content-Security-Policy holds on every page: the site's own scripts, styles and images are all
it needs, so the browser refuses nothing, and the helpers moved out of inline handlers still work."""

import copy
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Dialog

from figures.tests.test_figures import accepted
from figures.views import latest_reported_month
from keyprojects.settings import tile_source
from pipeline.models import PipelineEntry
from plans.models import Plan, PlanEntry
from progress.periods import current_period
from progress.rollup import refresh_projects
from tests.browser.session import log_in

# Installed before any page script runs: every violation the page reports, with where it came from.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""
# Links of the sidebar menu and of the top bar (inbox, password, API tokens); the bar's forms are not links.
MENU_LINKS = """
Array.from(document.querySelectorAll("#sidebar-menu a[href], header.navbar a[href]"))
  .map((link) => link.getAttribute("href"))
  .filter((href) => href.startsWith("/"))
"""


@pytest.fixture
def district(world):
    """A plan with a month of accepted progress (the charts draw), both projects on the map, a
    plan for the current reporting period (the owner's form opens) and next year's pipeline."""
    today = timezone.localdate()
    year, _month = latest_reported_month(today)
    world.project_a.latitude, world.project_a.longitude = Decimal("35.761234"), Decimal("115.031234")
    world.project_a.save()
    world.project_b.latitude, world.project_b.longitude = Decimal("35.742000"), Decimal("115.002000")
    world.project_b.save()
    for plan_year in sorted({year, current_period(today).year}):
        plan = Plan.objects.create(year=plan_year, level="local", title=f"{plan_year}年区重点")
        PlanEntry.objects.create(
            plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("6000")
        )
        PlanEntry.objects.create(
            plan=plan, project=world.project_b, plan_type="new_start", annual_investment=Decimal("4000")
        )
    accepted(world.project_a, year, 1, "1500")
    refresh_projects([world.project_a.pk])
    for project in (world.project_a, world.project_b):
        PipelineEntry.objects.create(
            project=project,
            proposed_year=today.year + 1,
            estimated_investment=Decimal("20000"),
            proposing_unit=world.housing,
            created_by=world.coordinator,
        )
    return world


@pytest.fixture
def watched_page(page):
    """The browser page, recording CSP violations (events and console lines) and script errors."""
    page.add_init_script(WATCH_VIOLATIONS)
    page.csp_console = []
    page.page_errors = []
    page.on(
        "console",
        lambda message: (
            page.csp_console.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    return page


def directives(policy: str) -> dict[str, str]:
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())


def visit(page, url, script_src="'self'"):
    """Opens a page and returns what went wrong on it: a wrong policy, violations, script errors."""
    page.csp_console.clear()
    page.page_errors.clear()
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    problems = []
    if response is None or response.status != 200:
        return [f"status {response.status if response else 'none'}"]
    policy = directives(response.headers.get("content-security-policy", ""))
    if policy.get("default-src") != "'self'" or not policy.get("script-src", "").startswith(script_src):
        problems.append(f"policy {policy!r}")
    if script_src == "'self'" and policy.get("script-src") != "'self'":
        problems.append(f"script-src {policy.get('script-src')!r}")
    problems += page.evaluate("window.__cspViolations") + page.csp_console + page.page_errors
    return problems


def menu_pages(page, live_server):
    page.goto(f"{live_server.url}/")
    return list(dict.fromkeys(page.evaluate(MENU_LINKS)))


@pytest.mark.parametrize("persona", ["coordinator", "leader", "department", "owner_a", "admin"])
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_of_the_menu_breaks_the_policy(
    district, live_server, watched_page, persona_password, persona
):
    page = watched_page
    log_in(page, live_server, getattr(district, persona), persona_password)
    links = menu_pages(page, live_server)
    assert len(links) >= 15 and "/dashboard/map/" in links and "/dashboard/screen/" in links
    broken = {}
    for link in links:
        problems = visit(page, f"{live_server.url}{link}")
        if problems:
            broken[link] = problems
    assert broken == {}, f"{persona}: {broken}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_beyond_the_menu_keep_the_policy(
    district, live_server, watched_page, persona_password, screenshots
):
    """Forms, a project, the API pages (Swagger UI runs its set-up under the nonce) and the owner's report."""
    page = watched_page
    project = district.project_a
    log_in(page, live_server, district.coordinator, persona_password)
    urls = [
        f"/projects/{project.pk}/",
        f"/projects/{project.pk}/edit/",
        "/projects/new/",
        "/pipeline/promote/",
        "/exchange/",
        "/api/",
    ]
    broken = {url: problems for url in urls if (problems := visit(page, f"{live_server.url}{url}"))}
    assert visit(page, f"{live_server.url}/api/docs/", script_src="'self' 'nonce-") == []
    page.wait_for_selector(".swagger-ui .opblock")
    page.screenshot(path=screenshots / "csp-02-api-docs.png")
    log_in(page, live_server, district.owner_a, persona_password)
    period = current_period(timezone.localdate())
    report_url = f"/reports/project/{project.pk}/{period.key}/"
    if problems := visit(page, f"{live_server.url}{report_url}"):
        broken[report_url] = problems
    assert broken == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_policy_refuses_an_inline_script(live_server, watched_page):
    """The check sees a violation when there is one: an inline script on the login page is refused."""
    page = watched_page
    assert visit(page, f"{live_server.url}/login/") == []
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.ran = true\">')"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.ran") is None
    assert any(v.startswith("script-src") for v in page.evaluate("window.__cspViolations"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_charts_tooltips_and_map_popups_draw_under_the_policy(
    district, live_server, watched_page, persona_password, screenshots
):
    """ECharts' tooltips and Leaflet's popups are markup with style attributes: style-src allows them."""
    page = watched_page
    log_in(page, live_server, district.coordinator, persona_password)
    assert visit(page, f"{live_server.url}/") == []
    chart = page.locator(".chart canvas").first
    chart.hover(position={"x": 200, "y": 150})
    page.wait_for_timeout(300)
    assert visit(page, f"{live_server.url}/dashboard/map/") == []
    page.wait_for_selector("#project-map[data-loaded=true]")
    page.locator("#project-map path.leaflet-interactive, #project-map .marker-cluster").first.click()
    page.wait_for_timeout(500)
    page.screenshot(path=screenshots / "csp-01-map.png", full_page=True)
    assert page.evaluate("window.__cspViolations") == [] and page.page_errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_tiles_load_from_the_configured_server(
    district, live_server, watched_page, persona_password, settings, screenshots
):
    """A tile server on another origin (here 127.0.0.1 for a site at localhost) is let through img-src."""
    port = live_server.url.rsplit(":", 1)[1]
    settings.MAP_TILE_URL = (
        f"http://127.0.0.1:{port}/static/vendor/leaflet/images/layers.png?{{z}}/{{x}}/{{y}}"
    )
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["img-src"] = ["'self'", "data:", tile_source(settings.MAP_TILE_URL)]
    settings.CONTENT_SECURITY_POLICY = policy
    page = watched_page
    log_in(page, live_server, district.coordinator, persona_password)
    assert visit(page, f"{live_server.url}/dashboard/map/") == []
    page.wait_for_selector("#project-map .leaflet-tile-loaded")
    page.screenshot(path=screenshots / "csp-03-map-tiles.png")
    assert page.evaluate("window.__cspViolations") == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_moved_handlers_confirm_autosubmit_select_all_and_report_totals(
    district, live_server, watched_page, persona_password
):
    page = watched_page
    log_in(page, live_server, district.admin, persona_password)
    # A delete form asks first; dismissed, nothing is sent.
    page.goto(f"{live_server.url}/admin/dictionaries/")
    page.locator("a.card-link").first.click()
    delete_forms = page.locator("form[data-confirm]")
    count = delete_forms.count()
    assert count >= 1
    asked = []

    def dismiss(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    delete_forms.first.locator("button").click()
    page.wait_for_timeout(300)
    assert asked == ["确定删除？"] and page.locator("form[data-confirm]").count() == count
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        delete_forms.first.locator("button").click()
    assert page.locator(".alert").count() >= 1  # deleted, or refused because the entry is in use

    # Choosing a language sends its form at once.
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.evaluate("document.documentElement.lang") == "en"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")

    # 全选 ticks every entry of the pipeline.
    page.goto(f"{live_server.url}/pipeline/promote/?year={timezone.localdate().year + 1}")
    entries = page.locator("input[name=entries]")
    assert entries.count() == 2
    page.check("input[data-select-all=entries]")
    assert all(entries.nth(i).is_checked() for i in range(2))
    page.uncheck("input[data-select-all=entries]")
    assert not any(entries.nth(i).is_checked() for i in range(2))

    # The owner's report form adds the month's amount to the totals as it is typed.
    log_in(page, live_server, district.owner_a, persona_password)
    period = current_period(timezone.localdate())
    page.goto(f"{live_server.url}/reports/project/{district.project_a.pk}/{period.key}/")
    page.fill("input[name=amount]", "250")
    base = Decimal(page.get_attribute("#cum", "data-base"))
    assert page.locator("#cum").inner_text() == f"{base + 250:,.2f}"
    assert page.evaluate("window.__cspViolations") == [] and page.page_errors == []


def test_settings_allow_the_tile_server_origin_in_img_src():
    env = {
        **os.environ,
        "KEYPROJECTS_DEVELOPMENT": "1",
        "MAP_TILE_URL": "https://t{s}.tianditu.gov.cn/{z}/{x}/{y}",
    }
    read = "from keyprojects.settings import CONTENT_SECURITY_POLICY as p; print(p['DIRECTIVES']['img-src'])"
    completed = subprocess.run(
        [sys.executable, "-c", read], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )
    assert completed.stdout.strip() == "[\"'self'\", 'data:', 'https://*.tianditu.gov.cn']", completed.stderr


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("http://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}", "http://*.tianditu.gov.cn"),
        ("http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png", "http://10.1.2.3:8080"),
        ("/tiles/{z}/{x}/{y}.png", ""),
        ("", ""),
    ],
)
def test_tile_source_is_the_origin_with_placeholders_as_a_wildcard(url, source):
    assert tile_source(url) == source
