from django.db import models
from django.utils.translation import gettext_lazy as _

# FundingSource.code of 地方政府专项债券, whose spending pace is watched.
SPECIAL_BOND = "special_bond"
# The warning rule (alerts registry) for special bonds spent behind pace.
SPECIAL_BOND_RULE = "special_bond_spending"


class ElementStatus(models.TextChoices):
    """保障状态 of one element a project needs."""

    PENDING = "pending", _("待保障")
    COORDINATING = "coordinating", _("协调中")
    SECURED = "secured", _("已保障")


# Elements a project is still waiting on: the board pushes these to the supplying departments.
WAITING_STATUSES = (ElementStatus.PENDING, ElementStatus.COORDINATING)


class IndicatorSource(models.TextChoices):
    """用地指标来源."""

    PROVINCIAL = "provincial", _("省级统筹")
    MUNICIPAL = "municipal", _("市级统筹")
    LOCAL = "local", _("本级自有")
    LINKAGE = "linkage", _("增减挂钩")
    STOCK = "stock", _("存量盘活")
    OTHER = "other", _("其他")


class PaceLevel(models.TextChoices):
    """专项债支出进度 against the expected linear pace."""

    ON_PACE = "on_pace", _("正常")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")
