"""python manage.py data_quality --year Y --month M [--json]"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quality.choices import FlagKind
from quality.models import Flag
from quality.scan import scan_month


class Command(BaseCommand):
    help = "扫描某月的进度报告，标出数据存疑之处（已排除的疑点不再列出），--json 输出疑点列表。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="年度，如 2026")
        parser.add_argument("--month", type=int, required=True, help="月份，1–12")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出待核实的疑点")

    def handle(self, *args: Any, **options: Any) -> None:
        year, month = options["year"], options["month"]
        if not 2000 <= year <= 2100:
            raise CommandError("--year 应在 2000 到 2100 之间。")
        if not 1 <= month <= 12:
            raise CommandError("--month 应在 1 到 12 之间。")
        result = scan_month(year, month)
        flags = (
            Flag.objects.open()
            .of_month(year, month)
            .select_related("project")
            .order_by("project__name_key", "kind", "subject")
        )
        if options["json"]:
            rows = [
                {
                    "project": flag.project.name,
                    "project_id": flag.project_id,
                    "project_code": flag.project.code,
                    "period": flag.period_key,
                    "kind": flag.kind,
                    "kind_label": flag.get_kind_display(),
                    "detail": flag.detail,
                }
                for flag in flags
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{year}年{month}月：发现疑点 {result.found} 个，新增 {result.opened}，重新打开 {result.reopened}，"
            f"已纠正 {result.fixed}，已排除（保持） {result.dismissed}；新计算照片指纹 {result.hashed} 张"
        )
        labels = dict(FlagKind.choices)
        for kind, count in sorted(result.by_kind.items()):
            self.stdout.write(f"  {labels.get(kind, kind)}：{count}")
        for flag in flags:
            self.stdout.write(f"  [{flag.get_kind_display()}] {flag.project.name}：{flag.detail}")
