from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lib.stamps import Timestamped
from org.choices import Role
from projects.querysets import ScopedQuerySet
from service.choices import ServiceResult, TeamRole

if TYPE_CHECKING:
    from org.models import User
    from projects.models import Project


class TeamMember(Timestamped):
    """专班成员: a person of the people directory on a project's team (一个项目、一名首席服务员、一套班子),
    with the role and the work given; the chief officer who leads it is the project's 首席服务员."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="team_members"
    )
    person = models.ForeignKey(
        "org.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="team_memberships"
    )
    role = models.CharField(_("专班职务"), max_length=20, choices=TeamRole.choices, default=TeamRole.MEMBER)
    duty = models.CharField(_("分工"), max_length=200, blank=True, help_text=_("如：负责用地报批手续"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("专班成员")
        verbose_name_plural = _("专班成员")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "person"],
                name="team_member_once_per_project",
                violation_error_message=_("此人已在该项目的专班中。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"

    def clean(self) -> None:
        project: Project | None = getattr(self, "project", None)
        if project is not None and self.person_id and project.chief_officer_id == self.person_id:
            raise ValidationError({"person": _t("此人是该项目的首席服务员，已是专班负责人。")})


class ServiceRecordQuerySet(ScopedQuerySet["ServiceRecord"]):
    def in_period(self, start: object, end: object) -> "ServiceRecordQuerySet":
        return self.filter(served_on__gte=start, served_on__lte=end)


class ServiceRecord(Timestamped):
    """服务台账: one service a project's team gave — when, the matter, what was done, with what result."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="service_records"
    )
    served_on = models.DateField(_("服务日期"), default=timezone.localdate)
    matter = models.CharField(_("服务事项"), max_length=200)
    action = models.TextField(_("服务措施"), help_text=_("做了什么：协调了哪些部门、现场办公、帮办代办等"))
    result = models.CharField(
        _("办理结果"), max_length=20, choices=ServiceResult.choices, default=ServiceResult.IN_PROGRESS
    )
    result_note = models.TextField(_("结果说明"), blank=True)
    served_by = models.ForeignKey(
        "org.Person",
        verbose_name=_("服务人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_records",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务台账")
        verbose_name_plural = _("服务台账")
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["served_on"])]

    def __str__(self) -> str:
        return f"{self.served_on:%Y-%m-%d} {self.matter}"

    def clean(self) -> None:
        if self.served_on and self.served_on > timezone.localdate():
            raise ValidationError({"served_on": _t("服务日期不能晚于今天。")})


def may_keep_team(user: "User", project: "Project") -> bool:
    """Who forms a project's team and keeps its ledger: those who may change the project, except
    the project's own owner (项目单位), who is served, not serving."""
    from projects.models import Project

    if not user.is_active or (user.role == Role.OWNER and not user.is_superuser):
        return False
    return Project.objects.editable_by(user).filter(pk=project.pk).exists()


class LeaderCell(models.Model):
    """分包领导汇总单元: the year's plan entries of one combination of plan, counting mark, category, plan
    type, responsible unit, town, owner unit and 分包领导, added up: how many, 年度计划投资, 年度完成投资
    at the end of each month, the warnings open on their projects, and those lit and closed in the
    year by each month's end. Cells kept per owner unit
    (`per_owner`) serve a unit's or an owner's scope, those added up over the owners every
    project's. Built by service.cells from the tables, rebuilt where `LeaderStale` marks say."""

    year = models.PositiveSmallIntegerField(_("年度"))
    # Plain ids, as the figures' cells keep them: a cell never stands in the way of a deletion.
    plan_id = models.BigIntegerField(_("年度计划"))
    counted = models.BooleanField(_("计入合并口径"))
    category_id = models.BigIntegerField(_("项目类别"))
    plan_type = models.CharField(_("计划类型"), max_length=20)
    # 0 for the projects whose responsible unit is still 待明确.
    unit_id = models.BigIntegerField(_("责任单位"))
    town_id = models.BigIntegerField(_("所在乡镇/街道"), null=True)
    per_owner = models.BooleanField(_("按项目单位"), default=False)
    owner_unit_id = models.BigIntegerField(_("项目单位"), null=True)
    leader_id = models.BigIntegerField(_("分包领导"), null=True)
    count = models.IntegerField(default=0)
    annual_plan = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_1 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_2 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_3 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_4 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_5 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_6 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_7 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_8 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_9 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_10 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_11 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    ytd_12 = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    # Open warnings (红灯, 黄灯) on the entries' projects, a project once per entry.
    alerts_red = models.IntegerField(default=0)
    alerts_yellow = models.IntegerField(default=0)
    # Warnings on the entries' projects lit (亮灯) this year by the end of each month, and of those the
    # ones closed (销号) by then: 考核's 预警销号率 (assessment.providers.warning_closure).
    raised_1 = models.IntegerField(default=0)
    raised_2 = models.IntegerField(default=0)
    raised_3 = models.IntegerField(default=0)
    raised_4 = models.IntegerField(default=0)
    raised_5 = models.IntegerField(default=0)
    raised_6 = models.IntegerField(default=0)
    raised_7 = models.IntegerField(default=0)
    raised_8 = models.IntegerField(default=0)
    raised_9 = models.IntegerField(default=0)
    raised_10 = models.IntegerField(default=0)
    raised_11 = models.IntegerField(default=0)
    raised_12 = models.IntegerField(default=0)
    closed_1 = models.IntegerField(default=0)
    closed_2 = models.IntegerField(default=0)
    closed_3 = models.IntegerField(default=0)
    closed_4 = models.IntegerField(default=0)
    closed_5 = models.IntegerField(default=0)
    closed_6 = models.IntegerField(default=0)
    closed_7 = models.IntegerField(default=0)
    closed_8 = models.IntegerField(default=0)
    closed_9 = models.IntegerField(default=0)
    closed_10 = models.IntegerField(default=0)
    closed_11 = models.IntegerField(default=0)
    closed_12 = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("分包领导汇总单元")
        verbose_name_plural = _("分包领导汇总单元")
        indexes = [
            models.Index(fields=["year", "per_owner", "plan_id"], name="leader_cell_by_year"),
            models.Index(fields=["year", "unit_id"], name="leader_cell_by_unit"),
            # A unit's or an owner's cells, for a user's scope (figures.cells.visible_cells); the plan
            # last, so that these match more columns than the year's index does.
            models.Index(fields=["year", "per_owner", "unit_id", "plan_id"], name="leader_cell_of_unit"),
            models.Index(
                fields=["year", "per_owner", "owner_unit_id", "plan_id"], name="leader_cell_of_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} plan {self.plan_id} leader {self.leader_id}"


class LeaderStale(models.Model):
    """分包领导待重算标记: a (year, responsible unit, owner unit) whose leader cells no longer match the
    tables; without an owner unit, every cell of the responsible unit's year."""

    year = models.PositiveSmallIntegerField(_("年度"))
    unit_id = models.BigIntegerField(_("责任单位"))
    owner_id = models.BigIntegerField(_("项目单位"), null=True, blank=True)

    class Meta:
        verbose_name = _("分包领导待重算标记")
        verbose_name_plural = _("分包领导待重算标记")
        indexes = [models.Index(fields=["year", "unit_id"], name="leader_stale_key")]

    def __str__(self) -> str:
        return f"{self.year} unit {self.unit_id} owner {self.owner_id}"
