"""年度目标风险 (year_target_risk) in the warnings' rule registry (alerts/rules.py)."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from alerts.rules import Finding, Rule, latest_closed_month, register
from forecast.compute import forecast
from plans.scope import Scope

if TYPE_CHECKING:
    from alerts.models import AlertRuleConfig


@register
class YearTargetRisk(Rule):
    """年度目标风险: the year-end forecast falls short of the annual plan, from a configurable month on."""

    code = "year_target_risk"
    name = _("年度目标风险")
    description = _(
        "按目前进度预测的全年完成率低于年度计划投资；自每年规定月份（FORECAST_RULE_FROM_MONTH，默认6月）起判断，"
        "按已过报送截止日的最近月份预测。"
    )
    unit = _("个百分点")
    yellow_help = _("预计全年完成率低于100%超过多少个百分点亮黄灯")
    red_help = _("预计全年完成率低于100%超过多少个百分点亮红灯")
    # The yellow light at the forecast's own at-risk line (FORECAST_RISK_THRESHOLD, 90% by default).
    default_yellow, default_red = 100 - settings.FORECAST_RISK_THRESHOLD, 30

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:
        closed = latest_closed_month(today)
        if closed is None:
            return
        year, month = closed
        if month < settings.FORECAST_RULE_FROM_MONTH:
            return
        # Only the projects the lights can fall on: a rate more than the lower threshold below 100%.
        points = min(config.yellow_threshold, config.red_threshold)
        for row in forecast(year, month, Scope(), below=Decimal(100 - points))["projects"]:
            rate = row["forecast_rate"]
            if rate is None:
                continue
            colour = self.grade(100 - rate, config)
            if colour:
                message = _t("按目前进度，预计%(y)d年全年完成年度计划投资的%(r)s%%（%(why)s）。") % {
                    "y": year,
                    "r": rate,
                    "why": row["reason"],
                }
                yield Finding(row["id"], str(year), colour, message)
