"""python manage.py figures --year YYYY --month M [--level L] [--unit ID] [--town ID] [--category CODE]
[--nature government|enterprise] [--min-total 万元] [--list NAME] [--json]"""

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from catalog.models import Category
from figures.compute import Scope, compute, yi
from figures.forms import scope_words
from lib.dates import months_so_far
from org.choices import UnitKind
from org.models import Unit
from plans.choices import PlanLevel
from projects import page
from projects.choices import InvestmentNature


class Command(BaseCommand):
    help = "打印某年某月的全部统计数据（金额单位：万元）；--json 输出 docs/figures.md 所述的 JSON。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", type=int, required=True)
        parser.add_argument("--level", choices=PlanLevel.values)
        parser.add_argument("--unit", type=int, help="责任单位ID（含下级单位）")
        parser.add_argument("--town", type=int, help="乡镇/街道ID")
        parser.add_argument("--category", help="项目类别编码，如 industry")
        parser.add_argument(
            "--nature",
            choices=InvestmentNature.values,
            help="投资性质：government 政府投资，enterprise 企业投资",
        )
        parser.add_argument("--min-total", help="总投资不低于（万元），如 10000 即亿元以上项目")
        parser.add_argument("--list", help="项目清单名称，如 关键项目清单")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["month"] <= 12:
            raise CommandError("月份应在1到12之间。")
        scope = self.scope(options)
        data = compute(options["year"], options["month"], scope)
        if options["json"]:
            self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            return
        plan, starts = data["plan"], data["starts"]
        self.stdout.write(
            f"{months_so_far(options['year'], options['month'])}{scope_words(scope)}：项目{plan['count']}个，总投资{yi(plan['total_investment'])}亿元，"
            f"年度计划投资{yi(plan['annual_plan'])}亿元，完成投资{yi(plan['completed'])}亿元，"
            f"完成率{plan['completion_rate']}%，时间进度{plan['time_progress']}%，"
            f"{'快于' if (plan['ahead_points'] or 0) >= 0 else '慢于'}时间进度{abs(plan['ahead_points'] or 0)}个百分点。"
        )
        for row in data["by_status"]:
            self.stdout.write(f"  {row['label']}：{row['count']}个，占{row['share']}%")
        for label, rate in (("开工率", "start_rate"), ("复工率", "resume_rate"), ("竣工率", "finish_rate")):
            self.stdout.write(f"  {label}：{'—' if starts[rate] is None else f'{starts[rate]}%'}")

    def scope(self, options: dict[str, Any]) -> Scope:
        """The scope the options name; a unit, town, category or list that does not exist is an error."""
        unit = town = category = None
        if options["unit"] is not None:
            unit = Unit.objects.filter(pk=options["unit"]).first()
            if unit is None:
                raise CommandError(f"单位 {options['unit']} 不存在。")
        if options["town"] is not None:
            town = Unit.objects.filter(pk=options["town"], kind=UnitKind.TOWN).first()
            if town is None:
                raise CommandError(f"乡镇/街道 {options['town']} 不存在。")
        if options["category"]:
            category = Category.objects.filter(code=options["category"]).first()
            if category is None:
                raise CommandError(f"项目类别 {options['category']} 不存在。")
        min_total = None
        if options["min_total"] is not None:
            try:
                min_total = Decimal(options["min_total"])
            except InvalidOperation:
                raise CommandError("--min-total 应为万元金额，如 10000。") from None
            if not min_total.is_finite() or min_total < 0 or min_total >= Decimal(10) ** 14:
                raise CommandError("--min-total 应为不小于0的万元金额，如 10000。")
        project_list = None
        if options["list"]:
            lists = page.project_lists()
            project_list = lists.filter(name=options["list"].strip()).first() if lists is not None else None
            if project_list is None:
                raise CommandError(f"项目清单“{options['list']}”不存在。")
        return Scope(
            level=options["level"],
            unit=unit,
            town=town,
            category=category,
            nature=options["nature"],
            min_total=min_total,
            project_list=project_list,
        )
