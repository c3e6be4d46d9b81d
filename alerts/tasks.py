"""Background tasks of the warnings (django.tasks API; the worker is `manage.py db_worker`)."""

import logging
from datetime import date
from typing import Any

from django_tasks import task

logger = logging.getLogger("alerts")


@task()
def scan_alerts(today: str | None = None) -> dict[str, Any]:
    """预警扫描: every enabled rule for every project, as of `today` (ISO date) or the current day."""
    from alerts.scan import run_scan

    return run_scan(date.fromisoformat(today) if today else None).as_dict()


def scan_waiting() -> bool:
    """Whether a scan is already queued and not yet started (database backend only)."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task_backends[scan_alerts.backend], DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(task_path=scan_alerts.module_path, status="READY").exists()


def request_scan() -> None:
    """Queue a scan unless one is already waiting: a burst of accepted reports needs one scan after it."""
    try:
        if not scan_waiting():
            scan_alerts.enqueue()
    except Exception:
        # The daily scan catches up; accepting the report must not fail because of the queue.
        logger.exception("Could not queue the warning scan")
