"""每周简报: last week's reports, warnings and overdue problems and the coming week's deadlines, to
the leaders and the coordinator's office and the configured group robots, once per week."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts.models import Alert
from bulletins.digest import compose, send_weekly_digest
from notifications.models import Delivery, Notification
from problems.tests.factories import make_matter, make_meeting, make_problem
from progress.models import Report
from progress.periods import Period
from supervision.tests.test_notices import make_notice

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 4, 13)  # the digest of 6–12 April


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def week(world):
    def report(project, month, submitted, **fields):
        return Report.objects.create(
            project=project, year=2026, month=month, amount=Decimal(1), year_to_date=Decimal(1),
            cumulative=Decimal(1), deadline=Period(2026, month).deadline, state=fields.pop("state", "submitted"),
            first_submitted_at=aware(submitted), **fields,
        )  # fmt: skip

    report(world.project_a, 3, date(2026, 4, 7))  # late: March's deadline was the 25th
    report(world.project_b, 3, date(2026, 3, 20), state="accepted", reviewed_at=aware(date(2026, 4, 8)))
    report(world.project_b, 2, date(2026, 4, 13))  # this week: not counted
    for colour, opened, closed in (
        ("red", 6, None),
        ("yellow", 12, None),
        ("yellow", 1, aware(date(2026, 4, 9))),
    ):
        Alert.objects.create(
            rule="start_overdue", project=world.project_a, object_key=f"{colour}{opened}", colour=colour,
            message="应开未开", opened_on=date(2026, 4, opened), state="closed" if closed else "open",
            closed_at=closed,
        )  # fmt: skip
    make_problem(world.project_a, world.housing, deadline=date(2026, 4, 1))
    make_problem(world.project_b, world.town, deadline=date(2026, 4, 15))
    make_notice(world, issued_on=date(2026, 4, 1), deadline=date(2026, 4, 17))
    make_matter(
        make_meeting(world.coordinator, on=date(2026, 4, 3)), world.housing, deadline=date(2026, 4, 30)
    )
    Notification.objects.all().delete()
    return world


def test_the_digest_sums_up_last_week_and_the_week_ahead(week):
    digest = compose(MONDAY)
    assert (digest.start, digest.end) == (date(2026, 4, 6), date(2026, 4, 12))
    assert digest.title == "重点项目每周简报（4月6日—4月12日）"
    lines = digest.lines()
    assert lines[0] == "一、进度报送：上周收到进度报告1份，其中迟报1份；审核通过1份。"
    assert lines[1] == "二、预警：上周新亮灯2个（红灯1个、黄灯1个），销号1个；目前在亮2个。"
    assert lines[2] == "三、超期问题：1个问题超过办理时限仍未解决。涉及滨河路改造工程。"
    assert lines[3] == "四、本周（4月13日—4月19日）到期：督办通知单1件、议定事项0项、问题1个到办理时限。"


def test_it_goes_to_leaders_the_office_and_the_robots_once_a_week(week, settings):
    settings.NOTIFY_WECOM_WEBHOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test"
    settings.NOTIFY_DINGTALK_WEBHOOK = ""
    _digest, result = send_weekly_digest(MONDAY)
    assert sorted(Notification.objects.values_list("user__username", "kind")) == [
        ("coordinator", "digest"),
        ("leader", "digest"),
    ]
    robot = Delivery.objects.get(user__isnull=True)
    assert (robot.channel, robot.status, robot.subject) == (
        "wecom",
        "pending",
        "重点项目每周简报（4月6日—4月12日）",
    )
    # The scheduler running twice, or a hand-sent copy, tells nobody twice.
    again = send_weekly_digest(date(2026, 4, 14))[1]
    assert (again.notifications, again.deliveries) == (0, 0)
    assert Delivery.objects.filter(user__isnull=True).count() == 1


def test_the_command_shows_a_dry_run_and_sends_by_hand(week):
    out = io.StringIO()
    call_command("weekly_digest", "--date", "2026-04-13", "--dry-run", stdout=out)
    assert "一、进度报送" in out.getvalue() and not Notification.objects.exists()
    call_command("weekly_digest", "--date", "2026-04-13", stdout=out)
    assert Notification.objects.count() == 2
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("weekly_digest", "--date", "13/04/2026", stdout=out)
