from django.db import models
from django.utils.translation import gettext_lazy as _


class FinancingKind(models.TextChoices):
    """融资方式."""

    PROJECT_LOAN = "project_loan", _("项目贷款")
    WORKING_CAPITAL = "working_capital", _("流动资金贷款")
    SYNDICATED = "syndicated", _("银团贷款")
    LEASING = "leasing", _("融资租赁")
    POLICY = "policy", _("政策性金融工具")
    OTHER = "other", _("其他")


class NeedState(models.TextChoices):
    """对接状态 of a financing need, derived from what happened to it (financing.querysets)."""

    WAITING = "waiting", _("待对接")
    PROMOTED = "promoted", _("已推介")
    SIGNED = "signed", _("已签约")
    CLOSED = "closed", _("已终止")
