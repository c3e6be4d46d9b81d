from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from milestones.querysets import MilestoneQuerySet

if TYPE_CHECKING:
    from projects.models import Project


class MilestoneTemplate(models.Model):
    """节点计划模板: the standard nodes of a kind of project, dated back from completion (倒排工期)."""

    name = models.CharField(_("模板名称"), max_length=60, unique=True)
    project_kind = models.CharField(_("适用项目"), max_length=100, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("节点计划模板")
        verbose_name_plural = _("节点计划模板")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def schedule(self, completion: date) -> list[tuple["MilestoneTemplateNode", date]]:
        """倒排工期: each node with its date counted back from the completion date."""
        return [(node, completion + timedelta(days=node.offset_days)) for node in self.nodes.all()]

    @transaction.atomic
    def apply_to(self, project: "Project") -> list["Milestone"]:
        """Create the template's nodes on a project, dated back from its planned completion; nodes the
        project already has (by name) are left as they are."""
        if project.planned_completion_date is None:
            raise ValidationError(_t("项目尚未填写计划竣工时间，无法倒排工期。"))
        existing = set(project.milestones.values_list("name", flat=True))
        last = project.milestones.aggregate(n=models.Max("sort_order"))["n"] or 0
        new = [
            Milestone(
                project=project,
                name=node.name,
                planned_date=planned,
                responsible_unit=project.responsible_unit,
                sort_order=last + index,
            )
            for index, (node, planned) in enumerate(self.schedule(project.planned_completion_date), start=1)
            if node.name not in existing
        ]
        return Milestone.objects.bulk_create(new)


class MilestoneTemplateNode(models.Model):
    """模板节点: a standard node and how many days before completion it falls (negative) or after."""

    template = models.ForeignKey(MilestoneTemplate, on_delete=models.CASCADE, related_name="nodes")
    name = models.CharField(_("节点名称"), max_length=60)
    offset_days = models.IntegerField(_("距竣工天数"), help_text=_("负数表示竣工前若干天，如 -540。"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("模板节点")
        verbose_name_plural = _("模板节点")
        ordering = ["template", "offset_days", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "name"],
                name="template_node_unique",
                violation_error_message=_("模板中已有同名节点。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.offset_days:+d}）"


class Milestone(models.Model):
    """项目节点 (节点计划): a step of a project with its planned and actual dates and who answers for it."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("节点名称"), max_length=60)
    planned_date = models.DateField(_("计划完成日期"))
    actual_date = models.DateField(_("实际完成日期"), null=True, blank=True)
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
    )
    responsible_person = models.CharField(_("责任人"), max_length=40, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("节点计划")
        ordering = ["project", "planned_date", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="milestone_unique_per_project",
                violation_error_message=_("该项目已有同名节点。"),
            )
        ]
        indexes = [models.Index(fields=["actual_date", "planned_date"])]

    def __str__(self) -> str:
        return f"{self.name} {self.planned_date:%Y-%m-%d}"

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        if self.actual_date and self.actual_date > timezone.localdate():
            raise ValidationError({"actual_date": _t("实际完成日期不能晚于今天。")})

    def days_overdue(self, today: date | None = None) -> int:
        """超期天数: days past the planned date without an actual date."""
        today = today or timezone.localdate()
        if self.actual_date or self.planned_date >= today:
            return 0
        return (today - self.planned_date).days

    def light(self, today: date, thresholds: tuple[int, int]) -> str:
        """done / late_done / red / yellow / pending, as the war map colours the node; `thresholds` are
        the (yellow, red) days of milestone_overdue."""
        if self.actual_date:
            return "late_done" if self.actual_date > self.planned_date else "done"
        yellow, red = thresholds
        days = self.days_overdue(today)
        if days > red:
            return "red"
        return "yellow" if days > yellow else "pending"


STATE_LABELS = {
    "done": _("按期完成"),
    "late_done": _("延期完成"),
    "yellow": _("超期（黄）"),
    "red": _("超期（红）"),
    "pending": _("未到期"),
}
