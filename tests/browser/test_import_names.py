"""The names step in the browser: an office table with names the system does not know is uploaded,
one proposal is changed, the names are saved and the table committed; the same table then imports
without the step."""

from decimal import Decimal

import pytest

from exchange.models import Alias, ImportBatch
from exchange.tests.test_names import office_table
from org.models import Person, Unit
from plans.models import Plan
from progress.models import Report
from projects.models import Project
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NAMES = {
    "示范区住建局",
    "区不存在局",
    "示范区某某建设有限公司",
    "某某商贸有限公司",
    "刘工",
    "市政道路",
    "商贸服务",
}


def upload(page, live_server, path):
    page.goto(f"{live_server.url}/exchange/")
    form = page.locator("[data-testid=upload-form]")
    form.locator("input[type=file]").set_input_files(str(path))
    form.locator("[name=upload-table]").select_option("3")
    form.locator("[name=upload-year]").fill("2026")
    form.locator("[name=upload-level]").select_option("local")
    form.locator("[name=upload-period]").fill("2026-03")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=batch-status]")


def overflowing(page):
    """Elements of the names step wider than the viewport or sticking out past its right edge."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const step = document.querySelector('[data-testid=names-step]');
            return [step, ...step.querySelectorAll('select, button, .input-group, td')]
                .filter(el => el.getBoundingClientRect().right > width + 1)
                .map(el => el.tagName + '.' + el.className + ' right=' + el.getBoundingClientRect().right);
        }"""
    )


def test_unknown_names_are_mapped_once_then_the_same_table_imports_without_them(
    world, live_server, page, screenshots, persona_password, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    Plan.objects.create(year=2026, level="local", title="2026年区重点项目计划")
    path = tmp_path / "附件3.xlsx"
    path.write_bytes(office_table())
    log_in(page, live_server, world.coordinator, persona_password)
    page.set_viewport_size(DESKTOP)

    upload(page, live_server, path)
    step = page.locator("[data-testid=names-step]")
    step.wait_for()
    rows = step.locator("[data-testid=name-row]")
    assert rows.count() == 7
    assert {rows.nth(i).get_attribute("data-name") for i in range(7)} == NAMES
    assert page.locator("[data-testid=commit]").count() == 0
    housing_row = step.locator("[data-testid=name-row][data-name=示范区住建局]")
    assert housing_row.locator("[data-testid=name-choice]").input_value() == f"map:{world.housing.pk}"
    missing_row = step.locator("[data-testid=name-row][data-name=区不存在局]")
    choice = missing_row.locator("[data-testid=name-choice]")
    assert choice.input_value() == "create:department"
    assert missing_row.locator("[data-testid=name-parent]").count() == 1
    assert "已确认" not in missing_row.inner_text()
    page.screenshot(path=screenshots / "names-01-step-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshots / "names-02-step-phone.png", full_page=True)
    assert overflowing(page) == []
    page.set_viewport_size(DESKTOP)

    # The uploader knows 区不存在局 is the town's own office: mapped to it, not created.
    choice.select_option(f"map:{world.town.pk}")
    page.click("[data-testid=save-names]")
    missing_row = page.locator("[data-testid=name-row][data-name=区不存在局]")
    missing_row.wait_for()
    assert "已确认" in missing_row.inner_text()
    assert missing_row.locator("[data-testid=name-choice]").input_value() == f"map:{world.town.pk}"
    page.wait_for_selector("[data-testid=commit]")
    page.screenshot(path=screenshots / "names-03-saved-desktop.png", full_page=True)
    assert not Unit.objects.filter(name="区不存在局").exists()  # nothing written before the commit

    page.click("[data-testid=commit]")
    page.wait_for_selector("[data-testid=batch-status]:text('已导入')")
    assert ImportBatch.objects.get().status == "committed"
    trade = Project.objects.get(name="商贸中心")
    assert trade.responsible_unit == world.town
    assert trade.owner_unit is not None
    assert trade.owner_unit.name == "某某商贸有限公司"
    assert trade.owner_unit.parent == world.town  # its proposed parent was the new 区不存在局, now the town
    road = Project.objects.get(name="新建道路一期")
    assert road.responsible_unit == world.housing
    assert road.owner_unit is not None and road.industry is not None
    assert road.owner_unit.name == "示范区某某建设有限公司"
    assert road.industry.name == "市政道路"
    assert road.chief_officer == Person.objects.get(name="刘工")
    assert Project.objects.get(name="新建道路二期").responsible_unit == world.housing
    assert Alias.objects.get(name="区不存在局").unit == world.town
    assert Alias.objects.get(name="示范区住建局").unit == world.housing
    assert Report.objects.get(project=trade, year=2026, month=3).amount == Decimal("100.00")

    upload(page, live_server, path)
    assert page.locator("[data-testid=names-step]").count() == 0
    assert page.locator("[data-testid=preview-errors-alert]").count() == 0
    counts = page.locator("[data-testid=counts]").inner_text()
    assert "未变 3" in counts and "新增 0" in counts, counts
    page.screenshot(path=screenshots / "names-04-again-desktop.png", full_page=True)
    assert ImportBatch.objects.count() == 2
    assert page.console_errors == []
