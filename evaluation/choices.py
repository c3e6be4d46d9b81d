from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """综合评价 of a post-evaluation."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class Peers(models.TextChoices):
    """同类项目: what makes another project comparable, besides its size bucket."""

    CATEGORY = "category", _("同类别")
    INDUSTRY = "industry", _("同行业")
