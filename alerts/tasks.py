"""Background tasks of the warnings (django.tasks API; the worker is `manage.py run_worker`)."""

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


# How many of the jobs waiting on Redis are looked through for a scan: a scan queued behind more
# than this many is not seen, and one more is queued (it finds nothing left to do).
RQ_LOOKAHEAD = 500


def scan_waiting() -> bool:
    """Whether a scan is already queued and not yet started (the database and the RQ backends)."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult
    from django_tasks_rq import RQBackend

    backend = task_backends[scan_alerts.backend]
    if isinstance(backend, DatabaseBackend):
        return DBTaskResult.objects.filter(task_path=scan_alerts.module_path, status="READY").exists()
    if isinstance(backend, RQBackend):
        import django_rq
        from django_tasks_rq import Job

        queue = django_rq.get_queue(scan_alerts.queue_name, job_class=Job)
        waiting = Job.fetch_many(queue.get_job_ids(0, RQ_LOOKAHEAD), connection=queue.connection)
        return any(job is not None and job.func_name == scan_alerts.module_path for job in waiting)
    return False


def request_scan() -> None:
    """Queue a scan unless one is already waiting: a burst of accepted reports needs one scan after it."""
    try:
        if not scan_waiting():
            scan_alerts.enqueue()
    except Exception:
        # The daily scan catches up; accepting the report must not fail because of the queue.
        logger.exception("Could not queue the warning scan")
