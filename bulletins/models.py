from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BulletinKind(models.TextChoices):
    MONTHLY = "monthly", _("月度通报")
    BRIEF = "brief", _("工作简报")
    ANNUAL = "annual", _("年度报告")


class BulletinQuerySet(models.QuerySet["Bulletin"]):
    def visible_to(self, user: Any) -> "BulletinQuerySet":
        """重点办 sees the drafts too; everyone else signed in, the published bulletins."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_coordinator:
            return self
        return self.filter(state=Bulletin.State.PUBLISHED)


class Bulletin(models.Model):
    """通报/简报/报告: a document drafted from the figures, edited by the coordinator, then published."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已印发")

    kind = models.CharField(_("类型"), max_length=20, choices=BulletinKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    level = models.CharField(_("计划级别"), max_length=20, blank=True)
    number = models.PositiveSmallIntegerField(_("期号"), null=True, blank=True)
    # Briefs are numbered within the year they are issued in ("2023 年第 2 期").
    number_year = models.PositiveSmallIntegerField(_("期号年度"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    issuer = models.CharField(_("印发机关"), max_length=100)
    issue_date = models.DateField(_("印发日期"), default=timezone.localdate)
    # [{"heading": str, "level": 1|2, "paragraphs": [str, …]}] — the text the coordinator edits.
    sections = models.JSONField(_("正文"), default=list)
    # The figures the draft was made from, so tables and charts stay as drafted.
    figures = models.JSONField(_("数据"), default=dict)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    docx = models.FileField(_("Word文件"), upload_to="bulletins/%Y", blank=True)
    pdf = models.FileField(_("PDF文件"), upload_to="bulletins/%Y", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(_("印发时间"), null=True, blank=True)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = _("通报简报")
        verbose_name_plural = _("通报简报")
        ordering = ["-year", "-month", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number_year", "number"],
                condition=models.Q(number__isnull=False),
                name="bulletin_unique_number",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def number_label(self) -> str:
        """期号, "2023 年第 2 期"."""
        return f"{self.number_year} 年第 {self.number} 期" if self.number else ""
