"""GET /healthz: what a monitor or a load balancer asks, without signing in.

It tells whether the database answers, whether the task queue answers (Redis, with the RQ
backend), how long the oldest task ready to run has waited in the queue and when the scheduler last
queued a periodic task: never a person, a project or a figure. 503 when the database does not
answer; "degraded" when only Redis does not.
"""

from datetime import datetime
from typing import Any

import django_rq
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max, Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_rq import RQBackend
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from notifications.models import PeriodicRun

# Seconds to wait for Redis before saying it does not answer; job ids read at a queue's head.
REDIS_TIMEOUT = 3
HEAD_JOBS = 10


def _seconds_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, round((now - moment).total_seconds()))


def oldest_queued_task(now: datetime) -> int | None:
    """Seconds the oldest task ready to run has waited: in the database's table, or at the head of
    each Redis queue of the RQ backend (TASKS_BACKEND=rq). RedisError when Redis does not answer."""
    backend = import_string(str(settings.TASKS["default"]["BACKEND"]))
    if issubclass(backend, DatabaseBackend):
        oldest = DBTaskResult.objects.ready().aggregate(oldest=Min("enqueued_at"))["oldest"]
        return _seconds_since(oldest, now)
    if issubclass(backend, RQBackend):
        heads = []
        for name, config in django_rq.settings.QUEUES.items():
            # A connection of its own with short time-outs: a Redis that does not answer makes the
            # check say so in seconds instead of holding the monitor's request.
            redis = Redis.from_url(
                config["URL"],
                db=config.get("DB"),
                socket_timeout=REDIS_TIMEOUT,
                socket_connect_timeout=REDIS_TIMEOUT,
            )
            queue = Queue(name, connection=redis)
            # A queue is a list in Redis, the next job to run first; a job deleted meanwhile leaves
            # its id behind, so the first that is still there.
            for job_id in queue.get_job_ids(0, HEAD_JOBS):
                job = queue.fetch_job(job_id)
                if job is not None and job.enqueued_at is not None:
                    heads.append(job.enqueued_at)
                    break
        return _seconds_since(min(heads, default=None), now)
    return None


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the figures while the database answers; 503 when it does not."""
    now = timezone.now()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        last_run = PeriodicRun.objects.aggregate(last=Max("last_run_at"))["last"]
    except DatabaseError:
        return JsonResponse({"status": "error", "database": False}, status=503)
    try:
        queued, queue_answers = oldest_queued_task(now), True
    except DatabaseError:
        return JsonResponse({"status": "error", "database": False}, status=503)
    except RedisError:
        # The site still answers; tasks (notifications, scans, backups) wait until Redis is back.
        queued, queue_answers = None, False
    body: dict[str, Any] = {
        "status": "ok" if queue_answers else "degraded",
        "database": True,
        "task_queue": queue_answers,
        "oldest_queued_task_seconds": queued,
        "scheduler_last_run": last_run.isoformat() if last_run else None,
        "scheduler_last_run_seconds": _seconds_since(last_run, now),
    }
    return JsonResponse(body)
