"""报送提醒: reminders before and after a reporting deadline."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from notifications.models import Notification
from plans.models import Plan, PlanEntry
from progress.models import Report
from progress.periods import Period
from progress.reminders import send_report_reminders

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def due_reports(world):
    """project_a must report monthly for 2026 (deadline the 25th)."""
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal(100)
    )
    world.project_a.actual_start_date = date(2025, 6, 1)
    world.project_a.save()
    return world


def test_reminders_before_the_deadline_go_to_owners_who_have_not_submitted(due_reports, settings):
    settings.REPORT_REMINDER_DAYS_BEFORE = [3, 1]
    assert send_report_reminders(date(2026, 3, 21)).notifications == 0
    result = send_report_reminders(date(2026, 3, 22))
    assert result.notifications == 1
    note = Notification.objects.get()
    assert note.user == due_reports.owner_a and note.kind == "reminder"
    assert note.title == "2026年3月进度报告将于3月25日截止" and "滨河路改造工程" in note.body
    assert send_report_reminders(date(2026, 3, 22)).notifications == 0  # once per day and period
    Report.objects.create(
        project=due_reports.project_a,
        year=2026,
        month=3,
        deadline=Period(2026, 3).deadline,
        state="submitted",
        first_submitted_at=at(2026, 3, 23),
    )
    assert send_report_reminders(date(2026, 3, 24)).notifications == 0


def test_after_the_deadline_owners_and_the_responsible_unit_hear_of_it(due_reports, settings):
    settings.REPORT_REMINDER_DAYS_AFTER = [1]
    send_report_reminders(date(2026, 3, 26))
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"owner_a", "department"}
    assert Notification.objects.get(user=due_reports.department).title == "2026年3月进度报告逾期未报"
