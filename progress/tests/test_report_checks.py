"""填报检查: the report form says what saving would say while the figures are typed, with the
same rules as the save; amounts may be typed with thousands separators."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import OperationLog
from notifications.models import Notification
from plans.models import Plan, PlanEntry
from progress.models import Report
from progress.periods import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporting(world):
    """project_a (总投资 12000万元) is on the 2026 local plan; January's report is accepted at
    11500万元 cumulative and 46.9% 形象进度."""
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点项目计划")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("6000")
    )
    world.project_a.actual_start_date = date(2025, 6, 1)
    world.project_a.save()
    make_report(world.project_a, 1, "11500", percent="46.9")
    return world


def make_report(project, month, amount, state="accepted", percent=None, text="主体结构施工"):
    period = Period(2026, month)
    report = Report(
        project=project,
        year=2026,
        month=month,
        amount=Decimal(amount),
        deadline=period.deadline,
        progress_text=text,
        progress_percent=Decimal(percent) if percent is not None else None,
        state=state,
    )
    report.recompute_totals()
    report.save()
    return report


def check(client, project, period_key, **data):
    return client.post(reverse("progress:check", args=[project.pk, period_key]), data)


def test_a_cumulative_above_total_investment_is_told_before_anything_is_saved(reporting, client_for):
    owner = client_for(reporting.owner_a)
    response = check(owner, reporting.project_a, "2026-02", amount="1,234.5", progress_text="主体结构封顶")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="check-warnings"' in html
    assert "累计完成投资（12734.50万元）超过项目总投资（12000.00万元）" in html
    assert 'data-testid="check-errors"' not in html
    assert not Report.objects.filter(month=2).exists()
    assert not OperationLog.objects.exists()


def test_progress_falling_below_the_last_accepted_report_is_told(reporting, client_for):
    owner = client_for(reporting.owner_a)
    html = check(owner, reporting.project_a, "2026-02", amount="100", progress_percent="35").content.decode()
    assert "形象进度（35.0%）低于2026年1月已审核的46.9%，请核实。" in html
    rising = check(
        owner, reporting.project_a, "2026-02", amount="100", progress_percent="50"
    ).content.decode()
    assert "形象进度" not in rising


def test_only_accepted_reports_set_the_progress_a_report_should_not_fall_below(reporting, client_for):
    # February was submitted at 60% but not accepted: March at 50% is still above the accepted 46.9%.
    make_report(reporting.project_a, 2, "100", state="submitted", percent="60")
    owner = client_for(reporting.owner_a)
    html = check(owner, reporting.project_a, "2026-03", amount="100", progress_percent="50").content.decode()
    assert "形象进度" not in html
    html = check(owner, reporting.project_a, "2026-03", amount="100", progress_percent="40").content.decode()
    assert "低于2026年1月已审核的46.9%" in html


def test_the_check_and_the_save_give_the_same_warnings(reporting, client_for):
    owner = client_for(reporting.owner_a)
    data = {"amount": "1,234.5", "progress_text": "主体结构封顶", "progress_percent": "35"}
    checked = check(owner, reporting.project_a, "2026-02", **data).context["checks"].warnings
    assert len(checked) == 2
    response = owner.post(
        reverse("progress:edit", args=[reporting.project_a.pk, "2026-02"]), {**data, "save": "1"}
    )
    assert response.status_code == 302
    report = Report.objects.get(month=2)
    assert report.warnings == checked


def test_warnings_block_neither_a_draft_nor_the_submission(reporting, client_for):
    owner = client_for(reporting.owner_a)
    url = reverse("progress:edit", args=[reporting.project_a.pk, "2026-02"])
    owner.post(
        url, {"amount": "1234.5", "progress_text": "主体结构封顶", "progress_percent": "35", "save": "1"}
    )
    report = Report.objects.get(month=2)
    assert report.state == "draft" and len(report.warnings) == 2
    owner.post(
        url,
        {
            "amount": "1234.5",
            "progress_text": "主体结构封顶",
            "progress_percent": "35",
            "version": report.version,
            "submit": "1",
        },
    )
    report.refresh_from_db()
    assert report.state == "submitted" and len(report.warnings) == 2


def test_a_saved_drafts_warnings_show_when_the_form_is_opened_again(reporting, client_for):
    owner = client_for(reporting.owner_a)
    url = reverse("progress:edit", args=[reporting.project_a.pk, "2026-02"])
    owner.post(url, {"amount": "1234.5", "progress_text": "主体结构封顶", "save": "1"})
    html = owner.get(url).content.decode()
    assert 'data-testid="check-warnings"' in html and "超过项目总投资" in html


def test_a_field_not_filled_in_yet_is_no_mistake_while_typing(reporting, client_for):
    owner = client_for(reporting.owner_a)
    html = check(owner, reporting.project_a, "2026-02", amount="", progress_text="").content.decode()
    assert "check-errors" not in html and "必填" not in html


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("约3000", "本期完成投资（万元）：请输入数字（单位：万元），不要带“约”“万元”等文字。"),
        ("12,5", "千分位逗号应每三位一个"),
        ("-5", "本期完成投资不能为负数"),
    ],
)
def test_a_wrong_amount_is_told_while_typing(reporting, client_for, amount, message):
    html = check(
        client_for(reporting.owner_a), reporting.project_a, "2026-02", amount=amount
    ).content.decode()
    assert 'data-testid="check-errors"' in html and message in html


@pytest.mark.parametrize("persona", ["owner_b", "outsider", "town_user"])
def test_other_units_cannot_check_a_report(reporting, client_for, persona):
    client = client_for(getattr(reporting, persona))
    assert check(client, reporting.project_a, "2026-02", amount="100").status_code == 404


def test_leaders_cannot_check_a_report_and_the_check_takes_posts_only(reporting, client_for):
    assert check(client_for(reporting.leader), reporting.project_a, "2026-02", amount="1").status_code == 403
    url = reverse("progress:check", args=[reporting.project_a.pk, "2026-02"])
    assert client_for(reporting.owner_a).get(url).status_code == 405


def test_a_submitted_report_is_not_checked_again(reporting, client_for):
    make_report(reporting.project_a, 2, "100", state="submitted")
    html = check(client_for(reporting.owner_a), reporting.project_a, "2026-02", amount="100").content.decode()
    assert "该报告已报送或已审核，不能再修改。" in html


@pytest.mark.parametrize(
    ("typed", "stored"), [("1,234.5", "1234.50"), ("1，234.5", "1234.50"), ("３００", "300.00")]
)
def test_amounts_typed_with_separators_or_full_width_digits_are_saved(reporting, client_for, typed, stored):
    url = reverse("progress:edit", args=[reporting.project_a.pk, "2026-02"])
    response = client_for(reporting.owner_a).post(
        url, {"amount": typed, "progress_text": "主体结构封顶", "save": "1"}
    )
    assert response.status_code == 302
    assert Report.objects.get(month=2).amount == Decimal(stored)


def test_a_correction_takes_thousands_separators_too(reporting, client_for):
    january = Report.objects.get(month=1)
    client_for(reporting.coordinator).post(
        reverse("progress:review", args=[january.pk, "correct"]),
        {
            "amount": "11,600",
            "progress_text": "主体结构施工",
            "version": january.version,
            "reason": "监理复核",
        },
    )
    january.refresh_from_db()
    assert january.amount == Decimal("11600.00")


@pytest.mark.parametrize(
    "reason", ["投资额与监理月报不符。", "投资额与监理月报不符", "投资额与监理月报不符."]
)
def test_a_returned_report_is_told_as_its_own_kind_with_one_full_stop(reporting, client_for, reason):
    report = make_report(reporting.project_a, 2, "100", state="submitted")
    client_for(reporting.department).post(
        reverse("progress:review", args=[report.pk, "return"]), {"reason": reason}
    )
    told = Notification.objects.get(user=reporting.owner_a)
    assert (told.kind, told.get_kind_display()) == ("returned", "报告退回")
    assert "原因：投资额与监理月报不符。请修改后重新报送。" in told.body
    assert "。。" not in told.body


def test_a_reason_ending_in_a_question_keeps_its_mark(reporting, client_for):
    report = make_report(reporting.project_a, 2, "100", state="submitted")
    client_for(reporting.department).post(
        reverse("progress:review", args=[report.pk, "return"]), {"reason": "本期投资为何比上期少一半？"}
    )
    body = Notification.objects.get(user=reporting.owner_a).body
    assert "原因：本期投资为何比上期少一半？请修改后重新报送。" in body
