"""集中开工未实质性开工 (collective_start_stalled) in the warnings' rule registry (alerts/rules.py)."""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from alerts.rules import Finding, Rule, register
from starts.models import StartEvent, StartEventProject

if TYPE_CHECKING:
    from alerts.models import AlertRuleConfig


@register
class CollectiveStartStalled(Rule):
    """集中开工项目未实质性开工: no report with an amount and no actual start by the end of the check window."""

    code = "collective_start_stalled"
    object_model = StartEvent
    name = _("集中开工未实质性开工")
    description = _(
        "参加集中开工活动的项目，在活动后规定月数内（默认2个月）既无报送的完成投资，也无实际开工时间。"
    )
    unit = _("天")
    yellow_help = _("核查截止日后超过多少天亮黄灯（0 = 截止即亮）")
    red_help = _("核查截止日后超过多少天亮红灯")
    default_yellow, default_red = 0, 30

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:
        rows = (
            StartEventProject.objects.stalled(today)
            .values_list("project_id", "event_id", "event__batch", "event__held_on", "event__check_by")
            .order_by()
        )
        for project_id, event_id, batch, held_on, check_by in rows:
            days = (today - check_by).days
            colour = self.grade(days, config)
            if colour:
                message = _t("%(b)s（%(h)s）后%(m)d个月内未实质性开工，已超过核查截止日%(d)d天。") % {
                    "b": batch,
                    "h": held_on,
                    "m": settings.COLLECTIVE_START_CHECK_MONTHS,
                    "d": days,
                }
                yield Finding(project_id, f"start_event:{event_id}", colour, message)
