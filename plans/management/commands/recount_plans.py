"""python manage.py recount_plans [--year YYYY]"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from plans.counting import recount
from plans.models import Plan


class Command(BaseCommand):
    help = (
        "重新标记各年度多级计划合并统计时计入的计划项目（PlanEntry.counted）。"
        "计划和计划项目经页面、接口或导入修改时会自动标记；绕过应用直接写入数据库后运行本命令。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="只处理该年度（默认全部年度）")

    def handle(self, *args: Any, **options: Any) -> None:
        years = (
            [options["year"]]
            if options["year"]
            else list(Plan.objects.order_by("year").values_list("year", flat=True).distinct())
        )
        for year in years:
            changed = recount(year)
            self.stdout.write(
                f"{year}年：{changed}个计划项目的标记已更正。" if changed else f"{year}年：无需更正。"
            )
