from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    """清单类别: the named lists the seeds keep."""

    KEY = "key", _("关键项目")
    PRELIMINARY = "preliminary", _("百个前期")
    STOCK_ASSETS = "stock_assets", _("存量资产")
    WAR_MAP = "war_map", _("挂图作战")
    ENTERPRISE_SERVICE = "enterprise_service", _("企业服务年")
    OTHER = "other", _("其他")


class DisposalMethod(models.TextChoices):
    """盘活方式 of a stock asset (存量资产)."""

    REITS = "reits", _("基础设施公募REITs")
    PPP = "ppp", _("政府和社会资本合作（PPP）")
    TRANSFER = "transfer", _("产权转让")
    OTHER = "other", _("其他方式")
