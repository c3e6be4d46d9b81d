"""周报: weekly reporting periods across month and year ends, and weekly projects on the board, in the
reminders, in the 未按时报送 warnings and in the figures' 按时报送率 like the other frequencies."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from alerts.scan import run_scan
from figures import cells
from figures.compute import compute
from notifications.models import Notification
from plans.models import Plan, PlanEntry
from plans.scope import Scope
from progress.models import Report
from progress.periods import Period, current_period, parts_in_month
from progress.querysets import month_periods
from progress.reminders import send_report_reminders

pytestmark = pytest.mark.django_db
WEEKLY = "weekly"


def test_a_week_belongs_to_the_month_of_its_thursday():
    # 2026-03-30 (Monday) to 2026-04-05: its Thursday is 2 April, so it is April's first week.
    week = current_period(date(2026, 3, 31), WEEKLY)
    assert (week.year, week.month, week.part) == (2026, 4, 1)
    assert (week.start, week.end, week.deadline) == (date(2026, 3, 30), date(2026, 4, 5), date(2026, 4, 6))
    assert week.label == "2026年4月第1周（3月30日—4月5日）"
    assert week.key == "2026-04-1"
    # March 2026 has four Thursdays, April five.
    assert [parts_in_month(WEEKLY, 2026, m) for m in (3, 4)] == [4, 5]
    assert week.previous() == Period(2026, 3, 4, WEEKLY)
    assert Period(2026, 3, 4, WEEKLY).end == date(2026, 3, 29)
    with pytest.raises(ValueError):
        Period(2026, 3, 5, WEEKLY)


def test_weeks_across_the_year_end_follow_the_iso_year():
    # 2025-12-29 to 2026-01-04 is ISO week 1 of 2026: the first week of January 2026.
    first = current_period(date(2025, 12, 30), WEEKLY)
    assert (first.year, first.month, first.part) == (2026, 1, 1)
    assert first.start == date(2025, 12, 29)
    assert first.previous() == Period(2025, 12, 4, WEEKLY)
    assert first.previous().end == date(2025, 12, 28)
    # 2026-12-28 to 2027-01-03: its Thursday is 31 December, the fifth week of December 2026.
    last = current_period(date(2027, 1, 2), WEEKLY)
    assert (last.year, last.month, last.part) == (2026, 12, 5)
    assert last.next() == Period(2027, 1, 1, WEEKLY)


def test_weeks_cover_every_day_once_in_order():
    day, weeks = date(2025, 11, 1), list[Period]()
    while day < date(2027, 3, 1):
        week = current_period(day, WEEKLY)
        assert week.start <= day <= week.end and week.start.weekday() == 0
        if not weeks or weeks[-1] != week:
            assert not weeks or (weeks[-1].next() == week and week.previous() == weeks[-1])
            assert not weeks or weeks[-1].sort_key() < week.sort_key()
            weeks.append(week)
        day += timedelta(days=1)
    assert len(weeks) == len({w.key for w in weeks})
    assert sum(1 for p in month_periods(2026, 4, [WEEKLY])) == 5


@pytest.fixture
def weekly(world):
    """project_a reports weekly in 2026; project_b monthly."""
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    for project, frequency in ((world.project_a, WEEKLY), (world.project_b, "monthly")):
        project.actual_start_date, project.report_frequency = date(2025, 6, 1), frequency
        project.status = "construction"
        project.save()
        PlanEntry.objects.create(plan=plan, project=project, plan_type="continuing", annual_investment=100)
    return world


def weekly_report(project, part, submitted, month=4, state="submitted"):
    period = Period(2026, month, part, WEEKLY)
    return Report.objects.create(
        project=project, year=2026, month=month, part=part, frequency=WEEKLY, amount=Decimal(5),
        year_to_date=Decimal(5), cumulative=Decimal(5), deadline=period.deadline, state=state,
        first_submitted_at=timezone.make_aware(datetime.combine(submitted, datetime.min.time()).replace(hour=9)),
    )  # fmt: skip


def test_the_board_shows_every_week_of_the_month(weekly, client_for):
    weekly_report(weekly.project_a, 1, date(2026, 4, 6))  # on the Monday after: on time
    weekly_report(weekly.project_a, 2, date(2026, 4, 15))  # two days late
    with time_machine.travel(datetime(2026, 5, 10, 12)):
        response = client_for(weekly.coordinator).get(
            reverse("progress:board"),
            {"period": "2026-04", "details": str(weekly.housing.pk)},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    states = {row.period.part: row.state for row in response.context["rows"]}
    assert states == {1: "submitted", 2: "late", 3: "missing", 4: "missing", 5: "missing"}
    labels = [row.period.label for row in response.context["rows"]]
    assert labels[-1] == "2026年4月第5周（4月27日—5月3日）"


@pytest.mark.parametrize("from_summary", [True, False])
def test_the_on_time_rate_counts_each_week(weekly, monkeypatch, from_summary):
    weekly_report(weekly.project_a, 1, date(2026, 4, 6))
    weekly_report(weekly.project_a, 5, date(2026, 5, 4))
    weekly_report(weekly.project_a, 3, date(2026, 4, 25))  # late
    if not from_summary:
        monkeypatch.setattr(cells, "serves", lambda scope: False)
    with time_machine.travel(datetime(2026, 5, 10, 12)):
        figures = compute(2026, 4, Scope(user=weekly.coordinator), work=False)["reporting"]
    # Five weeks of project_a and April of project_b.
    assert (figures["due"], figures["submitted"], figures["on_time"]) == (6, 3, 2)
    assert figures["on_time_rate"] == Decimal("33.3")


def test_weekly_reminders_come_before_the_monday_deadline_once(weekly, settings):
    settings.REPORT_REMINDER_DAYS_BEFORE = [1]
    settings.REPORT_REMINDER_DAYS_AFTER = [1]
    # Sunday 12 April: the week of 6–12 April is due on Monday 13 April.
    assert send_report_reminders(date(2026, 4, 12)).notifications == 1
    note = Notification.objects.get()
    assert note.user == weekly.owner_a
    assert note.title == "2026年4月第2周（4月6日—4月12日）进度报告将于4月13日截止"
    assert send_report_reminders(date(2026, 4, 12)).notifications == 0
    # Tuesday 14 April: a day late; the owner and the responsible unit hear of it.
    send_report_reminders(date(2026, 4, 14))
    late = Notification.objects.filter(title__contains="逾期未报")
    assert set(late.values_list("user__username", flat=True)) == {"owner_a", "department"}


def test_a_missed_week_lights_the_report_late_warning(weekly):
    weekly_report(weekly.project_a, 1, date(2026, 4, 6))
    with time_machine.travel(datetime(2026, 4, 14, 12)):
        run_scan(date(2026, 4, 14))
    alert = Alert.objects.get(rule="report_late", project=weekly.project_a)
    assert alert.object_key == "2026-04-2" and alert.colour == "yellow"
    # Two weeks running unreported: red.
    with time_machine.travel(datetime(2026, 4, 21, 12)):
        run_scan(date(2026, 4, 21))
    assert (
        Alert.objects.get(rule="report_late", project=weekly.project_a, object_key="2026-04-3").colour
        == "red"
    )
    weekly_report(weekly.project_a, 2, date(2026, 4, 22))
    weekly_report(weekly.project_a, 3, date(2026, 4, 22))
    with time_machine.travel(datetime(2026, 4, 22, 12)):
        run_scan(date(2026, 4, 22))
    assert not Alert.objects.filter(rule="report_late", project=weekly.project_a, state="open").exists()


@pytest.mark.django_db
def test_a_fifth_week_the_month_does_not_have_is_due_for_nobody():
    from django.db.models import Count

    from progress.querysets import due_in_part
    from projects.models import Project

    # February 2026 has four Thursdays, so four weeks; a fifth part exists for no frequency.
    condition = due_in_part(2026, 2, 5, ["weekly", "monthly"])
    assert Project.objects.filter(condition).count() == 0
    assert Project.objects.aggregate(n=Count("pk", filter=condition))["n"] == 0
