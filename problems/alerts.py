"""问题超期 (problem_overdue) and 议定事项超期 (matter_overdue) in the warnings' rule registry
(alerts/rules.py)."""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from alerts.rules import Finding, Rule, register
from problems.choices import MatterStatus
from problems.models import Matter, Problem
from problems.querysets import overdue_problems

if TYPE_CHECKING:
    from alerts.models import AlertRuleConfig


@register
class ProblemOverdue(Rule):
    """问题超期: a problem past its deadline and not solved; red some days later."""

    code = "problem_overdue"
    object_model = Problem
    name = _("问题超期")
    description = _("问题超过办理时限仍未销号。")
    unit = _("天")
    yellow_help = _("超过办理时限多少天亮黄灯（0 = 过期即亮）")
    red_help = _("超过办理时限多少天亮红灯")
    default_yellow = 0
    default_red = settings.PROBLEM_OVERDUE_RED_DAYS

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:
        rows = overdue_problems(today, config.yellow_threshold, config.red_threshold).values_list(
            "project_id", "pk", "deadline", "description", "level"
        )
        for project_id, pk, deadline, description, level in rows:
            assert deadline is not None  # an overdue problem has a deadline
            text = " ".join(description.split())[:60]
            yield Finding(
                project_id,
                f"problem:{pk}",
                level,
                _t("问题超期%(d)d天（时限%(t)s）：%(p)s")
                % {"d": (today - deadline).days, "t": deadline, "p": text},
            )


@register
class MatterOverdue(Rule):
    """议定事项超期: a decided matter on a project past its deadline and not done; red some days later."""

    code = "matter_overdue"
    object_model = Matter
    name = _("议定事项超期")
    description = _("调度会议定事项超过办理时限仍未办结（仅统计关联了项目的事项）。")
    unit = _("天")
    yellow_help = _("超过办理时限多少天亮黄灯（0 = 过期即亮）")
    red_help = _("超过办理时限多少天亮红灯")
    default_yellow = 0
    default_red = settings.MATTER_OVERDUE_RED_DAYS

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:
        rows = (
            Matter.objects.exclude(status=MatterStatus.DONE)
            .filter(project__isnull=False, deadline__lt=today)
            .values_list("project_id", "pk", "deadline", "content", "meeting__title")
            .order_by()
        )
        for project_id, pk, deadline, content, meeting in rows:
            days = (today - deadline).days
            colour = self.grade(days, config)
            if colour is None:
                continue
            text = " ".join(content.split())[:60]
            yield Finding(
                project_id,
                f"matter:{pk}",
                colour,
                _t("%(m)s议定事项超期%(d)d天（时限%(t)s）：%(c)s")
                % {"m": meeting, "d": days, "t": deadline, "c": text},
            )
