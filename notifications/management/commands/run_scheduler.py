"""python manage.py run_scheduler [--interval SECONDS] [--once]"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from notifications.scheduler import run_due, schedules


class Command(BaseCommand):
    help = "按 settings.PERIODIC_TASKS 定时把任务放入队列（每日预警扫描、报送提醒、消息发送），由 db_worker 执行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=20.0, help="检查间隔（秒）")
        parser.add_argument("--once", action="store_true", help="只检查一次后退出")

    def handle(self, *args: Any, **options: Any) -> None:
        names = ", ".join(s.name for s in schedules())
        self.stdout.write(f"Scheduler started: {names}")
        try:
            while True:
                try:
                    for name in run_due():
                        self.stdout.write(f"queued {name}")
                except DatabaseError as error:
                    # A busy or restarting database: try again on the next tick.
                    self.stderr.write(f"scheduler: {error}")
                if options["once"]:
                    return
                time.sleep(options["interval"])
                # A long-running process: drop connections the database has timed out meanwhile.
                close_old_connections()
        except KeyboardInterrupt:
            self.stdout.write("Scheduler stopped.")
