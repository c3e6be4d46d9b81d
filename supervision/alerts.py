"""督办超期 (notice_overdue) in the warnings' rule registry (alerts/rules.py)."""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from alerts.rules import Finding, Rule, register
from supervision.choices import NoticeStatus
from supervision.models import Notice, notice_number

if TYPE_CHECKING:
    from alerts.models import AlertRuleConfig


@register
class NoticeOverdue(Rule):
    """督办超期: a 督办通知单 past its reply deadline with no reply; lit on each project it names."""

    code = "notice_overdue"
    object_model = Notice
    name = _("督办超期")
    description = _("督办通知单超过办理时限仍未回复，在通知单涉及的每个项目上亮灯。")
    unit = _("天")
    yellow_help = _("超过办理时限多少天亮黄灯（0 = 过期即亮）")
    red_help = _("超过办理时限多少天亮红灯")
    default_yellow = 0
    default_red = settings.NOTICE_OVERDUE_RED_DAYS

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:
        rows = (
            Notice.projects.through.objects.filter(
                notice__status=NoticeStatus.SENT, notice__deadline__lt=today
            )
            .values_list(
                "project_id", "notice_id", "notice__deadline", "notice__year", "notice__seq", "notice__title"
            )
            .order_by()
        )
        for project_id, pk, deadline, year, seq, title in rows:
            days = (today - deadline).days
            colour = self.grade(days, config)
            if colour is None:
                continue
            yield Finding(
                project_id,
                f"notice:{pk}",
                colour,
                _t("督办通知单%(n)s超期%(d)d天未回复（时限%(t)s）：%(s)s")
                % {"n": notice_number(year, seq), "d": days, "t": deadline, "s": title[:60]},
            )
