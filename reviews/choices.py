from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Half(models.TextChoices):
    """半年: the half of the year a review round belongs to (原则上每半年举行一次重点项目观摩)."""

    FIRST = "first", _("上半年")
    SECOND = "second", _("下半年")


# The criteria a new round starts with (评分项, 分值); the coordinator changes them before scoring.
DEFAULT_CRITERIA: list[tuple[str, Decimal]] = [
    ("项目建设进度", Decimal("30")),
    ("投资完成情况", Decimal("30")),
    ("项目质量与形象", Decimal("20")),
    ("要素保障与服务", Decimal("20")),
]
# A round that drops each project's highest and lowest total does so from this many sheets up.
TRIM_FROM_SHEETS = 3
