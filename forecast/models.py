"""年度目标预测's summary: each planned entry's year-end forecast at the end of a month, kept so that
a scope's forecast adds up rows rather than forecasting every project on each request."""

from django.db import models
from django.utils.translation import gettext_lazy as _

MONTH_FIELDS = [f"ytd_{month}" for month in range(1, 13)]


class ForecastBuild(models.Model):
    """年度目标预测汇总批次: a (year, month) whose `ForecastRow`s are kept, with what they were worked
    out from beyond the tables: the settings, whether the year was the year under way (a
    suspension speaks for that year only), the plans in force of the past years and a digest of
    the past years' profiles. The rows are built again whole when any of these no longer holds."""

    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    current = models.BooleanField(_("当年"))
    stall_months = models.PositiveSmallIntegerField(_("停滞月数"))
    # The at-risk line (FORECAST_RISK_THRESHOLD) in tenths of a percent, as the cells count it.
    risk_tenths = models.PositiveIntegerField(_("风险线"))
    history_years = models.PositiveSmallIntegerField(_("参考往年数"))
    plans_key = models.CharField(_("往年在用计划"), max_length=64)
    profiles_key = models.CharField(_("往年规律摘要"), max_length=64)
    # The years the profiles come from, and the whole district's completed investment month by
    # month over them (forecast.history.scope_series), oldest first.
    profile_years = models.JSONField(_("参考年度"), default=list)
    series = models.JSONField(_("往年逐月完成投资"), default=list)
    built_at = models.DateTimeField(_("生成时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度目标预测汇总批次")
        verbose_name_plural = _("年度目标预测汇总批次")
        constraints = [models.UniqueConstraint(fields=["year", "month"], name="forecast_build_once")]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


class YearToDate(models.Model):
    """The year-to-date at the end of each month (`ytd_M`, MONTH_FIELDS), in whole cents of 万元."""

    ytd_1 = models.BigIntegerField(default=0)
    ytd_2 = models.BigIntegerField(default=0)
    ytd_3 = models.BigIntegerField(default=0)
    ytd_4 = models.BigIntegerField(default=0)
    ytd_5 = models.BigIntegerField(default=0)
    ytd_6 = models.BigIntegerField(default=0)
    ytd_7 = models.BigIntegerField(default=0)
    ytd_8 = models.BigIntegerField(default=0)
    ytd_9 = models.BigIntegerField(default=0)
    ytd_10 = models.BigIntegerField(default=0)
    ytd_11 = models.BigIntegerField(default=0)
    ytd_12 = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class ForecastRow(YearToDate):
    """年度目标预测汇总行: one plan entry of `year` with an annual plan, forecast at the end of `month`
    (forecast.compute), with the keys a scope narrows by (as the figures' cells have them) and what
    its reason is worked out from. Amounts are in whole cents of 万元; `tenths` is the forecast
    completion rate in tenths of a percent; `ytd_M` the year-to-date at the end of month M."""

    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    # Plain ids, as the figures' cells keep them: a row never stands in the way of a deletion.
    plan_id = models.BigIntegerField(_("计划"))
    counted = models.BooleanField(_("计入汇总"))
    project_id = models.BigIntegerField(_("项目"))
    name = models.CharField(_("项目名称"), max_length=200)
    code = models.CharField(_("项目代码"), max_length=30, blank=True)
    category_id = models.BigIntegerField(_("行业类别"), null=True)
    plan_type = models.CharField(_("计划类型"), max_length=20)
    # 0 for a project whose responsible unit is still 待明确.
    unit_id = models.BigIntegerField(_("责任单位"))
    town_id = models.BigIntegerField(_("乡镇街道"), null=True)
    owner_unit_id = models.BigIntegerField(_("项目单位"), null=True)
    plan_cents = models.BigIntegerField(_("年度计划投资"))
    completed_cents = models.BigIntegerField(_("已完成投资"))
    forecast_cents = models.BigIntegerField(_("预计全年完成"))
    own_cents = models.BigIntegerField(_("按自身进度预计"))
    by_plan_cents = models.BigIntegerField(_("按计划预计"))
    tenths = models.IntegerField(_("预计完成率"))
    kind = models.PositiveSmallIntegerField(_("预测方式"))
    idle = models.PositiveSmallIntegerField(_("停滞月数"))
    expected_share = models.FloatField(_("应完成比例"))
    basis = models.PositiveSmallIntegerField(_("参照规律"))
    realisation = models.FloatField(_("往年实现比例"))
    active_from = models.PositiveSmallIntegerField(_("计划开工月份"))
    cancelled = models.BooleanField(_("已终止"))

    class Meta:
        verbose_name = _("年度目标预测汇总行")
        verbose_name_plural = _("年度目标预测汇总行")
        indexes = [
            # The worst forecasts of a month first (the card's list), and a month's rows to add up.
            models.Index(fields=["year", "month", "tenths", "name"], name="forecast_row_rank"),
            models.Index(fields=["year", "month", "unit_id"], name="forecast_row_of_unit"),
            models.Index(fields=["year", "month", "owner_unit_id"], name="forecast_row_of_owner"),
            models.Index(fields=["year", "project_id"], name="forecast_row_of_project"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} {self.name}"


class ForecastCell(YearToDate):
    """年度目标预测汇总单元: the rows of a month added up per combination of plan, counting mark,
    category, plan type, responsible unit, town and, when `per_owner`, owner unit, as the figures'
    cells are keyed (figures.cells.visible_cells reads them for a user): how many, how many at risk
    (below the build's line), and the amounts and year-to-date of the rows, in whole cents."""

    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    per_owner = models.BooleanField(_("按项目单位"), default=False)
    plan_id = models.BigIntegerField(_("计划"))
    counted = models.BooleanField(_("计入汇总"))
    category_id = models.BigIntegerField(_("行业类别"), null=True)
    plan_type = models.CharField(_("计划类型"), max_length=20)
    unit_id = models.BigIntegerField(_("责任单位"))
    town_id = models.BigIntegerField(_("乡镇街道"), null=True)
    owner_unit_id = models.BigIntegerField(_("项目单位"), null=True)
    count = models.IntegerField(default=0)
    at_risk = models.IntegerField(default=0)
    plan_cents = models.BigIntegerField(default=0)
    completed_cents = models.BigIntegerField(default=0)
    forecast_cents = models.BigIntegerField(default=0)
    own_cents = models.BigIntegerField(default=0)
    by_plan_cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("年度目标预测汇总单元")
        verbose_name_plural = _("年度目标预测汇总单元")
        indexes = [
            models.Index(fields=["year", "month", "per_owner", "plan_id"], name="forecast_cell_by_month"),
            models.Index(fields=["year", "month", "per_owner", "unit_id"], name="forecast_cell_of_unit"),
            models.Index(
                fields=["year", "month", "per_owner", "owner_unit_id"], name="forecast_cell_of_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} unit {self.unit_id} owner {self.owner_unit_id}"


class ForecastStale(models.Model):
    """年度目标预测待重算标记: a (year, responsible unit, owner unit) whose forecast rows no longer match
    the tables; without an owner unit, every row of the responsible unit's year."""

    year = models.PositiveSmallIntegerField(_("年度"))
    unit_id = models.BigIntegerField(_("责任单位"))
    owner_id = models.BigIntegerField(_("项目单位"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度目标预测待重算标记")
        verbose_name_plural = _("年度目标预测待重算标记")
        indexes = [models.Index(fields=["year", "unit_id"], name="forecast_stale_key")]

    def __str__(self) -> str:
        return f"{self.year} unit {self.unit_id} owner {self.owner_id}"
