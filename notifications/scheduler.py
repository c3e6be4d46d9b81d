"""Periodic tasks (定时任务): which task is queued when, with the last run kept in the database.

settings.PERIODIC_TASKS lists them: {"name", "task" (dotted path of a django.tasks Task), and
either "hour" (daily, at that local hour), "weekday" and "hour" (weekly, 1 = Monday … 7 = Sunday,
at that local hour) or "every_seconds"}. `run_due()` queues each one whose
time has come and records the run first, with a compare-and-set on PeriodicRun, so a restarted
scheduler — or a second one — never queues the same run twice. `manage.py run_scheduler` calls
it in a loop.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NotRequired, TypedDict

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications.models import PeriodicRun

logger = logging.getLogger("notifications.scheduler")


class PeriodicTask(TypedDict):
    """One entry of settings.PERIODIC_TASKS."""

    name: str
    task: str
    hour: NotRequired[int]
    weekday: NotRequired[int]
    every_seconds: NotRequired[int]


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    hour: int | None = None
    weekday: int | None = None
    every_seconds: int | None = None

    def __post_init__(self) -> None:
        if self.weekday is not None and not 1 <= self.weekday <= 7:
            raise ImproperlyConfigured(f"{self.name}: weekday must be 1 (Monday) to 7 (Sunday).")

    def last_slot(self, now: datetime) -> datetime:
        """The latest moment at or before `now` when this task was meant to run."""
        if self.every_seconds:
            return now - timedelta(seconds=self.every_seconds)
        local = timezone.localtime(now)
        slot = local.replace(hour=self.hour or 0, minute=0, second=0, microsecond=0)
        if self.weekday is not None:
            slot -= timedelta(days=(local.isoweekday() - self.weekday) % 7)
            return slot if slot <= local else slot - timedelta(days=7)
        return slot if slot <= local else slot - timedelta(days=1)

    def is_due(self, last_run_at: datetime | None, now: datetime) -> bool:
        if last_run_at is None:
            return True
        slot = self.last_slot(now)
        return last_run_at <= slot if self.every_seconds else last_run_at < slot


def schedules() -> list[Schedule]:
    return [Schedule(**entry) for entry in settings.PERIODIC_TASKS]


def run_due(now: datetime | None = None) -> list[str]:
    """Queue every periodic task whose time has come; returns the names queued."""
    now = now or timezone.now()
    queued: list[str] = []
    for schedule in schedules():
        run, _created = PeriodicRun.objects.get_or_create(name=schedule.name)
        if not schedule.is_due(run.last_run_at, now):
            continue
        with transaction.atomic():
            claim: dict[str, Any] = {"pk": run.pk}
            if run.last_run_at is None:
                claim["last_run_at__isnull"] = True
            else:
                claim["last_run_at"] = run.last_run_at
            if not PeriodicRun.objects.filter(**claim).update(last_run_at=now):
                continue
            import_string(schedule.task).enqueue()
        logger.info("Queued %s", schedule.name)
        queued.append(schedule.name)
    return queued
