"""manage.py rebuild_leader_cells: 分包领导's summary built again from the tables.

The triggers mark what every write touches, and the cells are rebuilt before they are read; a
TRUNCATE marks nothing, so after one (or to check the summary) this builds every cell again.
"""

from typing import Any

from django.core.management.base import BaseCommand

from service import cells


class Command(BaseCommand):
    help = "从年度计划、月报和预警重建分包领导汇总（TRUNCATE 之后，或为核对）。"

    def handle(self, *args: Any, **options: Any) -> None:
        count = cells.rebuild_all()
        self.stdout.write(self.style.SUCCESS(f"分包领导汇总已重建：{count}个单元。"))
