"""A burst of accepted reports queues one warning scan, on the database queue and on Redis."""

import os

import django_rq
import pytest
from django_tasks_db.models import DBTaskResult
from django_tasks_rq import Job

from alerts.tasks import request_scan
from tests.tasks import empty_queues

pytestmark = pytest.mark.django_db


def test_a_scan_waiting_in_the_database_queue_is_not_queued_again(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    request_scan()
    request_scan()
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("alerts.tasks.scan_alerts", "READY")
    ]


@pytest.mark.skipif(
    os.environ.get("TASKS_BACKEND") != "rq", reason="runs in .ci/run's pass with TASKS_BACKEND=rq and Redis"
)
def test_a_scan_waiting_on_redis_is_not_queued_again(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    empty_queues()
    request_scan()
    request_scan()
    queue = django_rq.get_queue("default", job_class=Job)
    jobs = Job.fetch_many(queue.get_job_ids(), connection=queue.connection)
    assert [job.func_name for job in jobs if job is not None] == ["alerts.tasks.scan_alerts"]
    empty_queues()
