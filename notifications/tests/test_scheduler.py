"""Periodic tasks: queued when due, once per slot, whatever the restarts."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from notifications.models import PeriodicRun
from notifications.scheduler import Schedule, run_due

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def queued(monkeypatch):
    """The task paths run_due queues, instead of running them."""
    calls: list[str] = []

    class Recorder:
        def __init__(self, path: str) -> None:
            self.path = path

        def enqueue(self) -> None:
            calls.append(self.path)

    monkeypatch.setattr("notifications.scheduler.import_string", Recorder)
    return calls


def test_a_daily_task_runs_once_a_day_at_its_hour(settings, queued):
    settings.PERIODIC_TASKS = [{"name": "scan", "task": "alerts.tasks.scan_alerts", "hour": 6}]
    PeriodicRun.objects.create(name="scan", last_run_at=datetime(2026, 4, 1, 6, 0, 5, tzinfo=SHANGHAI))
    assert run_due(datetime(2026, 4, 1, 23, 0, tzinfo=SHANGHAI)) == []
    assert run_due(datetime(2026, 4, 2, 5, 59, tzinfo=SHANGHAI)) == []
    assert run_due(datetime(2026, 4, 2, 6, 0, tzinfo=SHANGHAI)) == ["scan"]
    # A restart a minute later finds the run recorded.
    assert run_due(datetime(2026, 4, 2, 6, 1, tzinfo=SHANGHAI)) == []
    assert queued == ["alerts.tasks.scan_alerts"]


def test_a_weekly_task_runs_on_its_weekday_at_its_hour(settings, queued):
    # Mondays at 8 (2026-04-06 is a Monday).
    settings.PERIODIC_TASKS = [{"name": "digest", "task": "d", "weekday": 1, "hour": 8}]
    PeriodicRun.objects.create(name="digest", last_run_at=datetime(2026, 3, 30, 8, 0, 3, tzinfo=SHANGHAI))
    for day, hour in ((31, 9), (1, 8), (5, 23)):
        month = 3 if day == 31 else 4
        assert run_due(datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)) == []
    assert run_due(datetime(2026, 4, 6, 7, 59, tzinfo=SHANGHAI)) == []
    assert run_due(datetime(2026, 4, 6, 8, 0, tzinfo=SHANGHAI)) == ["digest"]
    assert run_due(datetime(2026, 4, 7, 8, 0, tzinfo=SHANGHAI)) == []
    # Down over the next Monday: caught up once, on Wednesday.
    assert run_due(datetime(2026, 4, 15, 10, 0, tzinfo=SHANGHAI)) == ["digest"]
    assert run_due(datetime(2026, 4, 16, 10, 0, tzinfo=SHANGHAI)) == []
    assert queued == ["d", "d"]
    schedule = Schedule("digest", "d", hour=8, weekday=5)
    assert schedule.last_slot(datetime(2026, 4, 6, 9, 0, tzinfo=SHANGHAI)) == datetime(
        2026, 4, 3, 8, 0, tzinfo=SHANGHAI
    )
    with pytest.raises(ImproperlyConfigured):
        Schedule("digest", "d", hour=8, weekday=0)


def test_a_scheduler_that_was_down_catches_up_once(settings, queued):
    settings.PERIODIC_TASKS = [{"name": "scan", "task": "alerts.tasks.scan_alerts", "hour": 6}]
    PeriodicRun.objects.create(name="scan", last_run_at=datetime(2026, 4, 1, 6, 0, tzinfo=SHANGHAI))
    assert run_due(datetime(2026, 4, 4, 11, 0, tzinfo=SHANGHAI)) == ["scan"]
    assert run_due(datetime(2026, 4, 4, 11, 1, tzinfo=SHANGHAI)) == []


def test_an_interval_task_runs_every_so_many_seconds(queued):
    schedule = Schedule("deliver", "notifications.tasks.deliver_notifications", every_seconds=60)
    start = datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI)
    assert schedule.is_due(None, start)
    assert not schedule.is_due(start, start + timedelta(seconds=59))
    assert schedule.is_due(start, start + timedelta(seconds=60))


def test_two_schedulers_never_queue_the_same_run(settings, queued, monkeypatch):
    settings.PERIODIC_TASKS = [{"name": "deliver", "task": "t", "every_seconds": 60}]
    now = datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI)
    run = PeriodicRun.objects.create(name="deliver", last_run_at=now - timedelta(minutes=5))
    stale = PeriodicRun(pk=run.pk, name="deliver", last_run_at=run.last_run_at)
    # Another scheduler claims the run between this one's read and its write.
    PeriodicRun.objects.filter(pk=run.pk).update(last_run_at=now)
    monkeypatch.setattr(PeriodicRun.objects, "get_or_create", lambda **kw: (stale, False))
    assert run_due(now) == []
    assert queued == []


def test_the_command_queues_the_configured_tasks_and_the_worker_runs_them(settings, world):
    settings.PERIODIC_TASKS = [
        {"name": "alerts.daily_scan", "task": "alerts.tasks.scan_alerts", "hour": 0},
        {
            "name": "notifications.deliver",
            "task": "notifications.tasks.deliver_notifications",
            "every_seconds": 60,
        },
    ]
    call_command("run_scheduler", once=True, stdout=io.StringIO())
    assert set(PeriodicRun.objects.filter(last_run_at__isnull=False).values_list("name", flat=True)) == {
        "alerts.daily_scan",
        "notifications.deliver",
    }
    from alerts.models import AlertRuleConfig

    assert AlertRuleConfig.objects.filter(code="start_overdue").exists()  # the immediate backend ran the scan
