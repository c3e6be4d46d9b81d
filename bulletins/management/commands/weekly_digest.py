"""python manage.py weekly_digest [--date YYYY-MM-DD] [--dry-run]"""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bulletins.digest import compose, send_weekly_digest


class Command(BaseCommand):
    help = "发送每周简报（上周报送、预警、超期问题与本周到期事项）给区领导、重点办和已配置的群机器人。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="按哪一天发送（默认今天），汇总其前一整周")
        parser.add_argument("--dry-run", action="store_true", help="只显示内容，不发送")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as error:
            raise CommandError("日期应写作 YYYY-MM-DD，例如 2026-04-06。") from error
        if options["dry_run"]:
            digest = compose(today)
            self.stdout.write(f"{digest.title}\n{digest.body}")
            return
        digest, result = send_weekly_digest(today)
        self.stdout.write(f"{digest.title}\n{digest.body}")
        self.stdout.write(
            self.style.SUCCESS(
                f"站内消息 {result.notifications} 条，外发 {result.deliveries} 条，已发过而跳过 {result.duplicates} 条。"
            )
        )
