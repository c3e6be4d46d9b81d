"""python manage.py figures --year YYYY --month M [--level L] [--unit ID] [--json]"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from figures.compute import Scope, compute, yi
from lib.dates import months_so_far
from org.models import Unit
from plans.choices import PlanLevel


class Command(BaseCommand):
    help = "打印某年某月的全部统计数据（金额单位：万元）；--json 输出 docs/figures.md 所述的 JSON。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", type=int, required=True)
        parser.add_argument("--level", choices=PlanLevel.values)
        parser.add_argument("--unit", type=int, help="责任单位ID（含下级单位）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["month"] <= 12:
            raise CommandError("月份应在1到12之间。")
        unit = None
        if options["unit"] is not None:
            unit = Unit.objects.filter(pk=options["unit"]).first()
            if unit is None:
                raise CommandError(f"单位 {options['unit']} 不存在。")
        data = compute(options["year"], options["month"], Scope(level=options["level"], unit=unit))
        if options["json"]:
            self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            return
        plan = data["plan"]
        self.stdout.write(
            f"{months_so_far(options['year'], options['month'])}：项目{plan['count']}个，总投资{yi(plan['total_investment'])}亿元，"
            f"年度计划投资{yi(plan['annual_plan'])}亿元，完成投资{yi(plan['completed'])}亿元，"
            f"完成率{plan['completion_rate']}%，时间进度{plan['time_progress']}%，"
            f"{'快于' if (plan['ahead_points'] or 0) >= 0 else '慢于'}时间进度{abs(plan['ahead_points'] or 0)}个百分点。"
        )
        for row in data["by_status"]:
            self.stdout.write(f"  {row['label']}：{row['count']}个，占{row['share']}%")
