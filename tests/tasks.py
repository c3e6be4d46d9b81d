"""The RQ backend as the tests use it under TASKS_BACKEND=rq (.ci/run's pass over the task tests).

Every task goes the whole way a production one does: it is serialized into a job on Redis, an RQ
worker takes it from the queue and runs it through django-tasks-rq's job class, and the result is
read back from Redis. The worker is rq's SimpleWorker, run in burst mode in the test's own process
and thread right after the enqueue: it runs the task without forking, on the test's database
connection, so that the task sees the test's data and the test sees the task done when enqueue
returns, as with the immediate backend the other runs use.
"""

from typing import Any, TypeVar

import django_rq
from django_tasks.base import Task, TaskResult
from django_tasks_rq import Job, RQBackend
from rq import SimpleWorker
from rq.timeouts import TimerDeathPenalty

T = TypeVar("T")


class InProcessWorker(SimpleWorker):
    """A SimpleWorker that leaves the process's signal handlers alone (the test runner keeps its
    Ctrl-C) and times jobs out with a timer thread rather than SIGALRM, which only the main thread
    may use: a live server's request thread may enqueue too."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        return None


class BurstRQBackend(RQBackend):
    """django-tasks-rq's backend; each enqueue is followed by an in-process burst of an RQ worker."""

    def enqueue(self, task: Task[Any, T], args: Any, kwargs: Any) -> TaskResult[T]:
        queued = super().enqueue(task, args, kwargs)
        if task.run_after is None:
            queue = django_rq.get_queue(task.queue_name, job_class=Job)
            worker = InProcessWorker([queue], connection=queue.connection, job_class=Job)
            worker.work(burst=True, logging_level="WARNING")
        return self.get_result(queued.id)


def empty_queues() -> None:
    """Drop jobs an earlier, interrupted run may have left in the test queues."""
    for name in django_rq.settings.QUEUES:
        django_rq.get_queue(name).empty()
