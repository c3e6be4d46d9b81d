"""专项债支出滞后 (special_bond_spending) in the warnings' rule registry (alerts/rules.py)."""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from alerts.choices import Colour
from alerts.rules import Finding, Rule, register
from elements.choices import SPECIAL_BOND_RULE, PaceLevel
from elements.models import FundingRecord
from projects.choices import ProjectStatus

if TYPE_CHECKING:
    from alerts.models import AlertRuleConfig


@register
class SpecialBondSpending(Rule):
    """专项债支出滞后: an issued special bond spent behind the linear pace to full spending in N months."""

    code = SPECIAL_BOND_RULE
    object_model = FundingRecord
    name = _("专项债支出滞后")
    description = _("专项债券应在发行后规定月数内支出完毕，按匀速计算的应支出进度与实际支出进度相比落后。")
    unit = _("个百分点")
    yellow_help = _("支出进度落后应支出进度超过多少个百分点亮黄灯（0 = 落后即亮）")
    red_help = _("支出进度落后应支出进度超过多少个百分点亮红灯")
    default_yellow = settings.SPECIAL_BOND_YELLOW_POINTS
    default_red = settings.SPECIAL_BOND_RED_POINTS

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:
        bonds = FundingRecord.objects.exclude(project__status=ProjectStatus.CANCELLED)
        thresholds = (config.yellow_threshold, config.red_threshold)
        for record, pace in bonds.lagging_bonds(today, thresholds):
            colour = Colour.RED if pace.level == PaceLevel.RED else Colour.YELLOW
            message = _t(
                "专项债（%(b)s，%(d)s发行，%(a)s万元）应支出%(e)s%%，实际支出%(s)s%%，落后%(p)s个百分点。"
            ) % {
                "b": record.issue_batch,
                "d": record.issued_on,
                "a": record.approved,
                "e": pace.expected,
                "s": pace.actual,
                "p": pace.behind,
            }
            yield Finding(record.project_id, f"funding:{record.pk}", colour, message)
