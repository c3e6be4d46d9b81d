"""python manage.py run_worker [--burst]: the task worker that `make serve` and
deploy/keyprojects-worker.service run, for whichever backend settings.TASKS names."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_rq import RQBackend


class Command(BaseCommand):
    help = (
        "运行后台任务执行进程：TASKS_BACKEND=db 时执行数据库中的任务队列（db_worker），"
        "rq 时执行 Redis 中的任务队列（RQ 工作进程，可在多台机器上各运行几个）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--burst", action="store_true", help="执行完队列中现有的任务后退出")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = task_backends["default"]
        queues = sorted(backend.queues)
        if isinstance(backend, RQBackend):
            # django-tasks-rq's job class runs the django.tasks Task; the scheduler in the worker
            # moves tasks queued with run_after to the queue when their time comes.
            call_command(
                "rqworker",
                *queues,
                job_class="django_tasks_rq.Job",
                with_scheduler=True,
                burst=options["burst"],
                verbosity=options["verbosity"],
            )
        elif isinstance(backend, DatabaseBackend):
            call_command("db_worker", queue_name=",".join(queues), reload=False, batch=options["burst"])
        else:
            raise CommandError(
                f"后台任务后端 {type(backend).__module__}.{type(backend).__name__} 没有内置的执行进程："
                "请按该后端的说明启动它的工作进程。"
            )
