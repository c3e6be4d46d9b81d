"""manage.py rebuild_approval_cells: 审批效能's summary built again from the procedures.

The triggers keep it current on every write; a TRUNCATE fires none of them, so after one (or to
check the summary) this builds every cell again, as every `migrate` does.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from approvals import cells


class Command(BaseCommand):
    help = "从项目手续重建审批效能汇总（TRUNCATE 之后，或为核对）。"

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            count = cells.rebuild()
        self.stdout.write(self.style.SUCCESS(f"审批效能汇总已重建：{count}个单元。"))
