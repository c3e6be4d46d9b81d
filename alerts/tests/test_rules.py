"""Each rule of DOMAIN §7, with the clock moved across its yellow, red and closing boundaries."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from alerts.choices import AlertState, Colour, EventKind
from alerts.models import Alert, AlertRuleConfig
from alerts.tests.conftest import SHANGHAI, accepted_report, open_alerts, scan_on
from catalog.models import ProcedureType
from plans.models import PlanEntry
from progress.models import Report
from progress.rollup import refresh_projects
from projects.models import Procedure

pytestmark = pytest.mark.django_db


def colours(rule: str) -> list[tuple[str, str]]:
    return [(a.object_key, a.colour) for a in open_alerts(rule)]


def test_start_overdue_goes_yellow_after_the_planned_month_red_three_months_later_and_closes_on_start(world):
    project = world.project_b
    project.planned_start_date = date(2026, 3, 10)
    project.save()

    scan_on(date(2026, 3, 31))
    assert colours("start_overdue") == []
    scan_on(date(2026, 4, 1))
    assert colours("start_overdue") == [("2026-03", Colour.YELLOW)]
    scan_on(date(2026, 6, 30))
    assert colours("start_overdue") == [("2026-03", Colour.YELLOW)]
    scan_on(date(2026, 7, 1))
    assert colours("start_overdue") == [("2026-03", Colour.RED)]
    alert = Alert.objects.get(rule="start_overdue")
    assert "计划2026年3月开工" in alert.message

    project.change_status("construction", by=world.coordinator, on=date(2026, 7, 2))
    scan_on(date(2026, 7, 3))
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED and alert.closed_by is None
    assert [e.kind for e in alert.events.all()] == [
        EventKind.OPENED,
        EventKind.ESCALATED,
        EventKind.CLOSED_AUTO,
    ]
    assert [e.on for e in alert.events.all()] == [date(2026, 4, 1), date(2026, 7, 1), date(2026, 7, 3)]


def test_start_overdue_reads_the_plan_month_when_the_project_has_no_planned_date(planned):
    project = planned.project_b
    PlanEntry.objects.create(
        plan=planned.plan,
        project=project,
        plan_type="new_start",
        annual_investment=Decimal("800"),
        planned_start_month=5,
    )
    scan_on(date(2026, 5, 31))
    assert colours("start_overdue") == []
    scan_on(date(2026, 6, 1))
    assert colours("start_overdue") == [("2026-05", Colour.YELLOW)]
    scan_on(date(2026, 9, 1))
    assert colours("start_overdue") == [("2026-05", Colour.RED)]


def test_finish_overdue_boundaries_and_closing_on_completion(planned):
    project = planned.project_a
    project.planned_completion_date = date(2026, 5, 20)
    project.save()
    scan_on(date(2026, 5, 31))
    assert colours("finish_overdue") == []
    scan_on(date(2026, 6, 1))
    assert colours("finish_overdue") == [("2026-05", Colour.YELLOW)]
    scan_on(date(2026, 8, 31))
    assert colours("finish_overdue") == [("2026-05", Colour.YELLOW)]
    scan_on(date(2026, 9, 1))
    assert colours("finish_overdue") == [("2026-05", Colour.RED)]
    project.change_status("completed", by=planned.coordinator, on=date(2026, 9, 2))
    scan_on(date(2026, 9, 2))
    assert colours("finish_overdue") == []
    assert Alert.objects.get(rule="finish_overdue").state == AlertState.CLOSED


def test_investment_lag_yellow_from_ten_points_red_beyond_thirty_only_for_planned_projects(planned):
    project = planned.project_a
    # March: time progress 25.0%; 180 of 1,200 is 15.0%, exactly 10 points behind.
    accepted_report(project, 2026, 1, "60")
    accepted_report(project, 2026, 2, "60")
    march = accepted_report(project, 2026, 3, "61.2")
    scan_on(date(2026, 3, 25))  # March's deadline has not passed: February is judged, 10.0% against 16.7%
    assert colours("investment_lag") == []
    scan_on(date(2026, 3, 26))  # 181.2 is 15.1%: 9.9 points behind
    assert colours("investment_lag") == []
    march.amount = Decimal("60")
    march.recompute_totals()
    march.save()
    refresh_projects([project.pk])
    scan_on(date(2026, 3, 27))  # 180: 15.0%, 10.0 behind
    assert colours("investment_lag") == [("2026", Colour.YELLOW)]
    alert = Alert.objects.open().get(rule="investment_lag")
    assert "15.0%" in alert.message and "慢于时间进度10.0个百分点" in alert.message

    # June: time progress 50.0%. 240 is 20.0% (30.0 behind: still yellow); 230 is 19.2% (30.8: red).
    for month in (4, 5):
        accepted_report(project, 2026, month, "20")
    accepted_report(project, 2026, 6, "10")
    scan_on(date(2026, 6, 26))
    assert colours("investment_lag") == [("2026", Colour.RED)]
    june = Report.objects.get(project=project, year=2026, month=6)
    june.amount = Decimal("20")
    june.recompute_totals()
    june.save()
    refresh_projects([project.pk])
    scan_on(date(2026, 6, 27))
    # Escalated warnings stay red until their condition clears.
    assert colours("investment_lag") == [("2026", Colour.RED)]
    june.amount = Decimal("400")
    june.recompute_totals()
    june.save()
    refresh_projects([project.pk])
    scan_on(date(2026, 6, 28))
    assert colours("investment_lag") == []
    # project_b has no annual plan and no investment: never judged.
    assert not Alert.objects.filter(rule="investment_lag", project=planned.project_b).exists()


def test_report_late_yellow_after_the_deadline_red_five_days_later_closed_by_the_report(planned):
    project = planned.project_a
    accepted_report(project, 2026, 1, "50")
    accepted_report(project, 2026, 2, "50")
    scan_on(date(2026, 3, 25))
    assert colours("report_late") == []
    scan_on(date(2026, 3, 26))
    assert colours("report_late") == [("2026-03", Colour.YELLOW)]
    scan_on(date(2026, 3, 30))
    assert colours("report_late") == [("2026-03", Colour.YELLOW)]
    scan_on(date(2026, 3, 31))
    assert colours("report_late") == [("2026-03", Colour.RED)]
    accepted_report(project, 2026, 3, "50", submitted=datetime(2026, 4, 1, 9, tzinfo=SHANGHAI))
    scan_on(date(2026, 4, 1))
    assert colours("report_late") == []


def test_report_late_is_red_at_once_when_the_period_before_was_missed_too(planned):
    project = planned.project_a
    accepted_report(project, 2026, 1, "50")
    scan_on(date(2026, 3, 26))
    assert colours("report_late") == [("2026-02", Colour.RED), ("2026-03", Colour.RED)]
    message = Alert.objects.open().get(object_key="2026-03").message
    assert "上期也未按时报送" in message


def test_report_late_keeps_older_periods_lit_until_their_report_comes_in(planned):
    project = planned.project_a
    accepted_report(project, 2026, 1, "50")
    scan_on(date(2026, 3, 26))
    # May: February and March are no longer among the two latest periods, still unsubmitted.
    for month in (4,):
        accepted_report(project, 2026, month, "50")
    scan_on(date(2026, 5, 26))
    assert ("2026-02", Colour.RED) in colours("report_late")
    accepted_report(project, 2026, 2, "50", submitted=datetime(2026, 5, 27, 9, tzinfo=SHANGHAI))
    scan_on(date(2026, 5, 27))
    assert "2026-02" not in [key for key, _c in colours("report_late")]
    assert ("2026-03", Colour.RED) in colours("report_late")


def test_approval_overdue_past_half_then_ninety_percent_of_the_time_limit(world):
    approval = ProcedureType.objects.get(code="approval")  # 20 days
    procedure = Procedure.objects.create(
        project=world.project_b, type=approval, status="in_progress", submitted_on=date(2026, 3, 1)
    )
    scan_on(date(2026, 3, 11))  # 10 days: 50%, not past it
    assert colours("approval_overdue") == []
    scan_on(date(2026, 3, 12))
    assert colours("approval_overdue") == [(f"procedure:{procedure.pk}", Colour.YELLOW)]
    scan_on(date(2026, 3, 19))  # 18 days: 90%
    assert colours("approval_overdue") == [(f"procedure:{procedure.pk}", Colour.YELLOW)]
    scan_on(date(2026, 3, 20))
    assert colours("approval_overdue") == [(f"procedure:{procedure.pk}", Colour.RED)]
    assert "审批核准备案" in Alert.objects.open().get(rule="approval_overdue").message
    procedure.status, procedure.approved_on = "done", date(2026, 3, 21)
    procedure.save()
    scan_on(date(2026, 3, 21))
    assert colours("approval_overdue") == []


def test_not_in_statistics_one_then_two_months_after_start_for_projects_of_500_wan_and_more(world):
    project = world.project_a
    project.actual_start_date = date(2026, 1, 15)
    project.save()
    small = world.project_b
    small.total_investment = Decimal("400")
    small.status, small.actual_start_date = "construction", date(2026, 1, 15)
    small.save()
    scan_on(date(2026, 2, 15))
    assert colours("not_in_statistics") == []
    scan_on(date(2026, 2, 16))
    assert colours("not_in_statistics") == [("", Colour.YELLOW)]
    scan_on(date(2026, 3, 15))
    assert colours("not_in_statistics") == [("", Colour.YELLOW)]
    scan_on(date(2026, 3, 16))
    assert colours("not_in_statistics") == [("", Colour.RED)]
    assert open_alerts("not_in_statistics")[0].project == project
    project.in_statistics = True
    project.save()
    scan_on(date(2026, 3, 17))
    assert colours("not_in_statistics") == []


def test_thresholds_are_configuration(world):
    project = world.project_b
    project.planned_start_date = date(2026, 3, 10)
    project.save()
    scan_on(date(2026, 4, 1))
    AlertRuleConfig.objects.filter(code="start_overdue").update(yellow_threshold=1, red_threshold=1)
    scan_on(date(2026, 4, 2))
    assert colours("start_overdue") == []
    scan_on(date(2026, 5, 1))
    assert colours("start_overdue") == [("2026-03", Colour.RED)]


def test_a_rule_switched_off_closes_its_warnings(world):
    project = world.project_b
    project.planned_start_date = date(2026, 3, 10)
    project.save()
    scan_on(date(2026, 4, 1))
    AlertRuleConfig.objects.filter(code="start_overdue").update(enabled=False)
    scan_on(date(2026, 4, 2))
    alert = Alert.objects.get(rule="start_overdue")
    assert alert.state == AlertState.CLOSED and "停用" in alert.close_reason
