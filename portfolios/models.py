from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.fields import money_field
from lib.stamps import Stamped
from portfolios.choices import DisposalMethod, ListKind
from portfolios.querysets import ListItemQuerySet, ProjectListQuerySet


class ProjectList(Stamped):
    """项目清单: a named list of projects (关键项目清单, 百个前期, 存量资产台账, 挂图作战任务清单 …)."""

    name = models.CharField(_("清单名称"), max_length=100, unique=True, help_text=_("如“2026年关键项目清单”"))
    kind = models.CharField(_("清单类别"), max_length=20, choices=ListKind.choices, default=ListKind.KEY)
    description = models.TextField(_("说明"), blank=True, help_text=_("清单的来源、工作要求等"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = ProjectListQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目清单")
        verbose_name_plural = _("项目清单")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portfolios:detail", args=[self.pk])

    @property
    def has_assets(self) -> bool:
        """存量资产台账: each project carries its asset value and disposal method."""
        return self.kind == ListKind.STOCK_ASSETS

    def project_ids(self) -> QuerySet[Any]:
        """The ids of the list's projects, as a subquery (plans.scope narrows figures by it)."""
        return ListItem.objects.filter(project_list_id=self.pk).values("project_id")


class ListItem(models.Model):
    """清单项目: a project on a list, with the list's own note about it (and, on a 存量资产 list,
    the asset's value and how it is to be put back to use)."""

    project_list = models.ForeignKey(
        ProjectList, on_delete=models.CASCADE, related_name="items", verbose_name=_("项目清单")
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="list_items", verbose_name=_("项目")
    )
    note = models.CharField(
        _("清单备注"), max_length=300, blank=True, help_text=_("如挂钩市领导、保障单位、工作要求")
    )
    asset_value = money_field(_("资产价值（万元）"), null=True, blank=True)
    disposal_method = models.CharField(
        _("盘活方式"), max_length=20, choices=DisposalMethod.choices, blank=True
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    added_at = models.DateTimeField(_("列入时间"), default=timezone.now, editable=False)

    objects = ListItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("清单项目")
        verbose_name_plural = _("清单项目")
        ordering = ["project_list", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project_list", "project"],
                name="list_item_unique",
                violation_error_message=_("该项目已在本清单中。"),
            ),
            models.CheckConstraint(
                condition=models.Q(asset_value__isnull=True) | models.Q(asset_value__gte=0),
                name="list_item_asset_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_list} · {self.project}"

    def clean(self) -> None:
        # Only a 存量资产 list carries asset values and disposal methods.
        has_asset = self.asset_value is not None or bool(self.disposal_method)
        if has_asset and self.project_list_id and not self.project_list.has_assets:
            raise ValidationError(_("只有存量资产清单可以填写资产价值和盘活方式。"))
