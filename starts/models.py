from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.dates import add_months
from progress.models import period_seq
from starts.querysets import StartEventProjectQuerySet, StartEventQuerySet

if TYPE_CHECKING:
    from projects.models import Project


class StartEvent(models.Model):
    """集中开工活动: a batch of projects started together on one day."""

    held_on = models.DateField(_("开工日期"))
    batch = models.CharField(_("批次名称"), max_length=100, help_text=_("如“2026年第一批重大项目集中开工”"))
    place = models.CharField(_("主会场"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True)
    projects: "models.ManyToManyField[Project, StartEventProject]" = models.ManyToManyField(
        "projects.Project",
        through="StartEventProject",
        related_name="start_events",
        verbose_name=_("开工项目"),
    )
    # Derived from held_on on save: the year, the last day substantive construction must show by,
    # and the report periods that may show it.
    year = models.PositiveSmallIntegerField(_("年度"), editable=False, db_index=True)
    check_by = models.DateField(_("实质性开工核查截止日"), editable=False)
    first_report_seq = models.PositiveIntegerField(editable=False)
    last_report_seq = models.PositiveIntegerField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = StartEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("集中开工活动")
        verbose_name_plural = _("集中开工活动")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.batch

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.year = self.held_on.year
        self.check_by = add_months(self.held_on, settings.COLLECTIVE_START_CHECK_MONTHS)
        self.first_report_seq = period_seq(self.held_on.year, self.held_on.month, 0)
        self.last_report_seq = period_seq(self.check_by.year, self.check_by.month, 9)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "held_on" in update_fields:
            kwargs["update_fields"] = {
                *update_fields,
                "year",
                "check_by",
                "first_report_seq",
                "last_report_seq",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("starts:detail", args=[self.pk])


class StartEventProject(models.Model):
    """集中开工项目: a project started at a collective start event."""

    event = models.ForeignKey(
        StartEvent, on_delete=models.CASCADE, related_name="members", verbose_name=_("开工活动")
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="collective_starts", verbose_name=_("项目")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = StartEventProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("集中开工项目")
        verbose_name_plural = _("集中开工项目")
        ordering = ["event", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "project"],
                name="start_event_project_unique",
                violation_error_message=_("该项目已在本次集中开工活动中。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.project}"
