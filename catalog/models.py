from typing import Any

from django.db import models
from django.db.models import F, Func, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from catalog.choices import ProcedureApplies, ProcedureStage


class DictionaryQuerySet(models.QuerySet):
    def with_usage(self) -> "DictionaryQuerySet":
        """Each item with the number of records (projects, procedures …) that refer to it."""
        usage: models.Expression = Value(0, output_field=IntegerField())
        for relation in self.model._meta.related_objects:
            if relation.related_model._meta.label == "exchange.Alias":
                continue  # other ways of writing the name, not uses of it
            rows = (
                relation.related_model._base_manager.filter(**{relation.field.name: OuterRef("pk")})
                .order_by()
                .annotate(n=Func(F("pk"), function="COUNT"))
                .values("n")
            )
            usage = usage + Coalesce(Subquery(rows), 0)
        return self.annotate(usage=usage)


class DictionaryItem(models.Model):
    """字典项: an entry of a list a city edits (code, name, order, active)."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = DictionaryQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class IndustryField(DictionaryItem):
    """行业领域."""

    class Meta(DictionaryItem.Meta):
        verbose_name = _("行业领域")
        verbose_name_plural = _("行业领域")


class Category(DictionaryItem):
    """项目类别: 产业项目 / 基础设施项目 / 社会事业项目 …"""

    class Meta(DictionaryItem.Meta):
        verbose_name = _("项目类别")
        verbose_name_plural = _("项目类别")


class ProcedureTypeQuerySet(DictionaryQuerySet):
    def concerning(self, nature: str) -> "ProcedureTypeQuerySet":
        """The approval items that concern projects of an investment nature (政府投资 / 企业投资)."""
        return self.filter(applies_to__in=[ProcedureApplies.ALL, nature])

    def catalogue_counts(self) -> dict[str, Any]:
        """事项、部门 and 联合审批 counts (seed 000: "9个部门、37个事项，全部实现联合审批"), in one query."""
        row = self.aggregate(
            items=models.Count("id"),
            departments=models.Count("department", distinct=True),
            joint=models.Count("id", filter=models.Q(joint_approval=True)),
            without_department=models.Count("id", filter=models.Q(department__isnull=True)),
        )
        return {**row, "all_joint": bool(row["items"]) and row["joint"] == row["items"]}


class ProcedureType(DictionaryItem):
    """手续类型 (审批事项目录, 联审联批): 立项, 用地, 规划, 环评, 施工许可 …, each with the department
    that approves it and its stage, so that the catalogue's "N个部门、M个事项" can be counted."""

    time_limit_days = models.PositiveIntegerField(
        _("办理时限（天）"), null=True, blank=True, help_text=_("法定或承诺办理时限，用于审批超时预警。")
    )
    # Which of the five 联审联批 columns of 附件3 this type fills, if any.
    table_column = models.CharField(_("附件3列名"), max_length=40, blank=True)
    department = models.ForeignKey(
        "org.Unit",
        verbose_name=_("审批部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procedure_types",
        limit_choices_to={"kind": "department"},
        help_text=_("负责办理该事项的职能部门，用于统计审批事项目录涉及的部门数。"),
    )
    stage = models.CharField(
        _("审批阶段"),
        max_length=20,
        choices=ProcedureStage.choices,
        blank=True,
        help_text=_("前期策划、施工前准备、建设实施、竣工验收。"),
    )
    applies_to = models.CharField(
        _("适用项目"), max_length=20, choices=ProcedureApplies.choices, default=ProcedureApplies.ALL
    )
    joint_approval = models.BooleanField(
        _("纳入联合审批"), default=True, help_text=_("该事项已纳入联审联批（联合审批）。")
    )

    # The dictionaries' manager with the catalogue's counts added.
    objects = ProcedureTypeQuerySet.as_manager()  # type: ignore[misc]  # a subclass of DictionaryItem's manager

    class Meta(DictionaryItem.Meta):
        verbose_name = _("手续类型")
        verbose_name_plural = _("手续类型")


class FundingSource(DictionaryItem):
    """资金来源: 中央预算内, 专项债, 企业自筹 …"""

    class Meta(DictionaryItem.Meta):
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")


# The dictionaries the admin pages edit, by the slug used in their URLs.
DICTIONARIES: dict[str, type[DictionaryItem]] = {
    "industries": IndustryField,
    "categories": Category,
    "procedure-types": ProcedureType,
    "funding-sources": FundingSource,
}
