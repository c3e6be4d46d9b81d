from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lib.fields import money_field
from lib.stamps import Stamped
from pipeline.choices import Decision, Readiness
from pipeline.querysets import LEVEL_FLAGS, PipelineEntryQuerySet, ReviewDecisionQuerySet
from plans.choices import PlanLevel
from projects.choices import ProjectStatus

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
# Only projects still being planned or prepared enter the pipeline.
PIPELINE_STATUSES = (ProjectStatus.RESERVE, ProjectStatus.PRELIMINARY)


class PipelineEntry(Stamped):
    """谋划项目: a project proposed for the plans of a coming year (项目谋划/储备库)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="pipeline_entries", verbose_name=_("项目")
    )
    proposed_year = models.PositiveSmallIntegerField(_("拟实施年度"), validators=YEAR_VALIDATORS)
    estimated_investment = money_field(_("概算投资（万元）"), validators=[MinValueValidator(Decimal(0))])
    proposed_annual_investment = money_field(
        _("拟安排年度投资（万元）"), default=Decimal(0), validators=[MinValueValidator(Decimal(0))]
    )
    to_province = models.BooleanField(_("拟申报省重点"), default=False)
    to_city = models.BooleanField(_("拟申报市重点"), default=False)
    to_local = models.BooleanField(_("拟列入区重点"), default=True)
    readiness = models.CharField(
        _("前期工作深度"), max_length=20, choices=Readiness.choices, default=Readiness.CONCEPT
    )
    proposing_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("申报单位"), on_delete=models.PROTECT, related_name="pipeline_proposals"
    )
    planned_start_month = models.PositiveSmallIntegerField(
        _("拟开工月份"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    # The conclusion of the latest review round that decided on this entry; blank until reviewed.
    decision = models.CharField(
        _("审查结论"), max_length=20, choices=Decision.choices, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    objects = PipelineEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("谋划项目")
        verbose_name_plural = _("谋划项目")
        ordering = ["-proposed_year", "-estimated_investment", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "proposed_year"],
                name="pipeline_entry_unique_per_year",
                violation_error_message=_("该项目已列入该年度的谋划库。"),
            )
        ]
        indexes = [models.Index(fields=["proposed_year", "decision"])]

    def __str__(self) -> str:
        return f"{self.proposed_year} · {self.project}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.to_province or self.to_city or self.to_local):
            errors["to_local"] = _t("请至少选择一个拟申报的计划级别。")
        if (
            self.estimated_investment is not None
            and self.proposed_annual_investment is not None
            and self.proposed_annual_investment > self.estimated_investment
        ):
            errors["proposed_annual_investment"] = _t("拟安排年度投资不能大于概算投资。")
        if self.pk is None and self.project_id and self.project.status not in PIPELINE_STATUSES:
            errors["project"] = _t("只有处于谋划/储备或前期阶段的项目可以列入谋划库。")
        if errors:
            raise ValidationError(errors)

    @property
    def proposed_levels(self) -> list[str]:
        """The levels (province, city, local) this entry is proposed for, highest first."""
        return [level for level, flag in LEVEL_FLAGS.items() if getattr(self, flag)]

    @property
    def proposed_level_labels(self) -> list[str]:
        return [str(PlanLevel(level).label) for level in self.proposed_levels]

    def refresh_decision(self) -> None:
        """Take the conclusion of the latest round that decided on this entry."""
        latest = self.decisions.order_by("-round__number", "-decided_at").first()
        self.decision = latest.decision if latest else ""
        self.save(update_fields=["decision", "updated_at"])


class ReviewRound(models.Model):
    """谋划轮次: one round of review (深度谋划) of the pipeline of a year."""

    year = models.PositiveSmallIntegerField(_("拟实施年度"), validators=YEAR_VALIDATORS)
    number = models.PositiveSmallIntegerField(_("轮次"), validators=[MinValueValidator(1)])
    held_on = models.DateField(_("审查日期"))
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("谋划轮次")
        verbose_name_plural = _("谋划轮次")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"],
                name="review_round_unique_number",
                violation_error_message=_("该年度已有这一轮审查。"),
            )
        ]

    def __str__(self) -> str:
        return _t("%(year)s年第%(n)s轮谋划") % {"year": self.year, "n": self.number}

    def decide(self, entry: PipelineEntry, decision: str, by: object, note: str = "") -> "ReviewDecision":
        """Record this round's conclusion on one entry (again: the last word counts) and update the entry."""
        if entry.proposed_year != self.year:
            raise ValidationError(_t("该项目不属于本轮审查的年度。"))
        if decision not in Decision.values:
            raise ValidationError({"decision": _t("未知的审查结论。")})
        with transaction.atomic():
            made, _created = ReviewDecision.objects.update_or_create(
                round=self,
                entry=entry,
                defaults={
                    "decision": decision,
                    "note": note.strip(),
                    "decided_by": by,
                    "decided_at": timezone.now(),
                },
            )
            entry.refresh_decision()
        return made


class ReviewDecision(models.Model):
    """审查结论: a round's decision (保留/修改完善/剔除) on one pipeline project, and who made it."""

    round = models.ForeignKey(
        ReviewRound, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("轮次")
    )
    entry = models.ForeignKey(
        PipelineEntry, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("谋划项目")
    )
    decision = models.CharField(_("审查结论"), max_length=20, choices=Decision.choices)
    note = models.CharField(_("意见"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), default=timezone.now)

    objects = ReviewDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("审查结论")
        verbose_name_plural = _("审查结论")
        ordering = ["round__number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "entry"],
                name="review_decision_unique",
                violation_error_message=_("本轮已对该项目作出结论。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.get_decision_display()}"
