"""python manage.py forecast --year YYYY --month M [--level L] [--unit ID] [--json] | --backtest"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from forecast.compute import backtest, forecast
from lib.dates import months_so_far
from org.models import Unit
from plans.choices import PlanLevel
from plans.scope import Scope

# The keys of the JSON (docs: the command's contract).
PROJECT_KEYS = ("code", "name", "annual_plan", "completed", "forecast", "forecast_rate", "at_risk", "reason")
TOTAL_KEYS = ("annual_plan", "completed", "forecast", "forecast_rate", "low", "high", "low_rate", "high_rate")


def percent(value: Any) -> str:
    return "—" if value is None else f"{value}%"


class Command(BaseCommand):
    help = (
        "年度目标预测：每个列入年度计划的项目预计全年完成投资、完成率和是否有风险，及合计与区间（金额单位：万元）；"
        "--backtest 用库中往年数据回测各月预测的平均绝对误差。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int)
        parser.add_argument("--month", type=int)
        parser.add_argument("--level", choices=PlanLevel.values)
        parser.add_argument("--unit", type=int, help="责任单位ID（含下级单位）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument(
            "--backtest",
            action="store_true",
            help="回测：库中各完整年度，1—11月各月所作预测与当年实际年末对比",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["backtest"]:
            self.backtest(options)
            return
        year, month = options["year"], options["month"]
        if year is None or month is None:
            raise CommandError("请给出 --year 和 --month（或使用 --backtest）。")
        if not 1 <= month <= 12:
            raise CommandError("月份应在1到12之间。")
        if not 2000 <= year <= 2100:
            raise CommandError("年份应在2000到2100之间。")
        unit = None
        if options["unit"] is not None:
            unit = Unit.objects.filter(pk=options["unit"]).first()
            if unit is None:
                raise CommandError(f"单位 {options['unit']} 不存在。")
        data = forecast(year, month, Scope(level=options["level"], unit=unit))
        if options["json"]:
            shaped = {
                "projects": [{key: row[key] for key in PROJECT_KEYS} for row in data["projects"]],
                "total": {key: data["total"][key] for key in TOTAL_KEYS},
            }
            self.stdout.write(json.dumps(shaped, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            return
        total = data["total"]
        self.stdout.write(
            f"{months_so_far(year, month)}：列入年度计划的项目{total['count']}个，年度计划投资{total['annual_plan']}万元，"
            f"已完成{total['completed']}万元（{percent(total['completion_rate'])}）；"
            f"按目前进度，预计全年完成{total['forecast']}万元，完成率{percent(total['forecast_rate'])}"
            f"（区间{percent(total['low_rate'])}—{percent(total['high_rate'])}）。"
        )
        at_risk = [row for row in data["projects"] if row["at_risk"]]
        self.stdout.write(f"预计完不成年度计划{data['threshold']}%的项目{len(at_risk)}个。")
        for row in at_risk:
            self.stdout.write(
                f"  {row['code'] or '—'}  {row['name']}：计划{row['annual_plan']}，已完成{row['completed']}，"
                f"预计{row['forecast']}（{percent(row['forecast_rate'])}）；{row['reason']}"
            )

    def backtest(self, options: dict[str, Any]) -> None:
        before = options["year"] + 1 if options["year"] else timezone.localdate().year
        data = backtest(before)
        if options["json"]:
            self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            return
        if not data["years"]:
            self.stdout.write("库中没有可回测的完整年度（需要往年的年度计划和月报）。")
            return
        years = data["years"]
        span = f"{years[0]}年" if len(years) == 1 else f"{years[0]}—{years[-1]}年"
        self.stdout.write(f"回测：{span}（{len(years)}个年度），各月所作的全年预测与当年实际年末对比。")
        headers = (
            "月份",
            "年度",
            "预测数",
            "平均绝对误差(百分点)",
            "平均绝对误差(万元)",
            "合计误差(百分点)",
            "风险判断准确率",
            "区间覆盖",
        )
        self.stdout.write("  ".join(headers))
        for row in data["months"]:
            self.stdout.write(
                "  ".join(
                    (
                        f"{row['month']:>2}月",
                        f"{row['years']:>4}",
                        f"{row['forecasts']:>6}",
                        f"{row['mae_points']:>20}",
                        f"{row['mae_amount']:>18}",
                        f"{row['total_error_points']:>16}",
                        f"{percent(row['risk_accuracy']):>14}",
                        f"{percent(row['range_coverage']):>8}",
                    )
                )
            )
