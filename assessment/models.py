from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.Model):
    """考核指标: one weighted indicator of the quarterly assessment (季考核), with its target."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("指标"), max_length=60)
    weight = models.DecimalField(
        _("权重（分）"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    target = models.DecimalField(
        _("目标值（%）"),
        max_digits=5,
        decimal_places=1,
        default=Decimal(100),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal(1000))],
        help_text=_("达到目标值得满分，未达到按比例得分。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name
