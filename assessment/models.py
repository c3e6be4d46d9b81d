from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MissingData(models.TextChoices):
    """How an indicator counts for a unit it has nothing to measure for (无数据)."""

    EXCLUDE = "exclude", _("不计入，按其余指标折算")
    ZERO = "zero", _("计0分")


class Indicator(models.Model):
    """考核指标: one weighted indicator of the quarterly assessment (季考核), with its target."""

    code = models.CharField(_("数据来源"), max_length=40, unique=True)
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
    missing = models.CharField(
        _("无数据时"),
        max_length=10,
        choices=MissingData.choices,
        default=MissingData.EXCLUDE,
        help_text=_("单位在该指标上没有可考核事项时的计分方式。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Table(models.IntegerChoices):
    """The three official tables units send every month (seed 004, 附件1–3)."""

    PRELIMINARY = 1, _("附件1 前期项目谋划表")
    NEW_OR_COMPLETED = 2, _("附件2 新建（竣工）项目情况表")
    UNDER_CONSTRUCTION = 3, _("附件3 在建项目进展情况表")


class TableSubmission(models.Model):
    """表格报送: a town's or department's table of a month, and when it reached the coordinating
    office — recorded when the unit imports the table, or by the office for one sent otherwise."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.CASCADE, related_name="table_submissions", verbose_name=_("报送单位")
    )
    table = models.PositiveSmallIntegerField(_("表格"), choices=Table.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(
        _("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    batch = models.ForeignKey(
        "exchange.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("导入记录"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("表格报送")
        verbose_name_plural = _("表格报送")
        ordering = ["year", "month", "unit", "table"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "table", "year", "month"],
                name="table_submission_once_a_month",
                violation_error_message=_("该单位本月的这张表已登记报送。"),
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="table_submission_month_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.year}-{self.month:02d} · {self.get_table_display()}"
