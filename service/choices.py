from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamRole(models.TextChoices):
    """专班中的角色; the chief officer (首席服务员) leads the team and is the project's own field."""

    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")
    LIAISON = "liaison", _("联络员")


class ServiceResult(models.TextChoices):
    """服务结果."""

    RESOLVED = "resolved", _("已解决")
    IN_PROGRESS = "in_progress", _("推进中")
    ESCALATED = "escalated", _("提请调度会协调")
