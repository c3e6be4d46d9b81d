"""The Excel exchange's records: each uploaded table (ImportBatch) and the names tables use (Alias)."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def import_path(instance: "ImportBatch", filename: str) -> str:
    stamp = timezone.now()
    return f"imports/{stamp:%Y/%m}/{stamp:%d%H%M%S%f}-{filename[-80:]}"


class ImportBatchQuerySet(models.QuerySet["ImportBatch"]):
    def visible_to(self, user: Any) -> "ImportBatchQuerySet":
        """Imports a user may see: all for roles that see everything, else those made in the user's
        unit tree (or by the user, without a unit)."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.sees_everything:
            return self
        if user.unit is None:
            return self.filter(uploaded_by=user)
        return self.filter(Q(uploaded_by=user) | Q(uploaded_by__unit__path__startswith=user.unit.path))

    def expire_previews(self) -> int:
        """导入预览过期: mark 已过期 every 待确认 import left unconfirmed longer than
        settings.IMPORT_PREVIEW_EXPIRE_HOURS; returns how many."""
        return self.filter(status=ImportBatch.Status.PREVIEW, uploaded_at__lte=preview_cutoff()).update(
            status=ImportBatch.Status.EXPIRED
        )


def preview_cutoff() -> datetime:
    """Imports uploaded at or before this moment are past their preview time."""
    return timezone.now() - timedelta(hours=settings.IMPORT_PREVIEW_EXPIRE_HOURS)


class ImportBatch(models.Model):
    """表格导入记录: one uploaded official table, who and when, what it did; the file is kept."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("待确认")
        COMMITTED = "committed", _("已导入")
        FAILED = "failed", _("有错误")
        DISCARDED = "discarded", _("已放弃")
        EXPIRED = "expired", _("已过期")

    file = models.FileField(_("文件"), upload_to=import_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    table = models.PositiveSmallIntegerField(
        _("表格"),
        choices=[
            (1, _("附件1 前期项目谋划表")),
            (2, _("附件2 新建（竣工）项目情况表")),
            (3, _("附件3 在建项目进展情况表")),
        ],
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("计划级别"), max_length=20)
    period = models.CharField(_("报送期"), max_length=10, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PREVIEW)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    # What the uploader decided for each name the table uses that the system did not know
    # ("unit|越秀区住建局" → {"action": "map", "target": 12}); see exchange.names.
    decisions = models.JSONField(_("名称对照"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("表格导入")
        verbose_name_plural = _("表格导入")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def preview_expires_at(self) -> datetime:
        """When this import, if still 待确认, becomes 已过期."""
        return self.uploaded_at + timedelta(hours=settings.IMPORT_PREVIEW_EXPIRE_HOURS)

    @property
    def current_status(self) -> str:
        """The status as of now: a 待确认 import past its preview time is 已过期 even before the
        periodic task (exchange.tasks.expire_import_previews) has marked it."""
        if self.status == self.Status.PREVIEW and timezone.now() >= self.preview_expires_at:
            return self.Status.EXPIRED
        return self.status

    @property
    def current_status_label(self) -> str:
        return str(self.Status(self.current_status).label)

    def expire(self) -> bool:
        """Mark this import 已过期 if it is past its preview time; whether it is expired now."""
        if self.current_status != self.Status.EXPIRED:
            return False
        if self.status == self.Status.PREVIEW:
            # Only a batch still 待确认 in the database: never over a commit made meanwhile.
            ImportBatch.objects.filter(pk=self.pk, status=self.Status.PREVIEW).update(
                status=self.Status.EXPIRED
            )
            self.status = self.Status.EXPIRED
        return True


class AliasKind(models.TextChoices):
    UNIT = "unit", _("单位")
    PERSON = "person", _("人员")
    INDUSTRY = "industry", _("行业领域")
    CATEGORY = "category", _("项目类别")


# The one target field each kind of alias fills.
ALIAS_TARGETS = {
    AliasKind.UNIT: "unit",
    AliasKind.PERSON: "person",
    AliasKind.INDUSTRY: "industry",
    AliasKind.CATEGORY: "category",
}


class Alias(models.Model):
    """别名: a name as tables write it ("越秀区住建局"), remembered as meaning one unit, person or dictionary entry."""

    kind = models.CharField(_("类型"), max_length=20, choices=AliasKind.choices)
    name = models.CharField(_("表格中的写法"), max_length=100)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="aliases",
    )
    person = models.ForeignKey(
        "org.Person",
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="aliases",
    )
    industry = models.ForeignKey(
        "catalog.IndustryField",
        verbose_name=_("行业领域"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="aliases",
    )
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("项目类别"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="aliases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("别名")
        verbose_name_plural = _("别名")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name"],
                name="alias_unique_name",
                violation_error_message=_("该写法已有别名。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=AliasKind.UNIT, unit__isnull=False, person=None, industry=None, category=None)
                    | Q(kind=AliasKind.PERSON, person__isnull=False, unit=None, industry=None, category=None)
                    | Q(
                        kind=AliasKind.INDUSTRY, industry__isnull=False, unit=None, person=None, category=None
                    )
                    | Q(
                        kind=AliasKind.CATEGORY, category__isnull=False, unit=None, person=None, industry=None
                    )
                ),
                name="alias_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.target}"

    @property
    def target(self) -> models.Model | None:
        return getattr(self, ALIAS_TARGETS[AliasKind(self.kind)])
