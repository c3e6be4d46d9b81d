"""交办通知: a unit given a problem or a decided matter hears of it once; an escalation reaches the
coordinator's office and the 牵头领导; matters are reminded before their deadline and lit when past it."""

from datetime import date, timedelta

import pytest

from alerts.models import Alert
from alerts.scan import run_scan
from notifications.models import Notification
from problems.announce import send_matter_reminders
from problems.tests.factories import escalated, make_matter, make_meeting, make_problem

pytestmark = pytest.mark.django_db


def told(**filters) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(**filters).values_list("user__username", "kind"))


def test_the_units_a_problem_is_assigned_to_hear_of_it_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        problem = make_problem(world.project_a, world.housing, deadline=date(2026, 5, 10))
    assert told() == [("department", "assigned")]
    note = Notification.objects.get()
    assert note.title == "交办问题：滨河路改造工程"
    assert "5月10日" in note.body and note.link == problem.get_absolute_url()
    # Saving the same units again, or adding one more, tells only the new unit.
    with django_capture_on_commit_callbacks(execute=True):
        problem.responsible_units.set([world.housing])
        problem.responsible_units.add(world.town)
        problem.responsible_units.add(world.town)
    assert told() == [("department", "assigned"), ("town", "assigned")]


def test_an_escalation_reaches_the_office_and_the_leading_leader(world, django_capture_on_commit_callbacks):
    problem = make_problem(world.project_a, world.housing, leader=world.leader)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        escalated(problem, world.coordinator)
    assert told() == [("coordinator", "assigned"), ("leader", "assigned")]
    assert "需区级协调用地指标" in Notification.objects.filter(user=world.leader).get().body


def test_a_decided_matter_is_announced_to_its_owner_unit_once(world, django_capture_on_commit_callbacks):
    meeting = make_meeting(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        matter = make_matter(meeting, world.housing, project=world.project_a)
        matter.move("start", world.department)
    assert told() == [("department", "assigned")]
    assert Notification.objects.get().title == "议定事项交办：第1次重点项目周调度会"
    # Given to another unit: that unit hears of it.
    with django_capture_on_commit_callbacks(execute=True):
        matter.owner_unit = world.town
        matter.save()
    assert told() == [("department", "assigned"), ("town", "assigned")]


def test_matters_are_reminded_before_their_deadline(world, settings, django_capture_on_commit_callbacks):
    settings.DEADLINE_REMINDER_DAYS_BEFORE = [3, 1]
    meeting = make_meeting(world.coordinator, on=date(2026, 4, 1))
    matter = make_matter(meeting, world.housing, deadline=date(2026, 4, 15))
    done = make_matter(meeting, world.housing, deadline=date(2026, 4, 15), content="已办结的事项")
    done.move("complete", world.coordinator, "已完成")
    assert send_matter_reminders(date(2026, 4, 11)).notifications == 0
    assert send_matter_reminders(date(2026, 4, 12)).notifications == 1
    assert send_matter_reminders(date(2026, 4, 12)).notifications == 0
    note = Notification.objects.get(kind="deadline")
    assert note.user == world.department and note.link == matter.get_absolute_url()
    assert note.title == "议定事项将于4月15日到期" and "还有3天" in note.body
    assert send_matter_reminders(date(2026, 4, 14)).notifications == 1


def test_a_matter_past_its_deadline_lights_yellow_then_red(world):
    meeting = make_meeting(world.coordinator, on=date(2026, 4, 1))
    matter = make_matter(meeting, world.housing, project=world.project_a, deadline=date(2026, 4, 15))
    make_matter(meeting, world.housing, deadline=date(2026, 4, 15), content="不涉及具体项目的事项")
    run_scan(date(2026, 4, 16), codes=["matter_overdue"], notify=False)
    alert = Alert.objects.get(rule="matter_overdue")
    assert (alert.project, alert.object_key, alert.colour) == (
        world.project_a,
        f"matter:{matter.pk}",
        "yellow",
    )
    run_scan(date(2026, 4, 15) + timedelta(days=16), codes=["matter_overdue"], notify=False)
    alert.refresh_from_db()
    assert alert.colour == "red"
    matter.move("complete", world.coordinator, "已完成")
    run_scan(date(2026, 5, 2), codes=["matter_overdue"], notify=False)
    alert.refresh_from_db()
    assert alert.state == "closed"
