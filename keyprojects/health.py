"""GET /healthz: what a monitor or a load balancer asks, without signing in.

It tells whether the database answers, how long the oldest task ready to run has waited in the
queue and when the scheduler last queued a periodic task: never a person, a project or a figure.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max, Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult

from notifications.models import PeriodicRun

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"


def _seconds_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, round((now - moment).total_seconds()))


def oldest_queued_task(now: datetime) -> int | None:
    """Seconds the oldest task ready to run has waited, when the queue is the database's table."""
    if settings.TASKS["default"]["BACKEND"] != DATABASE_BACKEND:
        return None
    oldest = DBTaskResult.objects.ready().aggregate(oldest=Min("enqueued_at"))["oldest"]
    return _seconds_since(oldest, now)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the figures while the database answers; 503 when it does not."""
    now = timezone.now()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        queued = oldest_queued_task(now)
        last_run = PeriodicRun.objects.aggregate(last=Max("last_run_at"))["last"]
    except DatabaseError:
        return JsonResponse({"status": "error", "database": False}, status=503)
    body: dict[str, Any] = {
        "status": "ok",
        "database": True,
        "oldest_queued_task_seconds": queued,
        "scheduler_last_run": last_run.isoformat() if last_run else None,
        "scheduler_last_run_seconds": _seconds_since(last_run, now),
    }
    return JsonResponse(body)
