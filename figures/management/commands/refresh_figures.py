"""python manage.py refresh_figures [--all]"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from figures.cells import rebuild_all, refresh


class Command(BaseCommand):
    help = (
        "更新统计汇总（figures.FigureCell）：重算数据库触发器标记为待重算的单元；"
        "--all 按全部数据重建（在 TRUNCATE 或恢复备份之后运行，触发器不会为它们标记）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="重建全部年度的统计汇总")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            self.stdout.write(f"统计汇总已重建：{rebuild_all()}个单元。")
        else:
            self.stdout.write(f"已处理{refresh()}个待重算标记。")
