from django.db import models
from django.db.models import F, Func, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


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


class ProcedureType(DictionaryItem):
    """手续类型 (联审联批): 立项, 用地, 规划, 环评, 施工许可 …"""

    time_limit_days = models.PositiveIntegerField(
        _("办理时限（天）"), null=True, blank=True, help_text=_("法定或承诺办理时限，用于审批超时预警。")
    )
    # Which of the five 联审联批 columns of 附件3 this type fills, if any.
    table_column = models.CharField(_("附件3列名"), max_length=40, blank=True)

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
