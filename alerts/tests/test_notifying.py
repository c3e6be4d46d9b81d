"""What a warning tells whom: the scan's notifications through the delivery pipeline."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from alerts.models import Alert
from alerts.scan import run_scan
from notifications.models import Delivery, Notification
from org.choices import Role
from org.models import User
from plans.models import Plan, PlanEntry
from progress.models import Report
from progress.periods import Period

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def people(world, person_for):
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
    latest = Notification.objects.filter(user=people.owner_b).first()
    assert latest is not None and latest.title.startswith("【红灯】")
    assert "升级为红灯" in latest.body


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
