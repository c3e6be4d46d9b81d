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
