"""督办通知单 told to the addressed unit when issued, sent back and closed, once each; reminded
before the deadline; lit as 督办超期 on its projects when no reply came in time."""

from datetime import date, timedelta

import pytest

from alerts.models import Alert
from alerts.scan import run_scan
from notifications.models import Notification
from supervision.announce import send_notice_reminders
from supervision.tests.test_notices import make_notice

pytestmark = pytest.mark.django_db


def titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("title", flat=True))


def test_the_addressed_unit_hears_of_each_move_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = make_notice(world)
    number = notice.number
    assert titles(world.department) == ["督办通知单：关于加快滨河路改造工程管线迁改的督办通知"]
    assert Notification.objects.count() == 1  # nobody else: not the town, not the issuer
    with django_capture_on_commit_callbacks(execute=True):
        notice.reply(world.department, "已召开协调会")
        notice.send_back(world.inspector, "未附管线迁改计划")
        notice.title = "关于加快滨河路改造工程管线迁改的督办通知（修改）"
        notice.save()
    assert titles(world.department)[1:] == [f"督办通知单退回重办：{number}"]
    returned = Notification.objects.filter(user=world.department).latest("pk")
    assert "未附管线迁改计划" in returned.body
    with django_capture_on_commit_callbacks(execute=True):
        notice.reply(world.department, "已补充迁改计划")
        notice.send_back(world.inspector, "计划缺少时间节点")
        notice.reply(world.department, "已补充时间节点")
        notice.close(world.inspector, "同意办结")
        notice.save()
    assert titles(world.department)[2:] == [f"督办通知单退回重办：{number}", f"督办通知单已办结：{number}"]


def test_notices_without_a_reply_are_reminded_before_the_deadline(world, settings):
    settings.DEADLINE_REMINDER_DAYS_BEFORE = [1]
    notice = make_notice(world, issued_on=date(2026, 4, 1), deadline=date(2026, 4, 10))
    replied = make_notice(world, issued_on=date(2026, 4, 1), deadline=date(2026, 4, 10), title="已回复的督办")
    replied.reply(world.department, "已办理")
    Notification.objects.all().delete()
    assert send_notice_reminders(date(2026, 4, 8)).notifications == 0
    assert send_notice_reminders(date(2026, 4, 9)).notifications == 1
    assert send_notice_reminders(date(2026, 4, 9)).notifications == 0
    note = Notification.objects.get()
    assert note.title == f"督办通知单{notice.number}将于4月10日到期" and note.user == world.department


def test_a_notice_past_its_deadline_lights_each_of_its_projects(world):
    notice = make_notice(world, issued_on=date(2026, 4, 1), deadline=date(2026, 4, 10))
    notice.projects.add(world.project_a, world.project_b)
    run_scan(date(2026, 4, 11), codes=["notice_overdue"], notify=False)
    lit = Alert.objects.filter(rule="notice_overdue", state="open")
    assert sorted(lit.values_list("project__name", "colour")) == [
        ("城关智能制造产业园", "yellow"),
        ("滨河路改造工程", "yellow"),
    ]
    run_scan(date(2026, 4, 10) + timedelta(days=8), codes=["notice_overdue"], notify=False)
    assert set(lit.values_list("colour", flat=True)) == {"red"}
    notice.reply(world.department, "已办理")
    run_scan(date(2026, 4, 19), codes=["notice_overdue"], notify=False)
    assert not lit.exists()
