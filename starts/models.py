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


class StartCell(models.Model):
    """集中开工汇总单元: the memberships of the events of one year, added up per responsible unit and,
    when `per_owner`, per owner unit: how many projects, their 概算投资 and 年度计划投资 (the entry
    that counts on the plans in force of the year). A cell of an event (`event_id`) counts its
    memberships; a cell of the year (`event_id` empty) counts each project once however many of
    the year's events started it. `stalled_after` is the earliest 核查截止日 past which the cell's
    projects count as 未实质性开工 (none shown on site, not cancelled), empty for those that have
    shown it. Built by starts.cells from the tables, rebuilt where `StartStale` marks say."""

    year = models.PositiveSmallIntegerField(_("年度"))
    # Plain ids, as the figures' cells keep them: a cell never stands in the way of a deletion.
    event_id = models.BigIntegerField(_("开工活动"), null=True)
    unit_id = models.BigIntegerField(_("责任单位"))
    per_owner = models.BooleanField(_("按项目单位"), default=False)
    owner_unit_id = models.BigIntegerField(_("项目单位"), null=True)
    stalled_after = models.DateField(_("未实质性开工起算"), null=True)
    count = models.IntegerField(default=0)
    total_investment = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    annual_investment = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("集中开工汇总单元")
        verbose_name_plural = _("集中开工汇总单元")
        indexes = [
            models.Index(fields=["year", "per_owner", "event_id"], name="start_cell_by_year"),
            # A unit's or an owner's cells, for a user's scope (figures.cells.visible_cells); the event
            # last, so that these match more columns than the year's index does.
            models.Index(fields=["year", "per_owner", "unit_id", "event_id"], name="start_cell_of_unit"),
            models.Index(
                fields=["year", "per_owner", "owner_unit_id", "event_id"], name="start_cell_of_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} event {self.event_id} unit {self.unit_id} owner {self.owner_unit_id}"


class StartStale(models.Model):
    """集中开工待重算标记: a (year, responsible unit, owner unit) whose start cells no longer match the
    tables; without an owner unit, every cell of the responsible unit's year."""

    year = models.PositiveSmallIntegerField(_("年度"))
    unit_id = models.BigIntegerField(_("责任单位"))
    owner_id = models.BigIntegerField(_("项目单位"), null=True, blank=True)

    class Meta:
        verbose_name = _("集中开工待重算标记")
        verbose_name_plural = _("集中开工待重算标记")
        indexes = [models.Index(fields=["year", "unit_id"], name="start_stale_key")]

    def __str__(self) -> str:
        return f"{self.year} unit {self.unit_id} owner {self.owner_id}"
