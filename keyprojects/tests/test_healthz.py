"""GET /healthz answers a monitor without signing in: the database, the task queue, the scheduler."""

from datetime import timedelta

import django_rq
import pytest
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rq import Queue

from notifications.models import PeriodicRun
from notifications.tasks import deliver_notifications

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_an_anonymous_monitor_gets_the_figures_and_nothing_else(world):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok",
        "database": True,
        "task_queue": True,
        "oldest_queued_task_seconds": None,
        "scheduler_last_run": None,
        "scheduler_last_run_seconds": None,
    }
    body = response.content.decode()
    for private in (world.coordinator.username, world.project_a.name, world.owner_a_unit.name):
        assert private not in body
    assert "sessionid" not in response.cookies


def test_the_oldest_task_waiting_in_the_queue_and_the_schedulers_last_run(settings):
    settings.TASKS = DATABASE_QUEUE
    deliver_notifications.enqueue()
    deliver_notifications.enqueue()
    now = timezone.now()
    oldest = DBTaskResult.objects.order_by("enqueued_at").first()
    assert oldest is not None
    DBTaskResult.objects.filter(pk=oldest.pk).update(enqueued_at=now - timedelta(seconds=600))
    # A task that has already run is not waiting.
    DBTaskResult.objects.exclude(pk=oldest.pk).update(
        status="SUCCESSFUL", enqueued_at=now - timedelta(days=2)
    )
    PeriodicRun.objects.create(name="alerts.daily_scan", last_run_at=now - timedelta(hours=5))
    PeriodicRun.objects.create(name="notifications.deliver", last_run_at=now - timedelta(seconds=40))
    PeriodicRun.objects.create(name="figures.refresh", last_run_at=None)

    body = Client().get("/healthz").json()

    assert 600 <= body["oldest_queued_task_seconds"] < 660
    assert 40 <= body["scheduler_last_run_seconds"] < 100
    assert body["scheduler_last_run"] == (now - timedelta(seconds=40)).isoformat()


RQ_QUEUE = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


@pytest.mark.skipif(settings.TASKS_BACKEND != "rq", reason="Redis: .ci/run's pass with TASKS_BACKEND=rq")
def test_the_oldest_job_waiting_in_the_redis_queue(settings):
    """With the RQ backend the queue is Redis: the job at the head of it, no worker taking it."""
    settings.TASKS = RQ_QUEUE
    queue = django_rq.get_queue("default")
    queue.empty()
    # Queued at once, not when the test's transaction commits (django-rq's default).
    direct = Queue(queue.name, connection=queue.connection)
    try:
        job = direct.enqueue("os.getcwd")
        job.enqueued_at = timezone.now() - timedelta(seconds=900)
        job.save()
        direct.enqueue("os.getcwd")
        body = Client().get("/healthz").json()
    finally:
        queue.empty()
    assert body["status"] == "ok" and body["task_queue"] is True
    assert 900 <= body["oldest_queued_task_seconds"] < 960


def test_redis_not_answering_is_degraded_not_down(settings, monkeypatch):
    """The database answers and Redis does not (nothing listens on port 1): the site still works,
    the tasks wait, and the monitor is told."""
    settings.TASKS = RQ_QUEUE
    monkeypatch.setattr(
        django_rq.settings,
        "QUEUES",
        {"default": {"URL": "redis://127.0.0.1:1/0", "SOCKET_CONNECT_TIMEOUT": 2}},
    )
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["task_queue"] is False
    assert response.json()["oldest_queued_task_seconds"] is None


def test_a_signed_in_user_of_any_role_gets_it_too(world, client_for):
    for user in (world.owner_a, world.leader):
        assert client_for(user).get("/healthz").status_code == 200


def test_it_only_reads(world):
    assert Client().post("/healthz").status_code == 405


@pytest.mark.parametrize(
    ("engine", "name", "host", "port"),
    [
        # A database file in a folder that does not exist cannot be opened.
        ("django.db.backends.sqlite3", "{tmp}/missing/db.sqlite3", "", ""),
        # Nothing listens on port 1: the connection is refused.
        ("django.db.backends.postgresql", "keyprojects", "127.0.0.1", "1"),
    ],
)
def test_an_unreachable_database_answers_503(tmp_path, engine, name, host, port):
    default = connections["default"]
    unreachable = load_backend(engine).DatabaseWrapper(
        {
            **default.settings_dict,
            "ENGINE": engine,
            "NAME": name.format(tmp=tmp_path),
            "HOST": host,
            "PORT": port,
            "USER": "keyprojects",
            "PASSWORD": "",
            "OPTIONS": {"connect_timeout": 3} if host else {},
        },
        "default",
    )
    connections["default"] = unreachable
    try:
        response = Client().get("/healthz")
    finally:
        connections["default"] = default
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": False}
