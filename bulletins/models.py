from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BulletinKind(models.TextChoices):
    MONTHLY = "monthly", _("月度通报")
    BRIEF = "brief", _("工作简报")
    ANNUAL = "annual", _("年度报告")


class Recipients(models.TextChoices):
    """分发对象: who a published bulletin is sent to (in-app, and their own channels)."""

    LEADERS = "leaders", _("区领导")
    COORDINATORS = "coordinators", _("重点办")
    UNITS = "units", _("各责任单位")
    INSPECTORS = "inspectors", _("督查组")
    ROBOTS = "robots", _("工作群（群机器人）")


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
    # 发文字号 (GB/T 9704): 机关代字〔年份〕序号, typed or given on publishing from BULLETIN_DOC_PREFIX.
    doc_number = models.CharField(_("发文字号"), max_length=60, blank=True)
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
    # Recipients codes chosen on publishing, and when the bulletin went out to them.
    recipients = models.JSONField(_("分发对象"), default=list, blank=True)
    distributed_at = models.DateTimeField(_("分发时间"), null=True, blank=True)

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
            ),
            models.UniqueConstraint(
                fields=["doc_number"], condition=~models.Q(doc_number=""), name="bulletin_unique_doc_number"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_red_head(self) -> bool:
        """红头 (发文机关标志 and the red line): the monthly notice and the annual report, when configured;
        the brief has its own masthead."""
        return settings.BULLETIN_RED_HEAD and self.kind != BulletinKind.BRIEF

    @property
    def recipient_labels(self) -> list[str]:
        labels = dict(Recipients.choices)
        return [str(labels[code]) for code in self.recipients if code in labels]

    @property
    def number_label(self) -> str:
        """期号, "2023 年第 2 期"."""
        return f"{self.number_year} 年第 {self.number} 期" if self.number else ""
