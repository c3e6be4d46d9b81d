"""Who is told about what, and the pipeline's rules: dedup, quiet hours, rate limit; reminders; the hooks."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from alerts.models import Alert
from alerts.scan import run_scan
from notifications.choices import DeliveryStatus
from notifications.models import Delivery, Notification, NotificationPreference
from notifications.pipeline import Message, deliver_due, notify_many
from notifications.reminders import send_report_reminders
from org.choices import Role
from org.models import User
from plans.models import Plan, PlanEntry
from progress.models import Report
from progress.periods import Period

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0):  # type: ignore[no-untyped-def]
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def people(world, person_for):  # type: ignore[no-untyped-def]
    """project_b gets a chief service officer and a leader in charge; everyone has a phone number."""
    world.chief = User.objects.create_user(
        "chief", role=Role.COORDINATOR, unit=world.drc, name="首席", phone="13900000001"
    )
    world.project_b.chief_officer = person_for(world.chief)
    world.project_b.leader_in_charge = person_for(world.leader)
    world.project_b.save()
    for index, user in enumerate(User.objects.all()):
        user.phone = f"1380000{index:04d}"
        user.save()
    return world


def test_an_alert_opening_tells_owners_responsible_unit_chief_officer_and_leader(people):
    people.project_b.planned_start_date = date(2026, 3, 1)
    people.project_b.save()
    with time_machine.travel(at(2026, 4, 1), tick=False):
        result = run_scan()
    assert result.opened == 1 and result.notified == 4
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"owner_b", "town", "chief", "leader"}
    note = Notification.objects.get(user=people.owner_b)
    assert note.title == "【黄灯】城关智能制造产业园：应开未开"
    assert note.link == f"/projects/{people.project_b.pk}/?tab=alerts"
    assert note.params == {"project": "城关智能制造产业园", "rule": "应开未开", "colour": "黄灯"}
    assert Delivery.objects.filter(channel="sms").count() == 4
    # The same warning on the next day is not news; its escalation is.
    with time_machine.travel(at(2026, 4, 2), tick=False):
        assert run_scan().notified == 0
    with time_machine.travel(at(2026, 7, 1), tick=False):
        assert run_scan().notified == 4
    assert Notification.objects.filter(user=people.owner_b).first().title.startswith("【红灯】")
    assert "升级为红灯" in Notification.objects.filter(user=people.owner_b).first().body


def test_the_same_key_reaches_a_person_once_within_the_window(world, settings):
    settings.NOTIFY_DEDUP_HOURS = 24
    message = Message([world.owner_a], "标题", "内容", dedup_key="k1")
    now = timezone.now()
    assert notify_many([message, message], now=now).notifications == 1
    assert notify_many([message], now=now + timedelta(hours=23)).duplicates == 1
    assert notify_many([message], now=now + timedelta(hours=25)).notifications == 1
    assert Notification.objects.filter(user=world.owner_a).count() == 2


def test_quiet_hours_defer_outside_messages_and_never_drop_them(world):
    world.owner_a.phone = "13800000000"
    world.owner_a.save()
    NotificationPreference.objects.create(
        user=world.owner_a, channels=["sms"], quiet_start=time(22, 0), quiet_end=time(7, 0)
    )
    night = at(2026, 4, 1, 23, 30)
    result = notify_many([Message([world.owner_a], "标题", "内容")], now=night)
    assert result.deferred == 1
    delivery = Delivery.objects.get()
    assert delivery.next_try_at == at(2026, 4, 2, 7, 0)
    assert Notification.objects.get().created_at == night  # the inbox has it at once
    assert deliver_due(at(2026, 4, 2, 6, 59)) == {"sent": 0, "failed": 0}
    assert deliver_due(at(2026, 4, 2, 7, 0)) == {"sent": 1, "failed": 0}
    preference = NotificationPreference.objects.get()
    assert preference.quiet_until(at(2026, 4, 2, 12, 0)) is None
    assert preference.quiet_until(at(2026, 4, 2, 3, 0)) == at(2026, 4, 2, 7, 0)


def test_daytime_quiet_hours(world):
    preference = NotificationPreference(user=world.owner_a, quiet_start=time(12, 0), quiet_end=time(14, 0))
    assert preference.quiet_until(at(2026, 4, 1, 13, 0)) == at(2026, 4, 1, 14, 0)
    assert preference.quiet_until(at(2026, 4, 1, 14, 0)) is None


def test_more_than_the_hourly_limit_is_logged_as_skipped_but_stays_in_the_inbox(world, settings):
    settings.NOTIFY_RATE_LIMIT_PER_HOUR = 2
    settings.NOTIFY_DEFAULT_QUIET_HOURS = ""
    world.owner_a.phone = "13800000000"
    world.owner_a.save()
    now = timezone.now()
    messages = [Message([world.owner_a], f"标题{i}", "内容") for i in range(3)]
    result = notify_many(messages, now=now)
    assert (result.notifications, result.limited) == (3, 1)
    statuses = sorted(Delivery.objects.values_list("status", flat=True))
    assert statuses == [DeliveryStatus.PENDING, DeliveryStatus.PENDING, DeliveryStatus.SKIPPED]
    assert "每小时" in Delivery.objects.get(status=DeliveryStatus.SKIPPED).last_error
    assert (
        notify_many([Message([world.owner_a], "又一条", "内容")], now=now + timedelta(minutes=30)).limited
        == 1
    )
    assert (
        notify_many([Message([world.owner_a], "下一小时", "内容")], now=now + timedelta(minutes=61)).limited
        == 0
    )


def test_people_without_a_number_are_logged_not_sent(world, settings):
    settings.NOTIFY_DEFAULT_QUIET_HOURS = ""
    notify_many([Message([world.owner_a], "标题", "内容")])
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SKIPPED and delivery.last_error == "没有手机号"


def test_group_robots_post_once_per_message_naming_the_people_who_chose_them(world, settings):
    settings.NOTIFY_WECOM_WEBHOOK = "http://127.0.0.1:9/send?key=K"
    for user in (world.owner_a, world.department):
        NotificationPreference.objects.create(user=user, channels=["wecom"])
    world.owner_a.phone = "13800000000"
    world.owner_a.save()
    notify_many([Message([world.owner_a, world.department, world.owner_b], "标题", "内容", dedup_key="x")])
    group = Delivery.objects.get(channel="wecom")
    assert group.target == "group" and group.user is None
    assert group.payload == {"names": ["王业主", "江住建"], "mobiles": ["13800000000"]}
    notify_many([Message([world.owner_a], "标题", "内容", dedup_key="x")])
    assert Delivery.objects.filter(channel="wecom").count() == 1


def test_unconfigured_group_channels_are_ignored(world):
    NotificationPreference.objects.create(user=world.owner_a, channels=["dingtalk"])
    notify_many([Message([world.owner_a], "标题", "内容")])
    assert Notification.objects.count() == 1 and not Delivery.objects.exists()


@pytest.fixture
def due_reports(world):  # type: ignore[no-untyped-def]
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


def test_accepting_a_report_runs_the_scan_in_the_background(due_reports, django_capture_on_commit_callbacks):
    project = due_reports.project_a
    project.planned_completion_date = date(2026, 1, 31)
    project.save()
    report = Report.objects.create(
        project=project,
        year=2026,
        month=3,
        deadline=Period(2026, 3).deadline,
        state="submitted",
        first_submitted_at=at(2026, 3, 20),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report.accept(by=due_reports.department)
    assert callbacks
    assert Alert.objects.filter(rule="finish_overdue", project=project).exists()


def test_several_warnings_in_one_scan_reach_a_person_as_one_digest(people):
    people.project_b.planned_start_date = date(2026, 1, 1)
    people.project_b.planned_completion_date = date(2026, 2, 1)
    people.project_b.save()
    with time_machine.travel(at(2026, 5, 1), tick=False):
        result = run_scan()
    assert result.opened == 2 and result.notified == 4
    note = Notification.objects.get(user=people.owner_b)
    assert note.title == "新的预警2条（红灯1条、黄灯1条）"
    assert note.body.splitlines()[0].startswith("城关智能制造产业园：应开未开（红灯）")
    assert note.link == "/alerts/"
    assert note.params["project"] == "城关智能制造产业园等1个项目"


def test_a_leader_without_an_account_is_told_by_sms_once(people):
    """Most 分包领导 never log in: the directory's phone number is where the warning goes."""
    from org.models import Person

    people.project_b.leader_in_charge = Person.objects.create(name="王副区长", phone="13911112222")
    people.project_b.planned_start_date = date(2026, 3, 1)
    people.project_b.save()
    with time_machine.travel(at(2026, 4, 1), tick=False):
        run_scan()
    sms = Delivery.objects.get(channel="sms", target="13911112222")
    assert sms.user is None and sms.subject == "【黄灯】城关智能制造产业园：应开未开"
    assert not Notification.objects.filter(user__username="leader").exists()
    with time_machine.travel(at(2026, 4, 2), tick=False):
        run_scan()
    assert Delivery.objects.filter(target="13911112222").count() == 1
