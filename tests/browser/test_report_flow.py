"""Issue flows in the browser: an owner reports, a unit returns and accepts; an office table is
uploaded, previewed and committed."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from exchange.models import ImportBatch
from exchange.tests.test_import import row3, table3
from plans.models import Plan, PlanEntry
from progress.models import Report
from progress.periods import current_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user, password):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.fixture
def this_year_plan(world):
    year = timezone.localdate().year
    plan = Plan.objects.create(year=year, level="local", title=f"{year}年区重点项目计划")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("3000")
    )
    PlanEntry.objects.create(
        plan=plan, project=world.project_b, plan_type="continuing", annual_investment=Decimal("500")
    )
    world.project_a.actual_start_date = date(year - 1, 6, 1)
    world.project_a.save()
    return plan


def test_owner_submits_unit_returns_owner_corrects_unit_accepts(
    world, this_year_plan, live_server, page, screenshots, persona_password
):
    project = world.project_a
    log_in(page, live_server, world.owner_a, persona_password)
    page.set_viewport_size({"width": 390, "height": 844})  # the owner fills it in on a phone
    page.goto(f"{live_server.url}/reports/")
    page.click(f"[data-testid=fill-{project.pk}]")
    page.fill("input[name=amount]", "850")
    page.fill("textarea[name=progress_text]", "桩基施工完成45%")
    page.fill("textarea[name=problems_text]", "部分管线迁改尚未完成")
    page.screenshot(path=screenshots / "report-01-owner-phone.png", full_page=True)
    page.click("[data-testid=submit-report]")
    assert page.locator("[data-testid=report-state]").inner_text() == "已报送"
    page.set_viewport_size({"width": 1440, "height": 900})
    report = Report.objects.get(project=project)

    log_in(page, live_server, world.department, persona_password)
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.fill("[data-testid=review-box] textarea[name=reason]", "投资额与监理月报不符，请核实")
    page.screenshot(path=screenshots / "report-02-unit-review.png", full_page=True)
    page.click("[data-testid=return]")
    assert page.locator("[data-testid=report-state]").inner_text() == "已退回"

    log_in(page, live_server, world.owner_a, persona_password)
    period = current_period(timezone.localdate())
    page.goto(f"{live_server.url}/reports/project/{project.pk}/{period.key}/")
    assert "投资额与监理月报不符" in page.content()
    page.fill("input[name=amount]", "820")
    page.click("[data-testid=submit-report]")
    assert page.locator("[data-testid=report-state]").inner_text() == "已报送"

    log_in(page, live_server, world.department, persona_password)
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.click("[data-testid=accept]")
    assert page.locator("[data-testid=report-state]").inner_text() == "已审核"
    history = page.locator("[data-testid=report-history]").inner_text()
    assert "退回" in history and "审核通过" in history
    page.screenshot(path=screenshots / "report-03-accepted.png", full_page=True)
    report.refresh_from_db()
    assert (report.state, report.amount) == ("accepted", Decimal("820.00"))
    assert page.console_errors == []


def test_upload_preview_commit_of_an_office_table(
    world, this_year_plan, live_server, page, screenshots, persona_password, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The table is for March 2026 on the 2026 local plan.
    if this_year_plan.year != 2026:
        Plan.objects.filter(pk=this_year_plan.pk).update(year=2026, title="2026年区重点项目计划")
    content = table3(
        row3(
            "滨河路改造工程",
            seq=1,
            total="12,000",
            amount="100万元",
            cumulative="2,100",
            ytd="250",
            progress="路基完成60%",
            annual="3000",
            responsible="区住房和城乡建设局",
            owner="示范区城投建设有限公司",
        ),
    )
    upload = tmp_path / "附件3.xlsx"
    upload.write_bytes(content)
    log_in(page, live_server, world.coordinator, persona_password)
    page.goto(f"{live_server.url}/exchange/")
    form = page.locator("[data-testid=upload-form]")
    form.locator("input[type=file]").set_input_files(str(upload))
    form.locator("[name=upload-table]").select_option("3")
    form.locator("[name=upload-year]").fill("2026")
    form.locator("[name=upload-level]").select_option("local")
    form.locator("[name=upload-period]").fill("2026-03")
    page.screenshot(path=screenshots / "exchange-01-upload.png", full_page=True)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=commit]")
    page.screenshot(path=screenshots / "exchange-02-preview.png", full_page=True)
    assert "滨河路改造工程" in page.locator("[data-testid=new-rows]").inner_text()
    page.click("[data-testid=commit]")
    page.wait_for_selector("[data-testid=batch-status]")
    assert page.locator("[data-testid=batch-status]").inner_text() == "已导入"
    page.screenshot(path=screenshots / "exchange-03-committed.png", full_page=True)
    batch = ImportBatch.objects.get()
    assert batch.status == "committed"
    report = Report.objects.get(project=world.project_a, year=2026, month=3)
    assert (report.amount, report.year_to_date, report.cumulative) == (
        Decimal("100.00"),
        Decimal("250.00"),
        Decimal("2100.00"),
    )
    assert page.console_errors == []
