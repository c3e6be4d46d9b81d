from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from evaluation.choices import Grade
from lib.fields import money_field
from lib.numbers import quantize
from lib.stamps import Stamped
from projects.choices import ProjectStatus
from projects.querysets import ScopedQuerySet

# A project is evaluated once it is built: 竣工, or already 投产/运营.
EVALUABLE_STATUSES = (ProjectStatus.COMPLETED, ProjectStatus.OPERATING)


class EvaluationQuerySet(ScopedQuerySet["Evaluation"]):
    # An evaluation for a fifth of the projects: the list's page is looked for at the head of its
    # order, each evaluation asking whether its project is the user's, rather than listing a
    # department's 20,000 projects first.
    few_rows = True

    def cases(self) -> "EvaluationQuerySet":
        return self.filter(is_case=True)


def overrun(actual: Decimal | int | None, planned: Decimal | int | None) -> Decimal | None:
    """超支/超期率: (actual − planned) / planned × 100, 1 decimal; None without a plan to compare with."""
    if actual is None or not planned:
        return None
    return quantize((Decimal(actual) - Decimal(planned)) * 100 / Decimal(planned), 1)


class Evaluation(Stamped):
    """项目后评价: how a completed project turned out — 资金绩效 (final cost against 总投资),
    施工工期 (actual against planned duration), 质量安全, 建筑风貌 and 运营成效."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="evaluation", verbose_name=_("项目")
    )
    budget = money_field(_("批复总投资（万元）"), validators=[MinValueValidator(Decimal(0))])
    final_cost = money_field(_("竣工决算投资（万元）"), validators=[MinValueValidator(Decimal(0))])
    planned_start_date = models.DateField(_("计划开工时间"))
    planned_completion_date = models.DateField(_("计划竣工时间"))
    actual_start_date = models.DateField(_("实际开工时间"))
    actual_completion_date = models.DateField(_("实际竣工时间"))
    quality_incidents = models.PositiveSmallIntegerField(_("质量事故（起）"), default=0)
    safety_incidents = models.PositiveSmallIntegerField(_("安全事故（起）"), default=0)
    incidents_note = models.TextField(_("质量安全情况"), blank=True)
    appearance = models.TextField(_("建筑风貌"), blank=True)
    operating_results = models.TextField(_("运营成效"))
    annual_revenue = money_field(
        _("年运营收入（万元）"), null=True, blank=True, validators=[MinValueValidator(Decimal(0))]
    )
    jobs = models.PositiveIntegerField(_("带动就业（人）"), null=True, blank=True)
    grade = models.CharField(_("综合评价"), max_length=20, choices=Grade.choices)
    evaluator = models.CharField(_("评价单位/评价人"), max_length=100)
    evaluated_on = models.DateField(_("评价日期"))
    is_case = models.BooleanField(_("典型案例"), default=False)
    case_summary = models.TextField(_("典型经验"), blank=True)
    # Kept on save for the comparisons among similar projects.
    cost_overrun = models.DecimalField(
        _("投资超支率（%）"), max_digits=8, decimal_places=1, null=True, editable=False
    )
    planned_days = models.PositiveIntegerField(_("计划工期（天）"), null=True, editable=False)
    actual_days = models.PositiveIntegerField(_("实际工期（天）"), null=True, editable=False)
    schedule_overrun = models.DecimalField(
        _("工期超期率（%）"), max_digits=8, decimal_places=1, null=True, editable=False
    )

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目后评价")
        verbose_name_plural = _("项目后评价")
        ordering = ["-evaluated_on", "-id"]
        indexes = [
            models.Index(fields=["is_case"]),
            # The list's order, which a page is read from (lib.listing.PageRows' head).
            models.Index(fields=["evaluated_on", "id"], name="evaluation_by_date"),
            # 典型案例, a handful among thousands, in the same order.
            models.Index(
                fields=["evaluated_on", "id"],
                condition=models.Q(is_case=True),
                name="evaluation_cases_by_date",
            ),
        ]

    def __str__(self) -> str:
        return _t("%(name)s后评价") % {"name": self.project.name}

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("evaluation:detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for start, end, name in (
            (self.planned_start_date, self.planned_completion_date, "planned_completion_date"),
            (self.actual_start_date, self.actual_completion_date, "actual_completion_date"),
        ):
            if start and end and end < start:
                errors[name] = _t("竣工时间不能早于开工时间。")
        if self.evaluated_on and self.evaluated_on > date.today():
            errors["evaluated_on"] = _t("评价日期不能晚于今天。")
        if (
            self.actual_completion_date
            and self.evaluated_on
            and self.evaluated_on < self.actual_completion_date
        ):
            errors["evaluated_on"] = _t("后评价应在项目竣工之后进行。")
        if self.is_case and not (self.case_summary or "").strip():
            errors["case_summary"] = _t("列为典型案例须填写典型经验。")
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.derive()
        super().save(*args, **kwargs)

    def derive(self) -> None:
        """投资超支率 and 工期 (days, and 超期率) from the amounts and dates."""
        self.cost_overrun = overrun(self.final_cost, self.budget)
        self.planned_days = self.actual_days = None
        if self.planned_start_date and self.planned_completion_date:
            self.planned_days = (self.planned_completion_date - self.planned_start_date).days
        if self.actual_start_date and self.actual_completion_date:
            self.actual_days = (self.actual_completion_date - self.actual_start_date).days
        self.schedule_overrun = overrun(self.actual_days, self.planned_days)

    @property
    def cost_difference(self) -> Decimal:
        """决算与总投资之差（万元）: above 0 an overrun, below 0 a saving."""
        return self.final_cost - self.budget

    @property
    def incidents(self) -> int:
        return self.quality_incidents + self.safety_incidents


class EvaluationCell(models.Model):
    """后评价汇总单元: the projects of one responsible unit and, when `per_owner`, one owner unit:
    how many have an evaluation, and how many are completed or operating without one yet (待评价).
    Built by evaluation.cells from the tables, rebuilt where `EvaluationStale` marks say."""

    # Plain ids, as the figures' cells keep them: a cell never stands in the way of a deletion.
    unit_id = models.BigIntegerField(_("责任单位"))
    per_owner = models.BooleanField(_("按项目单位"), default=False)
    owner_unit_id = models.BigIntegerField(_("项目单位"), null=True)
    evaluations = models.IntegerField(_("已评价"), default=0)
    awaiting = models.IntegerField(_("待评价"), default=0)

    class Meta:
        verbose_name = _("后评价汇总单元")
        verbose_name_plural = _("后评价汇总单元")
        indexes = [
            # A unit's or an owner's cells, for a user's scope (figures.cells.visible_cells).
            models.Index(fields=["per_owner", "unit_id"], name="evaluation_cell_of_unit"),
            models.Index(fields=["per_owner", "owner_unit_id", "unit_id"], name="evaluation_cell_of_owner"),
        ]

    def __str__(self) -> str:
        return f"unit {self.unit_id} owner {self.owner_unit_id}"


class EvaluationStale(models.Model):
    """后评价待重算标记: a (responsible unit, owner unit) whose evaluation cells no longer match the
    tables; without an owner unit, every cell of the responsible unit. The year is always 0."""

    year = models.PositiveSmallIntegerField(_("年度"), default=0)
    unit_id = models.BigIntegerField(_("责任单位"))
    owner_id = models.BigIntegerField(_("项目单位"), null=True, blank=True)

    class Meta:
        verbose_name = _("后评价待重算标记")
        verbose_name_plural = _("后评价待重算标记")
        indexes = [models.Index(fields=["year", "unit_id"], name="evaluation_stale_key")]

    def __str__(self) -> str:
        return f"unit {self.unit_id} owner {self.owner_id}"
