"""python manage.py rebuild_summaries"""

from typing import Any

from django.core.management.base import BaseCommand

from figures.summary import SUMMARIES


class Command(BaseCommand):
    help = (
        "按全部数据重建集中开工、要素保障、资金保障、一张图、预警看板和年度目标预测等的汇总（figures.summary）："
        "在 TRUNCATE 或在应用之外成批改写数据之后运行，数据库触发器不会为它们标记。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for summary in SUMMARIES:
            self.stdout.write(f"{summary.name}汇总已重建：{summary.rebuild_all()}个单元。")
