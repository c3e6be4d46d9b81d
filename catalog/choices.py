from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureStage(models.TextChoices):
    """审批阶段: the four stages of seed 000's green-channel guide, in order."""

    PLANNING = "planning", _("前期策划")
    PREPARATION = "preparation", _("施工前准备")
    CONSTRUCTION = "construction", _("建设实施")
    ACCEPTANCE = "acceptance", _("竣工验收")


class ProcedureApplies(models.TextChoices):
    """适用项目: whether an approval item concerns government-invested projects, enterprise ones or both."""

    ALL = "all", _("全部项目")
    GOVERNMENT = "government", _("政府投资项目")
    ENTERPRISE = "enterprise", _("企业投资项目")
