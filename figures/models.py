"""The figures' summary (统计汇总): the plan figures added up by combination, kept by the database.

Every figure that adds up over a scope's plan entries (counts, 总投资, 年度计划投资, 年度完成投资 month by
month, statuses, starts, sizes, the month's reporting) is a sum over the entries. `FigureCell`
holds those sums per month and per combination of plan, counting mark, category, plan type,
responsible unit, town and owner unit, so that a page over 100,000 projects adds up a few thousand rows
instead of joining 100,000 entries to their projects, year rows and reports.

Triggers on the tables the sums come from (migration `figures.0001`) write a `FigureStale` row
for each (year, responsible unit, owner unit) a change touches, whatever path wrote it: a form,
the API, the import, a bulk update or a hand-written statement. `figures.cells.refresh()` rebuilds those
cells from the tables before a figure is read. See docs/performance.md.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureCell(models.Model):
    """统计汇总单元: the sums of one month over the entries of one combination of plan, counting mark,
    category, plan type, responsible unit, town and owner unit."""

    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    # Plain ids rather than foreign keys: a cell is rebuilt from the tables whenever they change,
    # and must never stand in the way of deleting a plan, a unit or a category.
    plan_id = models.BigIntegerField(_("年度计划"))
    counted = models.BooleanField(_("计入合并口径"))
    category_id = models.BigIntegerField(_("项目类别"))
    plan_type = models.CharField(_("计划类型"), max_length=20)
    unit_id = models.BigIntegerField(_("责任单位"))
    town_id = models.BigIntegerField(_("所在乡镇/街道"), null=True)
    # Each combination is kept twice: per owner unit (项目单位), for what a unit's or an owner's
    # account may see (its responsible unit or its owner unit in the account's subtree), and
    # added up over the owners (owner_unit_id empty), for a scope of every project, which then
    # reads a tenth as many cells.
    per_owner = models.BooleanField(_("按项目单位"), default=False)
    owner_unit_id = models.BigIntegerField(_("项目单位"), null=True)

    count = models.IntegerField(default=0)
    annual_plan = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    total_investment = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_1 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_2 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_3 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_4 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_5 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_6 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_7 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_8 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_9 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_10 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_11 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_12 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    to_start = models.IntegerField(default=0)
    started = models.IntegerField(default=0)
    to_finish = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    # 续建 entries, and those whose project resumed by the month's end (复工率).
    to_resume = models.IntegerField(default=0)
    resumed = models.IntegerField(default=0)
    # Entries whose project is public (信息公开): the public site's count of each plan's projects.
    public = models.IntegerField(default=0)
    status_completed = models.IntegerField(default=0)
    status_construction = models.IntegerField(default=0)
    status_suspended = models.IntegerField(default=0)
    status_preliminary = models.IntegerField(default=0)
    status_cancelled = models.IntegerField(default=0)
    n_ten_plus = models.IntegerField(default=0)
    t_ten_plus = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    n_five_ten = models.IntegerField(default=0)
    t_five_ten = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    n_one_five = models.IntegerField(default=0)
    t_one_five = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    n_below_one = models.IntegerField(default=0)
    t_below_one = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    due_1 = models.IntegerField(default=0)
    submitted_1 = models.IntegerField(default=0)
    on_time_1 = models.IntegerField(default=0)
    due_2 = models.IntegerField(default=0)
    submitted_2 = models.IntegerField(default=0)
    on_time_2 = models.IntegerField(default=0)
    due_3 = models.IntegerField(default=0)
    submitted_3 = models.IntegerField(default=0)
    on_time_3 = models.IntegerField(default=0)
    # The fourth and fifth weeks of a month, for projects reporting weekly (周报).
    due_4 = models.IntegerField(default=0)
    submitted_4 = models.IntegerField(default=0)
    on_time_4 = models.IntegerField(default=0)
    due_5 = models.IntegerField(default=0)
    submitted_5 = models.IntegerField(default=0)
    on_time_5 = models.IntegerField(default=0)
    # The projects due to report for at least one period of the month (应报项目).
    due_projects = models.IntegerField(default=0)
    # The 报送看板's states of the month's periods due in each part (progress.querysets.PartState):
    # first submitted and now 已审核 or 已报送 (`sent`), and of those the ones submitted by the
    # deadline that are 已审核 (`accepted`) or 已报送 (`pending`); 迟报 and 已退回 follow from them
    # and the counts above.
    sent_1 = models.IntegerField(default=0)
    accepted_1 = models.IntegerField(default=0)
    pending_1 = models.IntegerField(default=0)
    sent_2 = models.IntegerField(default=0)
    accepted_2 = models.IntegerField(default=0)
    pending_2 = models.IntegerField(default=0)
    sent_3 = models.IntegerField(default=0)
    accepted_3 = models.IntegerField(default=0)
    pending_3 = models.IntegerField(default=0)
    sent_4 = models.IntegerField(default=0)
    accepted_4 = models.IntegerField(default=0)
    pending_4 = models.IntegerField(default=0)
    sent_5 = models.IntegerField(default=0)
    accepted_5 = models.IntegerField(default=0)
    pending_5 = models.IntegerField(default=0)
    # Not yet submitted, by frequency and part (a month's parts end on different days at each
    # frequency, so each is 漏报 from its own deadline on): every one (`unsent`), and those with a
    # draft (`drafts`).
    unsent_monthly_1 = models.IntegerField(default=0)
    drafts_monthly_1 = models.IntegerField(default=0)
    unsent_half_monthly_1 = models.IntegerField(default=0)
    drafts_half_monthly_1 = models.IntegerField(default=0)
    unsent_half_monthly_2 = models.IntegerField(default=0)
    drafts_half_monthly_2 = models.IntegerField(default=0)
    unsent_ten_daily_1 = models.IntegerField(default=0)
    drafts_ten_daily_1 = models.IntegerField(default=0)
    unsent_ten_daily_2 = models.IntegerField(default=0)
    drafts_ten_daily_2 = models.IntegerField(default=0)
    unsent_ten_daily_3 = models.IntegerField(default=0)
    drafts_ten_daily_3 = models.IntegerField(default=0)
    unsent_weekly_1 = models.IntegerField(default=0)
    drafts_weekly_1 = models.IntegerField(default=0)
    unsent_weekly_2 = models.IntegerField(default=0)
    drafts_weekly_2 = models.IntegerField(default=0)
    unsent_weekly_3 = models.IntegerField(default=0)
    drafts_weekly_3 = models.IntegerField(default=0)
    unsent_weekly_4 = models.IntegerField(default=0)
    drafts_weekly_4 = models.IntegerField(default=0)
    unsent_weekly_5 = models.IntegerField(default=0)
    drafts_weekly_5 = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("统计汇总单元")
        verbose_name_plural = _("统计汇总单元")
        indexes = [
            models.Index(fields=["year", "month", "per_owner", "plan_id"], name="figure_cell_by_period"),
            # A unit's cells, and (a unit's totals over the owners rebuilt key by key) those of one
            # town and plan of it. The town before the plan: in the order (unit, plan) the index
            # also serves a grouping by plan and unit, and SQLite, which keeps no statistics, read
            # a whole year's cells along it for the 报送看板 rather than sort a month's (125 ms
            # against 5 at 100,000 projects).
            models.Index(fields=["year", "unit_id", "town_id", "plan_id"], name="figure_cell_by_key"),
            # A unit's or an owner's cells of one month, for a user's scope (visible_cells). The plan
            # last: with a condition on it too, these match one more column than the period's
            # index, which SQLite, keeping no statistics, would otherwise take. The owners' holds
            # the unit, so that those of the user's own units are passed over in the index.
            models.Index(
                fields=["year", "month", "per_owner", "unit_id", "plan_id"], name="figure_cell_by_unit"
            ),
            models.Index(
                fields=["year", "month", "per_owner", "owner_unit_id", "plan_id", "unit_id"],
                name="figure_cell_by_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} plan {self.plan_id} unit {self.unit_id}"


class FigureStale(models.Model):
    """待重算标记: a (year, responsible unit, owner unit) whose cells no longer match the tables;
    without an owner unit, every cell of the responsible unit's year."""

    year = models.PositiveSmallIntegerField(_("年度"))
    unit_id = models.BigIntegerField(_("责任单位"))
    # The project's owner unit (0 for a project without one); None marks every owner of the unit.
    owner_id = models.BigIntegerField(_("项目单位"), null=True, blank=True)

    class Meta:
        verbose_name = _("待重算标记")
        verbose_name_plural = _("待重算标记")
        indexes = [models.Index(fields=["year", "unit_id"], name="figure_stale_key")]

    def __str__(self) -> str:
        return f"{self.year} unit {self.unit_id}"


class MapCell(models.Model):
    """一张图汇总单元: the located projects of one cell of the map's grid (lib.mapgrid) and one status,
    of one responsible unit and, when `per_owner`, one owner unit: of the whole registry (`plan_id`
    empty), or those with an entry on one plan (with its counting mark, `counted`), counted with
    the sums of their coordinates (for a cluster's mean position) and the box around them. Built
    by figures.map_cells from the tables, rebuilt where `MapStale` marks say."""

    # Plain ids, as the figures' cells keep them: a cell never stands in the way of a deletion.
    plan_id = models.BigIntegerField(_("年度计划"), null=True)
    counted = models.BooleanField(_("计入合并口径"), default=False)
    unit_id = models.BigIntegerField(_("责任单位"))
    per_owner = models.BooleanField(_("按项目单位"), default=False)
    owner_unit_id = models.BigIntegerField(_("项目单位"), null=True)
    map_row = models.IntegerField(_("网格行"))
    map_column = models.IntegerField(_("网格列"))
    status = models.CharField(_("状态"), max_length=20)
    projects = models.IntegerField(default=0)
    latitudes = models.FloatField(default=0)
    longitudes = models.FloatField(default=0)
    lowest_latitude = models.DecimalField(max_digits=9, decimal_places=6)
    highest_latitude = models.DecimalField(max_digits=9, decimal_places=6)
    lowest_longitude = models.DecimalField(max_digits=9, decimal_places=6)
    highest_longitude = models.DecimalField(max_digits=9, decimal_places=6)

    class Meta:
        verbose_name = _("一张图汇总单元")
        verbose_name_plural = _("一张图汇总单元")
        indexes = [
            models.Index(fields=["per_owner", "plan_id", "counted"], name="map_cell_by_plan"),
            # A unit's cells added up over the owners, and an owner's cells, for a user's scope; the
            # plan last, so that these match more columns than the plan's index does. An owner's
            # cells of the user's own units are passed over in the index, by their unit in it.
            models.Index(fields=["per_owner", "unit_id", "plan_id"], name="map_cell_of_unit"),
            models.Index(
                fields=["per_owner", "owner_unit_id", "unit_id", "plan_id"], name="map_cell_of_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"plan {self.plan_id} unit {self.unit_id} owner {self.owner_unit_id} ({self.map_row}, {self.map_column})"


class MapStale(models.Model):
    """一张图待重算标记: a (responsible unit, owner unit) whose map cells no longer match the tables;
    without an owner unit, every cell of the responsible unit. The year is always 0: a project's
    cells of every plan are rebuilt together."""

    year = models.PositiveSmallIntegerField(_("年度"), default=0)
    unit_id = models.BigIntegerField(_("责任单位"))
    owner_id = models.BigIntegerField(_("项目单位"), null=True, blank=True)

    class Meta:
        verbose_name = _("一张图待重算标记")
        verbose_name_plural = _("一张图待重算标记")
        indexes = [models.Index(fields=["year", "unit_id"], name="map_stale_key")]

    def __str__(self) -> str:
        return f"unit {self.unit_id} owner {self.owner_id}"
