"""python manage.py scan_alerts [--today YYYY-MM-DD] [--rule CODE ...] [--no-notify]"""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from alerts.choices import Colour
from alerts.models import Alert
from alerts.rules import registry
from alerts.scan import run_scan


class Command(BaseCommand):
    help = "按某日运行预警扫描（默认今天），输出新亮灯、升级、销号数及各规则在亮的红黄灯数。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="以哪一天为准，YYYY-MM-DD")
        parser.add_argument("--rule", action="append", choices=list(registry()), help="只运行这些规则")
        parser.add_argument("--no-notify", action="store_true", help="不发送通知")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today 应写作 YYYY-MM-DD。") from error
        result = run_scan(today, codes=options["rule"], notify=not options["no_notify"])
        self.stdout.write(
            f"{result.today}: 新亮灯 {result.opened}，升级 {result.escalated}，销号 {result.closed}，"
            f"通知 {result.notified} 条"
        )
        counts = Alert.objects.open().order_by().values_list("rule", "colour").annotate(n=Count("id"))
        table: dict[str, dict[str, int]] = {}
        for rule, colour, n in counts:
            table.setdefault(rule, {c: 0 for c in Colour.values})[colour] = n
        rules = registry()
        for code, row in sorted(table.items()):
            name = rules[code].name if code in rules else code
            self.stdout.write(f"  {code} {name}：红灯 {row[Colour.RED]}，黄灯 {row[Colour.YELLOW]}")
        for code, failure in result.errors.items():
            self.stderr.write(f"  {code} 出错：{failure}")
