"""The task worker of either backend (`manage.py run_worker`): a queued task is run and its result read.

The RQ tests need Redis; they run in .ci/run's pass with TASKS_BACKEND=rq (REDIS_URL names the
Redis database the tests may use), and fail there when Redis does not answer.
"""

import os
import subprocess
import sys
from datetime import date
from urllib.parse import quote

import django_rq
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_rq import Job

from alerts.models import Alert
from alerts.tasks import scan_alerts
from tests.tasks import InProcessWorker, empty_queues

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RQ_QUEUE = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}

rq_pass = pytest.mark.skipif(
    os.environ.get("TASKS_BACKEND") != "rq", reason="runs in .ci/run's pass with TASKS_BACKEND=rq and Redis"
)


@pytest.fixture
def late_project(world):
    """project_b should have started on 1 March 2026 and has not: a scan on 1 May opens a warning."""
    world.project_b.planned_start_date = date(2026, 3, 1)
    world.project_b.save()
    return world


# db_worker closes its database connection between tasks: the test's data must be committed.
@pytest.mark.django_db(transaction=True)
def test_a_task_queued_in_the_database_is_run_by_run_worker_and_its_result_is_seen(late_project, settings):
    settings.TASKS = DATABASE_QUEUE
    queued = scan_alerts.enqueue("2026-05-01")
    assert queued.status == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().count() == 1 and not Alert.objects.exists()
    call_command("run_worker", "--burst")
    result = scan_alerts.get_result(queued.id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    scanned = result.return_value
    assert scanned is not None and scanned["today"] == "2026-05-01"
    assert scanned["opened"] == Alert.objects.count() == 1


@rq_pass
def test_a_task_queued_through_rq_is_run_by_an_rq_worker_and_its_result_is_seen(late_project, settings):
    settings.TASKS = RQ_QUEUE
    empty_queues()
    queued = scan_alerts.enqueue("2026-05-01")
    queue = django_rq.get_queue("default", job_class=Job)
    assert queued.status == TaskResultStatus.READY
    assert queue.job_ids == [queued.id] and not Alert.objects.exists()
    assert InProcessWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    result = scan_alerts.get_result(queued.id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    scanned = result.return_value
    assert scanned is not None and scanned["today"] == "2026-05-01"
    assert scanned["opened"] == Alert.objects.count() == 1
    assert queue.count == 0


@rq_pass
def test_a_task_that_fails_on_rq_is_seen_failed_with_its_error(world, settings):
    settings.TASKS = RQ_QUEUE
    empty_queues()
    queued = scan_alerts.enqueue("not a date")
    queue = django_rq.get_queue("default", job_class=Job)
    InProcessWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    result = scan_alerts.get_result(queued.id)
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[-1].exception_class_path == "builtins.ValueError"
    assert "not a date" in result.errors[-1].traceback


@rq_pass
@pytest.mark.django_db(transaction=True)
def test_run_worker_starts_an_rq_worker_that_runs_what_the_site_queued(late_project, settings):
    """The command `make serve` starts, as its own process: it forks a work horse per task, which
    opens its own database connection, so the database must be one another process can open."""
    if connection.vendor == "sqlite":
        pytest.skip("the test database is SQLite in memory, which another process cannot open")
    settings.TASKS = RQ_QUEUE
    empty_queues()
    queued = scan_alerts.enqueue("2026-05-01")
    database = connection.settings_dict
    login = quote(database["USER"]) + (f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else "")
    address = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    env = {
        **os.environ,
        "TASKS_BACKEND": "rq",
        "REDIS_URL": django_settings.REDIS_URL,
        "DATABASE_URL": f"postgres://{login}@{address}/{database['NAME']}",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "run_worker", "--burst"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = scan_alerts.get_result(queued.id)
    assert result.status == TaskResultStatus.SUCCESSFUL, done.stderr
    scanned = result.return_value
    assert scanned is not None and scanned["opened"] == Alert.objects.count() == 1
