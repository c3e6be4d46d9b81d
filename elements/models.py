from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from catalog.models import DictionaryItem
from elements.choices import SPECIAL_BOND, ElementStatus, IndicatorSource
from elements.querysets import AMOUNTS, BondPace, ElementNeedQuerySet, FundingRecordQuerySet, bond_pace
from lib.fields import money_field
from org.choices import UnitKind

NOT_NEGATIVE = [MinValueValidator(Decimal(0))]


class FundingRecord(models.Model):
    """资金记录: one source's money for a project in a year: planned, approved, arrived (到位), spent."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="funding_records", verbose_name=_("项目")
    )
    source = models.ForeignKey("catalog.FundingSource", verbose_name=_("资金来源"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(
        _("资金年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    planned = money_field(_("计划安排（万元）"), default=Decimal(0), validators=NOT_NEGATIVE)
    approved = money_field(
        _("下达/批复（万元）"),
        default=Decimal(0),
        validators=NOT_NEGATIVE,
        help_text=_("专项债券填发行额度。"),
    )
    arrived = money_field(_("到位（万元）"), default=Decimal(0), validators=NOT_NEGATIVE)
    spent = money_field(_("已支出（万元）"), default=Decimal(0), validators=NOT_NEGATIVE)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    approved_on = models.DateField(_("下达日期"), null=True, blank=True)
    arrived_on = models.DateField(_("到位日期"), null=True, blank=True)
    issue_batch = models.CharField(_("发行批次"), max_length=100, blank=True, help_text=_("专项债券必填。"))
    issued_on = models.DateField(_("发行日期"), null=True, blank=True, help_text=_("专项债券必填。"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FundingRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("资金记录")
        verbose_name_plural = _("资金记录")
        ordering = ["-year", "source__sort_order", "id"]
        # The year's figures by source, and the special bonds' paces, read from the index alone: at
        # 100,000 projects a year holds some 80,000 records, each otherwise read from the table.
        indexes = [
            models.Index(
                fields=["year", "source", "project", *AMOUNTS, "issue_batch", "issued_on"],
                name="funding_by_year_source",
            ),
            # The year's projects with funding, counted distinct in the index's order rather than
            # sorted (76,000 records at 100,000 projects: 16 -> 3 ms on SQLite).
            models.Index(fields=["year", "project"], name="funding_by_year_project"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.source} · {self.project}"

    @property
    def is_special_bond(self) -> bool:
        return bool(self.source_id) and self.source.code == SPECIAL_BOND

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.spent is not None and self.arrived is not None and self.spent > self.arrived:
            errors["spent"] = _t("已支出金额不能大于到位金额。")
        if self.arrived_on and self.approved_on and self.arrived_on < self.approved_on:
            errors["arrived_on"] = _t("到位日期不能早于下达日期。")
        if self.is_special_bond:
            if not self.issued_on:
                errors["issued_on"] = _t("专项债券须填写发行日期。")
            if not self.issue_batch.strip():
                errors["issue_batch"] = _t("专项债券须填写发行批次。")
            if not self.approved:
                errors["approved"] = _t("专项债券须填写发行额度。")
        if errors:
            raise ValidationError(errors)

    def pace(self, today: date | None = None, thresholds: tuple[int, int] | None = None) -> BondPace | None:
        """专项债支出进度 of this record, or None for other sources and bonds not yet issued."""
        today = today or timezone.localdate()
        if not self.is_special_bond or not self.issued_on or self.issued_on > today or not self.approved:
            return None
        return bond_pace(self.issued_on, self.approved, self.spent, today, thresholds)


class ElementType(DictionaryItem):
    """要素类型: 用地指标, 能耗指标, 用水, 用电, 环境容量, 林地 …"""

    measure_unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    tracks_cultivated = models.BooleanField(_("记录其中耕地"), default=False)
    department = models.ForeignKey(
        "org.Unit",
        verbose_name=_("默认保障部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": UnitKind.DEPARTMENT},
    )

    class Meta(DictionaryItem.Meta):
        verbose_name = _("要素类型")
        verbose_name_plural = _("要素类型")


class ElementNeed(models.Model):
    """要素需求: an element (land, energy, water …) a project needs, how much is secured, and who supplies it."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="element_needs", verbose_name=_("项目")
    )
    type = models.ForeignKey(
        ElementType, verbose_name=_("要素类型"), on_delete=models.PROTECT, related_name="needs"
    )
    needed = models.DecimalField(_("需求量"), max_digits=14, decimal_places=2, validators=NOT_NEGATIVE)
    secured = models.DecimalField(
        _("已保障量"), max_digits=14, decimal_places=2, default=Decimal(0), validators=NOT_NEGATIVE
    )
    cultivated_needed = models.DecimalField(
        _("其中耕地需求（亩）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
    )
    cultivated_secured = models.DecimalField(
        _("其中耕地已保障（亩）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
    )
    indicator_source = models.CharField(
        _("指标来源"), max_length=20, choices=IndicatorSource.choices, blank=True
    )
    status = models.CharField(
        _("保障状态"), max_length=20, choices=ElementStatus.choices, default=ElementStatus.PENDING
    )
    department = models.ForeignKey(
        "org.Unit",
        verbose_name=_("保障部门"),
        on_delete=models.PROTECT,
        related_name="element_needs",
        limit_choices_to={"kind": UnitKind.DEPARTMENT},
    )
    needed_by = models.DateField(_("需保障时间"), null=True, blank=True)
    note = models.CharField(_("情况说明"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ElementNeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("要素需求")
        verbose_name_plural = _("要素需求")
        ordering = ["type__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "type"],
                name="element_need_unique_per_project",
                violation_error_message=_("该项目已登记此类要素需求。"),
            )
        ]
        indexes = [
            # The waiting needs by department (要素保障看板), their projects counted from the index.
            models.Index(fields=["status", "department", "project"], name="element_need_waiting"),
            # The needs and amounts by type, added up from the index alone.
            models.Index(
                fields=["type", "status", "needed", "secured", "cultivated_needed", "cultivated_secured"],
                name="element_need_by_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.type}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.department_id and self.department.kind != UnitKind.DEPARTMENT:
            errors["department"] = _t("保障部门须是职能部门。")
        if self.type_id and not self.type.tracks_cultivated:
            self.cultivated_needed = self.cultivated_secured = None
        pairs = (
            (self.cultivated_needed, self.needed, "cultivated_needed", _t("其中耕地需求不能大于需求量。")),
            (
                self.cultivated_secured,
                self.secured,
                "cultivated_secured",
                _t("其中耕地已保障不能大于已保障量。"),
            ),
        )
        for part, whole, field, message in pairs:
            if part is not None and whole is not None and part > whole:
                errors[field] = message
        if (
            self.status == ElementStatus.SECURED
            and self.needed is not None
            and (self.secured or 0) < self.needed
        ):
            errors["secured"] = _t("状态为“已保障”时，已保障量不能少于需求量。")
        if errors:
            raise ValidationError(errors)

    @property
    def gap(self) -> Decimal:
        """缺口: what is still to be secured."""
        return max((self.needed or Decimal(0)) - (self.secured or Decimal(0)), Decimal(0))


class ElementCell(models.Model):
    """要素保障汇总单元: the element needs of one element type (or of every type, `type_id` empty),
    supplying department and state (waiting or not) of one responsible unit and, when `per_owner`,
    one owner unit, added up: how many needs, how many projects, and the quantities. A project has
    one need of a type and one responsible and owner unit, so the projects of cells of different
    units, owners or waiting states add up; those of different types do not, and the cells of
    every type count them once. Built by elements.cells from the tables, rebuilt where
    `ElementStale` marks say."""

    # Plain ids, as the figures' cells keep them: a cell never stands in the way of a deletion.
    type_id = models.BigIntegerField(_("要素类型"), null=True)
    department_id = models.BigIntegerField(_("保障部门"))
    waiting = models.BooleanField(_("待保障"))
    unit_id = models.BigIntegerField(_("责任单位"))
    per_owner = models.BooleanField(_("按项目单位"), default=False)
    owner_unit_id = models.BigIntegerField(_("项目单位"), null=True)
    needs = models.IntegerField(default=0)
    projects = models.IntegerField(default=0)
    needed = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    secured = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    cultivated_needed = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    cultivated_secured = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("要素保障汇总单元")
        verbose_name_plural = _("要素保障汇总单元")
        indexes = [
            models.Index(fields=["per_owner", "type_id"], name="element_cell_by_kind"),
            # A unit's, an owner's or a supplying department's cells, for a user's scope.
            models.Index(fields=["unit_id", "per_owner"], name="element_cell_of_unit"),
            models.Index(fields=["owner_unit_id", "per_owner"], name="element_cell_of_owner"),
            models.Index(fields=["department_id", "per_owner"], name="element_cell_of_department"),
        ]

    def __str__(self) -> str:
        return f"type {self.type_id} department {self.department_id} unit {self.unit_id} owner {self.owner_unit_id}"


class ElementStale(models.Model):
    """要素保障待重算标记: a (responsible unit, owner unit) whose element cells no longer match the
    tables; without an owner unit, every cell of the responsible unit. The year is always 0: the
    needs are not kept by year, and the marks are read as the figures' are."""

    year = models.PositiveSmallIntegerField(_("年度"), default=0)
    unit_id = models.BigIntegerField(_("责任单位"))
    owner_id = models.BigIntegerField(_("项目单位"), null=True, blank=True)

    class Meta:
        verbose_name = _("要素保障待重算标记")
        verbose_name_plural = _("要素保障待重算标记")
        indexes = [models.Index(fields=["year", "unit_id"], name="element_stale_key")]

    def __str__(self) -> str:
        return f"unit {self.unit_id} owner {self.owner_id}"


class FundingCell(models.Model):
    """资金保障汇总单元: one year's funding records of one source (or of every source, `source_id`
    empty), and of one 发行批次 (`issue_batch`, for the batches' count; empty on the other cells),
    of one responsible unit and, when `per_owner`, one owner unit, added up: records, projects,
    projects supported (an amount approved or arrived) and the amounts. A project has one
    responsible and owner unit, so the projects of cells of different units and owners add up;
    those of different sources do not, and the cells of every source count them once. Built by
    elements.funding_cells from the tables, rebuilt where `FundingStale` marks say."""

    year = models.PositiveSmallIntegerField(_("资金年度"))
    # Plain ids, as the figures' cells keep them: a cell never stands in the way of a deletion.
    source_id = models.BigIntegerField(_("资金来源"), null=True)
    issue_batch = models.CharField(_("发行批次"), max_length=100, null=True)
    unit_id = models.BigIntegerField(_("责任单位"))
    per_owner = models.BooleanField(_("按项目单位"), default=False)
    owner_unit_id = models.BigIntegerField(_("项目单位"), null=True)
    records = models.IntegerField(default=0)
    projects = models.IntegerField(default=0)
    supported = models.IntegerField(default=0)
    planned = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    approved = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    arrived = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    spent = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("资金保障汇总单元")
        verbose_name_plural = _("资金保障汇总单元")
        indexes = [
            models.Index(fields=["year", "per_owner", "source_id"], name="funding_cell_by_year"),
            # A unit's or an owner's cells, for a user's scope (figures.cells.visible_cells); the
            # source last, so that these match more columns than the year's index does.
            models.Index(fields=["year", "per_owner", "unit_id", "source_id"], name="funding_cell_of_unit"),
            models.Index(
                fields=["year", "per_owner", "owner_unit_id", "source_id"], name="funding_cell_of_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} source {self.source_id} unit {self.unit_id} owner {self.owner_unit_id}"


class FundingStale(models.Model):
    """资金保障待重算标记: a (year, responsible unit, owner unit) whose funding cells no longer match
    the tables; without an owner unit, every cell of the responsible unit's year."""

    year = models.PositiveSmallIntegerField(_("资金年度"))
    unit_id = models.BigIntegerField(_("责任单位"))
    owner_id = models.BigIntegerField(_("项目单位"), null=True, blank=True)

    class Meta:
        verbose_name = _("资金保障待重算标记")
        verbose_name_plural = _("资金保障待重算标记")
        indexes = [models.Index(fields=["year", "unit_id"], name="funding_stale_key")]

    def __str__(self) -> str:
        return f"{self.year} unit {self.unit_id} owner {self.owner_id}"
