from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, DecimalField, Max, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lib.fields import money_field
from plans.choices import PlanKind, PlanLevel, PlanType
from projects.choices import SIZE_BUCKET_BOUNDS, SizeBucket, in_size_bucket
from projects.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from org.models import User

# A version takes effect when it is issued: the initial plan at once, an adjustment (调整方案) once
# its 下达日期 is set; until then the adjustment is a draft being prepared.
ISSUED = models.Q(kind=PlanKind.INITIAL) | models.Q(issued_on__isnull=False)


class PlanQuerySet(models.QuerySet["Plan"]):
    def in_force(self) -> "PlanQuerySet":
        """The latest issued version of each (year, level): the plan reports and figures go by."""
        latest = (
            Plan.objects.filter(ISSUED, year=models.OuterRef("year"), level=models.OuterRef("level"))
            .order_by("-version")
            .values("version")[:1]
        )
        return self.filter(version=models.Subquery(latest))

    def latest_versions(self) -> "PlanQuerySet":
        """The latest version of each (year, level), issued or still a draft: where edits go."""
        latest = (
            Plan.objects.filter(year=models.OuterRef("year"), level=models.OuterRef("level"))
            .order_by("-version")
            .values("version")[:1]
        )
        return self.filter(version=models.Subquery(latest))


class Plan(models.Model):
    """年度计划: the list of one level for one year, in one version (方案 or 调整方案)."""

    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    level = models.CharField(_("计划级别"), max_length=20, choices=PlanLevel.choices)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    kind = models.CharField(_("方案类型"), max_length=20, choices=PlanKind.choices, default=PlanKind.INITIAL)
    title = models.CharField(_("计划名称"), max_length=200)
    document_number = models.CharField(_("下达文号"), max_length=100, blank=True)
    issued_on = models.DateField(_("下达日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = PlanQuerySet.as_manager()
    # Set on a new plan whose creator fills it and then calls plans.counting.recount() itself.
    defer_recount = False
    # Set while saving (plans.counting): whether the save changes the 下达日期.
    issue_changed = False

    class Meta:
        verbose_name = _("年度计划")
        verbose_name_plural = _("年度计划")
        ordering = ["-year", "level", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "level", "version"],
                name="plan_unique_version",
                violation_error_message=_("该年度该级别的此版本计划已存在。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("plans:detail", args=[self.pk])

    def clean(self) -> None:
        # 下达日期 decides which version is in force: it is set (or taken back) on the latest
        # version only, and it is a day that has come.
        if self.issued_on and self.issued_on > timezone.localdate():
            raise ValidationError({"issued_on": _t("下达日期不能晚于今天。")})
        if self.pk:
            before = Plan.objects.filter(pk=self.pk).values_list("issued_on", flat=True).first()
            if before != self.issued_on and not self.is_latest:
                raise ValidationError(
                    {"issued_on": _t("只能在最新版本上填写或更改下达日期；历史版本的下达日期不能再改。")}
                )

    @property
    def is_latest(self) -> bool:
        latest = Plan.objects.filter(year=self.year, level=self.level).aggregate(v=Max("version"))["v"]
        return self.version == latest

    @property
    def is_draft(self) -> bool:
        """An adjustment not yet issued (no 下达日期): edited, but not yet what figures go by."""
        return self.kind == PlanKind.ADJUSTMENT and self.issued_on is None

    @property
    def is_in_force(self) -> bool:
        return Plan.objects.in_force().filter(pk=self.pk).exists()

    def previous_version(self) -> "Plan | None":
        return (
            Plan.objects.filter(year=self.year, level=self.level, version__lt=self.version)
            .order_by("-version")
            .first()
        )

    def last_year_plan(self) -> "Plan | None":
        """The previous year's plan of the same level, in the version in force."""
        return Plan.objects.in_force().filter(year=self.year - 1, level=self.level).first()

    def diff_against(self, other: "Plan", user: "User") -> dict[str, list]:
        """调整对比: entries added, removed and changed since `other`, within the user's scope."""
        mine = {e.project_id: e for e in self.entries.visible_to(user).select_related("project")}
        theirs = {e.project_id: e for e in other.entries.visible_to(user).select_related("project")}
        fields = (
            "plan_type",
            "annual_investment",
            "target",
            "planned_start_month",
            "planned_completion_month",
        )
        changed = []
        for project_id in mine.keys() & theirs.keys():
            new, old = mine[project_id], theirs[project_id]
            differences = {
                _label(f): [
                    _display(old, f),
                    _display(new, f),
                ]
                for f in fields
                if getattr(old, f) != getattr(new, f)
            }
            if differences:
                changed.append({"entry": new, "changes": differences})
        return {
            "added": sorted((mine[i] for i in mine.keys() - theirs.keys()), key=lambda e: e.project.name),
            "removed": sorted((theirs[i] for i in theirs.keys() - mine.keys()), key=lambda e: e.project.name),
            "changed": sorted(changed, key=lambda c: c["entry"].project.name),
        }

    def adjust(self, by: "User", title: str = "", note: str = "") -> "Plan":
        """调整方案: a new version carrying every entry of this one, to be edited."""
        if not self.is_latest:
            raise ValidationError(_t("只能基于最新版本进行调整。"))
        if self.is_draft:
            raise ValidationError(
                _t("第%(v)s版调整方案尚未下达，请在该版本上继续修改，下达后再作新的调整。")
                % {"v": self.version}
            )
        with transaction.atomic():
            new = Plan(
                year=self.year,
                level=self.level,
                version=self.version + 1,
                kind=PlanKind.ADJUSTMENT,
                # The title is the document's own (data, in Chinese), whatever language the page is in.
                title=title or f"{self.title.split('（')[0]}（调整方案）",
                note=note,
                created_by=by,
            )
            new.defer_recount = True  # recounted below, once its entries are in
            new.save()
            PlanEntry.objects.bulk_create(
                PlanEntry(
                    plan=new,
                    project_id=entry.project_id,
                    plan_type=entry.plan_type,
                    annual_investment=entry.annual_investment,
                    target=entry.target,
                    planned_start_month=entry.planned_start_month,
                    planned_completion_month=entry.planned_completion_month,
                    note=entry.note,
                )
                for entry in self.entries.all()
            )
            from plans.counting import recount

            recount(self.year)
            new.defer_recount = False
        return new


def _label(field: str) -> str:
    """The verbose name of a PlanEntry field, as the comparison lists it."""
    found = PlanEntry._meta.get_field(field)
    assert isinstance(found, models.Field)
    return str(found.verbose_name)


def _display(entry: "PlanEntry", field: str) -> str:
    if field == "plan_type":
        return str(entry.get_plan_type_display())
    value = getattr(entry, field)
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


class PlanEntryQuerySet(ScopedQuerySet):
    def totals(self) -> dict[str, Decimal | int]:
        """计划汇总: number of projects, 总投资 and 年度计划投资 of these entries, in one query."""
        result = self.aggregate(
            count=Count("id"),
            total_investment=Coalesce(
                Sum("project__total_investment"), Decimal(0), output_field=DecimalField()
            ),
            annual_investment=Coalesce(Sum("annual_investment"), Decimal(0), output_field=DecimalField()),
        )
        return result

    def size_buckets(self) -> list[dict[str, object]]:
        """规模分布: count and amounts per size bucket of total investment, in one query."""
        return size_rows(self.aggregate(**size_aggregates()))

    def breakdown(self) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        """size_buckets(), and by plan type (新开工/续建/竣工/预备) the count and 年度计划投资, in one pass
        over the entries (a province's plan joins 50,000 of them to their projects for the sizes)."""
        aggregates = size_aggregates()
        for value, _label in PlanType.choices:
            condition = models.Q(plan_type=value)
            aggregates[f"type_n_{value}"] = Count("id", filter=condition)
            aggregates[f"type_a_{value}"] = Coalesce(
                Sum("annual_investment", filter=condition), Decimal(0), output_field=DecimalField()
            )
        row = self.aggregate(**aggregates)
        types: list[dict[str, object]] = [
            {
                "plan_type": value,
                "label": label,
                "count": row[f"type_n_{value}"],
                "annual_investment": row[f"type_a_{value}"],
            }
            for value, label in PlanType.choices
        ]
        return size_rows(row), types


def size_aggregates() -> dict[str, Any]:
    """The count, 总投资 and 年度计划投资 of each size bucket, as aggregates of plan entries."""
    aggregates: dict[str, Any] = {}
    for bucket in SIZE_BUCKET_BOUNDS:
        condition = in_size_bucket(bucket, "project__total_investment")
        aggregates[f"n_{bucket}"] = Count("id", filter=condition)
        aggregates[f"t_{bucket}"] = Coalesce(
            Sum("project__total_investment", filter=condition), Decimal(0), output_field=DecimalField()
        )
        aggregates[f"a_{bucket}"] = Coalesce(
            Sum("annual_investment", filter=condition), Decimal(0), output_field=DecimalField()
        )
    return aggregates


def size_rows(row: dict[str, Any]) -> list[dict[str, object]]:
    """size_aggregates() read back, a row per bucket."""
    return [
        {
            "bucket": bucket,
            "label": SizeBucket(bucket).label,
            "count": row[f"n_{bucket}"],
            "total_investment": row[f"t_{bucket}"],
            "annual_investment": row[f"a_{bucket}"],
        }
        for bucket in SIZE_BUCKET_BOUNDS
    ]


class PlanEntry(models.Model):
    """计划项目: a project on a plan, with its plan type and 年度计划投资 for the year."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="entries", verbose_name=_("年度计划")
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="plan_entries", verbose_name=_("项目")
    )
    plan_type = models.CharField(_("计划类型"), max_length=20, choices=PlanType.choices)
    annual_investment = money_field(_("年度计划投资（万元）"), validators=[MinValueValidator(Decimal(0))])
    target = models.CharField(_("年度建设目标"), max_length=300, blank=True)
    planned_start_month = models.PositiveSmallIntegerField(
        _("计划开工月份"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    planned_completion_month = models.PositiveSmallIntegerField(
        _("计划竣工月份"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # Kept by plans.counting.recount(): set on the one entry per project and year that counts
    # when the levels are added together (the local plan in force first, then city, then province).
    counted = models.BooleanField(
        _("计入合并口径"),
        default=False,
        db_default=False,
        editable=False,
        help_text=_("多级计划合并统计时，同一项目按本级、市级、省级的顺序只计一次，此条目为计入的一条。"),
    )

    objects = PlanEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("计划项目")
        verbose_name_plural = _("计划项目")
        ordering = ["plan", "id"]
        indexes = [
            # The counted entries from the largest annual plan down, with their plans and projects:
            # the walk figures.compute.nothing_done_first() takes.
            models.Index(
                fields=["annual_investment", "plan", "project"],
                condition=models.Q(counted=True),
                name="plan_entry_counted_by_size",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "project"],
                name="plan_entry_unique_project",
                violation_error_message=_("该项目已在此计划中。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.project}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.plan_type == PlanType.NEW_START and not self.planned_start_month:
            errors["planned_start_month"] = _t("新开工项目须填写计划开工月份。")
        if self.plan_type == PlanType.COMPLETING and not self.planned_completion_month:
            errors["planned_completion_month"] = _t("竣工项目须填写计划竣工月份。")
        if (
            self.planned_start_month
            and self.planned_completion_month
            and self.planned_completion_month < self.planned_start_month
        ):
            errors["planned_completion_month"] = _t("计划竣工月份不能早于计划开工月份。")
        if errors:
            raise ValidationError(errors)

    def date_warnings(self) -> list[str]:
        """计划与项目日期不符: what this entry says against its project's dates (see entry_date_warnings)."""
        project = self.project
        return entry_date_warnings(
            self.plan.year,
            self.plan_type,
            {field: getattr(project, field) for field in PROJECT_DATE_FIELDS},
            start_month=self.planned_start_month,
            completion_month=self.planned_completion_month,
        )


# The project's fields a plan entry is checked against.
PROJECT_DATE_FIELDS = (
    "planned_start_date",
    "planned_completion_date",
    "actual_start_date",
    "actual_completion_date",
    "build_years",
)


def _month_text(day: date) -> str:
    return _t("%(y)d年%(m)d月") % {"y": day.year, "m": day.month}


def entry_date_warnings(
    year: int,
    plan_type: str,
    project: Mapping[str, Any],
    *,
    start_month: int | None = None,
    completion_month: int | None = None,
) -> list[str]:
    """计划与项目日期不符: where a plan entry of `year` contradicts its project's dates.

    `project` holds the project's PROJECT_DATE_FIELDS. A 新开工 entry whose project is planned to
    start in another year or started before it, a 竣工 entry whose project is planned to complete
    in another year, a 续建 or 竣工 entry whose project is planned to start after the year, an entry
    of a project completed before the year, months that differ from the project's planned dates, a
    year outside the 建设年限. Warnings, not errors: the plan is the document the office issued, and
    the project's dates may be the ones to correct.
    """
    planned_start = project.get("planned_start_date")
    planned_completion = project.get("planned_completion_date")
    actual_start = project.get("actual_start_date")
    actual_completion = project.get("actual_completion_date")
    kind = str(PlanType(plan_type).label) if plan_type in PlanType.values else ""
    found: list[str] = []
    if actual_completion and actual_completion.year < year:
        return [
            _t("项目已于%(d)s竣工，早于%(y)d年，不应列入该年度计划。")
            % {"d": _month_text(actual_completion), "y": year}
        ]
    # An actual date after the year is a project that slipped (应开未开 and 应竣未竣 say so), not a
    # plan that contradicts it: actual dates count only when they come before the year.
    if plan_type == PlanType.NEW_START and actual_start and actual_start.year < year:
        found.append(
            _t("项目已于%(d)s开工，早于%(y)d年，与“%(t)s”不符。")
            % {"d": _month_text(actual_start), "y": year, "t": kind}
        )
    if planned_start and not actual_start:
        message = ""
        if plan_type == PlanType.NEW_START and planned_start.year != year:
            message = _t("项目计划开工时间为%(d)s，不在%(y)d年内，与“%(t)s”不符。")
        elif plan_type in (PlanType.CONTINUING, PlanType.COMPLETING) and planned_start.year > year:
            message = _t("项目计划开工时间为%(d)s，晚于%(y)d年，与“%(t)s”不符。")
        if message:
            found.append(message % {"d": _month_text(planned_start), "y": year, "t": kind})
    if (
        plan_type == PlanType.COMPLETING
        and planned_completion
        and not actual_completion
        and planned_completion.year != year
    ):
        found.append(
            _t("项目计划竣工时间为%(d)s，不在%(y)d年内，与“%(t)s”不符。")
            % {"d": _month_text(planned_completion), "y": year, "t": kind}
        )
    for month, planned, text in (
        (start_month, planned_start, _t("计划开工月份为%(m)d月，与项目的计划开工时间%(d)s不一致。")),
        (
            completion_month,
            planned_completion,
            _t("计划竣工月份为%(m)d月，与项目的计划竣工时间%(d)s不一致。"),
        ),
    ):
        if month and planned and planned.year == year and planned.month != month:
            found.append(text % {"m": month, "d": _month_text(planned)})
    build_years = project.get("build_years") or ""
    try:
        first, last = (int(part) for part in (build_years.split("-")[0], build_years.split("-")[-1]))
    except ValueError:
        return found
    # A 预备 (preliminary) entry comes before the construction years; any other, within them.
    if not found and (year > last or (year < first and plan_type != PlanType.PRELIMINARY)):
        found.append(_t("项目建设年限为%(b)s，不含%(y)d年。") % {"b": build_years, "y": year})
    return found
