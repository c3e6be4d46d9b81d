"""节点超期 (milestone_overdue) in the warnings' rule registry (alerts/rules.py)."""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from alerts.rules import Finding, Rule, register
from milestones.models import Milestone
from milestones.querysets import overdue_milestones

if TYPE_CHECKING:
    from alerts.models import AlertRuleConfig


@register
class MilestoneOverdue(Rule):
    """节点超期: a milestone's planned date has passed without an actual date; red some days later."""

    code = "milestone_overdue"
    object_model = Milestone
    name = _("节点超期")
    description = _("节点计划完成日期已过，仍未填写实际完成日期。")
    unit = _("天")
    yellow_help = _("超过计划日期多少天亮黄灯（0 = 过期即亮）")
    red_help = _("超过计划日期多少天亮红灯")
    default_yellow = 0
    default_red = settings.MILESTONE_OVERDUE_RED_DAYS

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:
        rows = overdue_milestones(today, config.yellow_threshold, config.red_threshold).values_list(
            "project_id", "pk", "name", "planned_date", "level"
        )
        for project_id, pk, name, planned, level in rows:
            yield Finding(
                project_id,
                f"milestone:{pk}",
                level,
                _t("节点“%(n)s”超期%(d)d天（计划%(t)s）")
                % {"n": name, "d": (today - planned).days, "t": planned},
            )
