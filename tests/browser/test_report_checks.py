"""An owner fills in the month's report: a cumulative above 总投资 and a 形象进度 below the last
accepted report are told while the figures are typed, before anything is saved or submitted."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from progress.models import Report
from progress.periods import current_period
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WARNINGS = "[data-testid=check-warnings]"


@pytest.fixture
def last_month_accepted(world):
    """滨河路改造工程 (总投资 12000万元): last month's report accepted at 11500万元 and 46.9%."""
    project = world.project_a
    project.actual_start_date = date(2025, 6, 1)
    project.save()
    period = current_period(timezone.localdate()).previous()
    report = Report(
        project=project,
        year=period.year,
        month=period.month,
        amount=Decimal("11500"),
        deadline=period.deadline,
        progress_text="主体结构施工至18层",
        progress_percent=Decimal("46.9"),
        state="accepted",
    )
    report.recompute_totals()
    report.save()
    return period


def type_figures(page):
    page.fill("input[name=amount]", "1,234.5")
    page.locator(WARNINGS).filter(has_text="超过项目总投资").wait_for()
    page.fill("textarea[name=progress_text]", "主体结构封顶，二次结构施工")
    page.fill("input[name=progress_percent]", "35")
    page.locator(WARNINGS).filter(has_text="低于").wait_for()


def test_warnings_appear_as_the_figures_are_typed_before_submitting(
    world, last_month_accepted, live_server, page, screenshots, persona_password
):
    project = world.project_a
    period = current_period(timezone.localdate())
    url = f"{live_server.url}/reports/project/{project.pk}/{period.key}/"
    log_in(page, live_server, world.owner_a, persona_password)

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(url)
    assert page.locator(WARNINGS).count() == 0
    type_figures(page)
    warnings = page.locator(WARNINGS).inner_text()
    assert "累计完成投资（12734.50万元）超过项目总投资（12000.00万元）" in warnings
    assert f"形象进度（35.0%）低于{last_month_accepted.label}已审核的46.9%" in warnings
    # The live total reads "1,234.5" as the server does.
    assert page.locator("#cum").inner_text() == "12,734.50"
    assert page.locator("[data-testid=check-errors]").count() == 0
    # Next to the buttons, a line points up to them.
    assert "有2条提示请核实" in page.locator("[data-testid=report-checks-summary]").inner_text()
    # Nothing is saved yet: the warnings came before 保存草稿 or 保存并报送.
    assert not Report.objects.filter(project=project, year=period.year, month=period.month).exists()
    page.screenshot(path=screenshots / "report-checks-01-desktop.png")
    page.screenshot(path=screenshots / "report-checks-02-desktop-full.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    type_figures(page)
    page.locator("[data-testid=report-checks]").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "report-checks-03-phone.png")
    page.locator("[data-testid=save-draft]").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "report-checks-05-phone-buttons.png")
    page.screenshot(path=screenshots / "report-checks-04-phone-full.png", full_page=True)

    # A wrong amount is told as it is typed, and the warnings give way to it.
    page.fill("input[name=amount]", "约1200")
    page.locator("[data-testid=check-errors]").filter(has_text="不要带“约”“万元”等文字").wait_for()
    assert page.locator(WARNINGS).count() == 0
    assert "须改正后才能保存" in page.locator("[data-testid=report-checks-summary]").inner_text()

    # Warnings do not stop the owner: the draft is saved with "1,234.5" as 1234.50万元.
    page.fill("input[name=amount]", "1,234.5")
    page.locator(WARNINGS).filter(has_text="超过项目总投资").wait_for()
    page.click("[data-testid=save-draft]")
    page.wait_for_selector(".alert-success")
    report = Report.objects.get(project=project, year=period.year, month=period.month)
    assert (report.state, report.amount, report.progress_percent) == (
        "draft",
        Decimal("1234.50"),
        Decimal("35.0"),
    )
    assert len(report.warnings) == 2
    # Opened again, the saved draft shows its warnings at once.
    assert "超过项目总投资" in page.locator(WARNINGS).inner_text()
    assert page.console_errors == []
