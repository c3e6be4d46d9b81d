"""export_table: write an official table (附件1/2/3) of the (year, level) plan in force, for every project."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from exchange.export import export_table
from org.models import Unit
from plans.choices import PlanLevel
from progress.periods import Period


class Command(BaseCommand):
    help = "导出附件1/2/3（标题、单位行、合并表头、合计行，A3横向打印），或某单位的空白填报模板（--template --unit）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("table", type=int, choices=[1, 2, 3], help="表格：1 前期、2 新建（竣工）、3 在建")
        parser.add_argument("--year", type=int, required=True, help="计划年度")
        parser.add_argument("--level", choices=PlanLevel.values, required=True, help="计划级别")
        parser.add_argument("--period", help="报送期 YYYY-MM（附件3必填）")
        parser.add_argument("--out", required=True, help="输出的 .xlsx 文件")
        parser.add_argument("--template", action="store_true", help="空白填报模板：完成投资留空，带下拉选项")
        parser.add_argument("--unit", help="模板所属单位的全称（只含该单位及下级单位的项目）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.run(options)
        except CommandError:
            raise
        except Exception as error:  # the command line never shows a traceback
            raise CommandError(f"导出失败：{error}") from error

    def run(self, options: dict[str, Any]) -> None:
        table, template = options["table"], options["template"]
        try:
            period = Period.parse(options["period"]) if options["period"] else None
        except ValueError as error:
            raise CommandError(str(error)) from error
        if table == 3 and period is None and not template:
            raise CommandError("导出附件3须指定报送期 --period YYYY-MM。")
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(name=options["unit"]).first()
            if unit is None:
                raise CommandError(f"单位不存在：{options['unit']}")
        out = Path(options["out"])
        with out.open("wb") as stream:
            export_table(
                table,
                options["year"],
                options["level"],
                period=period,
                unit=unit,
                template=template,
                output=stream,
            )
        self.stdout.write(self.style.SUCCESS(f"已导出附件{table}：{out}"))
