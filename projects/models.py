from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lib.fields import money_field
from lib.mapgrid import GridIndex
from lib.numbers import size_bucket
from lib.sorting import PinyinKeyField
from lib.stamps import Stamped
from lib.validators import (
    normalize_build_years,
    validate_build_years,
    validate_project_code,
)
from lib.versioning import VersionedModel
from projects.choices import (
    STATUS_TRANSITIONS,
    STATUSES_NEEDING_REASON,
    ConstructionNature,
    InvestmentNature,
    ProcedureStatus,
    ProjectStatus,
    ReportFrequency,
)
from projects.querysets import ProjectQuerySet, ScopedQuerySet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from org.models import User


class Project(VersionedModel, Stamped):
    """重点建设项目: one project in the registry, whatever lists it sits on."""

    code = models.CharField(_("项目代码"), max_length=30, blank=True, validators=[validate_project_code])
    name = models.CharField(_("项目名称"), max_length=200, db_index=True)
    name_key = PinyinKeyField(_("项目名称拼音"), source="name")
    industry = models.ForeignKey(
        "catalog.IndustryField", verbose_name=_("行业领域"), null=True, blank=True, on_delete=models.PROTECT
    )
    category = models.ForeignKey("catalog.Category", verbose_name=_("项目类别"), on_delete=models.PROTECT)
    investment_nature = models.CharField(
        _("投资性质"), max_length=20, choices=InvestmentNature.choices, default=InvestmentNature.GOVERNMENT
    )
    construction_nature = models.CharField(
        _("建设性质"), max_length=20, choices=ConstructionNature.choices, default=ConstructionNature.NEW
    )
    content = models.TextField(_("建设内容及规模"), blank=True)
    address = models.CharField(_("建设地点"), max_length=200, blank=True)
    town = models.ForeignKey(
        "org.Unit",
        verbose_name=_("所在乡镇/街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="town_projects",
        limit_choices_to={"kind": "town"},
    )
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    # The cell of the map's grid the project lies in (lib.mapgrid), kept by the database.
    map_row = models.GeneratedField(
        expression=GridIndex("latitude"), output_field=models.IntegerField(), db_persist=True
    )
    map_column = models.GeneratedField(
        expression=GridIndex("longitude"), output_field=models.IntegerField(), db_persist=True
    )
    build_years = models.CharField(
        _("建设年限"),
        max_length=9,
        blank=True,
        validators=[validate_build_years],
        help_text=_("如 2021-2023"),
    )
    start_year = models.PositiveSmallIntegerField(_("建设起始年"), null=True, blank=True, editable=False)
    end_year = models.PositiveSmallIntegerField(_("建设结束年"), null=True, blank=True, editable=False)
    planned_start_date = models.DateField(_("计划开工时间"), null=True, blank=True)
    planned_completion_date = models.DateField(_("计划竣工时间"), null=True, blank=True)
    actual_start_date = models.DateField(_("实际开工时间"), null=True, blank=True)
    actual_completion_date = models.DateField(_("实际竣工时间"), null=True, blank=True)
    total_investment = money_field(_("总投资（万元）"), validators=[MinValueValidator(Decimal(0))])
    signing_status = models.CharField(_("签约情况"), max_length=200, blank=True)
    demolition_progress = models.CharField(_("拆迁进展"), max_length=200, blank=True)
    # Empty until someone says who: 附件2 has no 责任单位 column (the "责任单位待明确" filter finds them).
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_projects",
    )
    owner_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("项目单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_projects",
    )
    leader_in_charge = models.ForeignKey(
        "org.Person",
        verbose_name=_("分包领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_projects",
    )
    chief_officer = models.ForeignKey(
        "org.Person",
        verbose_name=_("首席服务员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="served_projects",
    )
    responsible_person = models.ForeignKey(
        "org.Person",
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_for_projects",
    )
    owner_contact = models.ForeignKey(
        "org.Person",
        verbose_name=_("项目单位联系人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_for_projects",
    )
    green_channel = models.BooleanField(_("绿色通道"), default=False)
    is_ppp = models.BooleanField(_("PPP项目"), default=False)
    has_special_bond = models.BooleanField(_("专项债项目"), default=False)
    in_statistics = models.BooleanField(_("已入统"), default=False)
    is_public = models.BooleanField(_("公开"), default=False)
    report_frequency = models.CharField(
        _("报送频率"), max_length=20, choices=ReportFrequency.choices, default=ReportFrequency.MONTHLY
    )
    status = models.CharField(
        _("项目状态"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PRELIMINARY
    )
    status_reason = models.CharField(_("状态原因"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ProjectQuerySet.as_manager()

    conflict_message = _(
        "该项目在您打开后已被他人修改，为避免覆盖，本次未保存。请刷新页面查看最新内容后再修改。"
    )
    derived_fields = {"build_years": ("start_year", "end_year"), "name": ("name_key",)}

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~models.Q(code=""),
                name="project_code_unique",
                violation_error_message=_("该项目代码已被其他项目使用。"),
            ),
        ]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["total_investment"]),
            # The project list's default order, so that a page is read from the index rather than
            # after sorting every project.
            models.Index(fields=["updated_at", "id"], name="project_by_update"),
            # The public site's list (信息公开): the public projects by name, counted and paged.
            models.Index(
                fields=["name_key", "name", "id"],
                condition=models.Q(is_public=True),
                name="project_public_by_name",
            ),
            # The public projects counted (信息公开's 共 N 个): the narrowest index that holds them,
            # read alone (an index-only scan on PostgreSQL, 12 ms for 64,000 public projects at
            # 100,000, where the names' index or the table took 35 ms).
            models.Index(fields=["id"], condition=models.Q(is_public=True), name="project_public"),
            # The projects by name (拼音), the order of the pickers' lists (登记问题's first step),
            # read a page at a time from the head of the registry (lib.listing.PageRows).
            models.Index(fields=["name_key", "name", "id"], name="project_by_name"),
            # 项目后评价's completed projects awaiting an evaluation, the latest first
            # (evaluation.views.latest_awaiting): the first few read from the head of the index, which
            # holds what they are asked and shown, rather than after sorting every completed project.
            models.Index(
                fields=["-actual_completion_date", "name_key", "name", "status"],
                name="project_awaiting_evaluation",
            ),
            # 一张图's clusters (figures.views_screen.cell_rows): every located project's status and
            # position counted by cells of the map, read from this index, which holds all they ask,
            # rather than from the table's rows. Status first: SQLite, which keeps no statistics,
            # takes it so for the whole map and a view's box alike.
            models.Index(fields=["status", "latitude", "longitude"], name="project_located"),
            # An owner's projects, and with the responsible unit those owned in a subtree that
            # answer to a unit outside it, counted from the index alone (count_visible()).
            models.Index(fields=["owner_unit", "responsible_unit"], name="project_by_owner"),
            # The clusters of the whole map and of a view at a zoom the grid serves: counted by grid
            # cell in the order of this index, without a sort (figures.views_screen.cell_rows).
            models.Index(
                fields=["map_row", "map_column", "status", "latitude", "longitude"],
                name="project_on_grid",
                condition=models.Q(latitude__isnull=False, longitude__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.prepare_save()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("projects:detail", args=[self.pk])

    def prepare_save(self) -> None:
        """建设起始年/结束年 follow from 建设年限."""
        self.build_years = normalize_build_years(self.build_years)
        if self.build_years:
            parts = self.build_years.split("-")
            self.start_year, self.end_year = int(parts[0]), int(parts[-1])
        else:
            self.start_year = self.end_year = None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.code = (self.code or "").strip()
        self.build_years = normalize_build_years(self.build_years)
        for start, end, field in (
            (self.planned_start_date, self.planned_completion_date, "planned_completion_date"),
            (self.actual_start_date, self.actual_completion_date, "actual_completion_date"),
        ):
            if start and end and end < start:
                errors[field] = _t("竣工时间不能早于开工时间。")
        if self.actual_start_date and self.actual_start_date > date.today():
            errors["actual_start_date"] = _t("实际开工时间不能晚于今天。")
        if self.actual_completion_date and self.actual_completion_date > date.today():
            errors["actual_completion_date"] = _t("实际竣工时间不能晚于今天。")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _t("经度和纬度须同时填写或同时留空。")
        if errors:
            raise ValidationError(errors)

    @property
    def responsible_unit_name(self) -> str:
        """责任单位's name for tables and exports; empty while it is 待明确."""
        return self.responsible_unit.name if self.responsible_unit is not None else ""

    @property
    def owner_contact_text(self) -> str:
        """项目单位联系人及电话 in one cell, as the tables write it."""
        contact = self.owner_contact
        return f"{contact.name} {contact.phone}".strip() if contact is not None else ""

    @property
    def responsible_unit_path(self) -> str:
        return self.responsible_unit.path if self.responsible_unit is not None else ""

    @property
    def size_bucket(self) -> str:
        return size_bucket(self.total_investment)

    def allowed_statuses(self) -> list[tuple[str, "StrOrPromise"]]:
        allowed = STATUS_TRANSITIONS[self.status]
        return [(value, label) for value, label in ProjectStatus.choices if value in allowed]

    def change_status(
        self, new_status: str, by: "User | None", reason: str = "", on: date | None = None
    ) -> "ProjectStatusChange":
        """Move the project to another lifecycle status, recording who, when and why."""
        reason = (reason or "").strip()
        if new_status not in ProjectStatus.values:
            raise ValidationError({"status": _t("未知的项目状态。")})
        if new_status not in STATUS_TRANSITIONS[self.status]:
            raise ValidationError(
                {
                    "status": _t("项目状态不能从“%(a)s”变为“%(b)s”。")
                    % {"a": self.get_status_display(), "b": ProjectStatus(new_status).label}
                }
            )
        if new_status in STATUSES_NEEDING_REASON and not reason:
            raise ValidationError({"reason": _t("暂停施工或终止须填写原因。")})
        on = on or timezone.localdate()
        with transaction.atomic():
            change = ProjectStatusChange.objects.create(
                project=self,
                from_status=self.status,
                to_status=new_status,
                reason=reason,
                effective_date=on,
                changed_by=by,
            )
            self.status = new_status
            self.status_reason = reason
            fields = ["status", "status_reason"]
            if new_status == ProjectStatus.CONSTRUCTION and not self.actual_start_date:
                self.actual_start_date = on
                fields.append("actual_start_date")
            if new_status == ProjectStatus.COMPLETED and not self.actual_completion_date:
                self.actual_completion_date = on
                fields.append("actual_completion_date")
            # At the version read: of two status changes made at once, the second is refused.
            self.save_at_version(self.version, fields)
        return change


class ProjectStatusChange(models.Model):
    """项目状态变更: one step of the lifecycle, with who, when and why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=20, choices=ProjectStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ProjectStatus.choices)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    effective_date = models.DateField(_("生效日期"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("操作时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目状态变更")
        verbose_name_plural = _("项目状态变更")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Procedure(models.Model):
    """项目手续: the state of one approval procedure of a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="procedures")
    type = models.ForeignKey("catalog.ProcedureType", verbose_name=_("手续类型"), on_delete=models.PROTECT)
    status = models.CharField(
        _("办理状态"), max_length=20, choices=ProcedureStatus.choices, default=ProcedureStatus.NOT_STARTED
    )
    submitted_on = models.DateField(_("申报日期"), null=True, blank=True)
    approved_on = models.DateField(_("批复日期"), null=True, blank=True)
    document_number = models.CharField(_("批复文号"), max_length=100, blank=True)
    department = models.ForeignKey(
        "org.Unit",
        verbose_name=_("审批部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_procedures",
        limit_choices_to={"kind": "department"},
    )
    green_channel = models.BooleanField(_("绿色通道"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目手续")
        verbose_name_plural = _("项目手续")
        ordering = ["type__sort_order", "id"]
        # 审批超时 and 办理中: the procedures in progress by type and date of submission. Partial, so
        # that it is never chosen to read the hundreds of thousands of procedures done.
        indexes = [
            models.Index(
                fields=["type", "submitted_on"],
                condition=models.Q(status=ProcedureStatus.IN_PROGRESS),
                name="procedure_in_progress",
            ),
            # 审批效能 of the days its summary's months do not hold yet: the procedures approved
            # since the first of this month (and of the same month last year).
            models.Index(
                fields=["approved_on"],
                condition=models.Q(status=ProcedureStatus.DONE),
                name="procedure_done_by_approval",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "type"],
                name="procedure_unique_per_project",
                violation_error_message=_("该项目已有此类手续记录。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} · {self.get_status_display()}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.approved_on and self.submitted_on and self.approved_on < self.submitted_on:
            errors["approved_on"] = _t("批复日期不能早于申报日期。")
        if self.status == ProcedureStatus.DONE and not self.approved_on:
            errors["approved_on"] = _t("已办结的手续须填写批复日期。")
        if self.status == ProcedureStatus.IN_PROGRESS and not self.submitted_on:
            errors["submitted_on"] = _t("办理中的手续须填写申报日期。")
        if self.status in (ProcedureStatus.NOT_STARTED, ProcedureStatus.NOT_NEEDED) and self.approved_on:
            errors["status"] = _t("已填写批复日期的手续，状态应为“已办结”。")
        if errors:
            raise ValidationError(errors)

    @property
    def processing_days(self) -> int | None:
        """办理用时（天）: from submission to approval."""
        if self.submitted_on and self.approved_on:
            return (self.approved_on - self.submitted_on).days
        return None
