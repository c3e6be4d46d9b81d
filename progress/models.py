import functools
import operator
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from catalog.models import ProcedureType
from lib.fields import money_field
from lib.versioning import VersionedModel
from org.choices import Role
from progress.choices import ReportState, RevisionKind
from progress.periods import Period
from progress.photos import delete_files_on_commit, photo_file_name
from projects.choices import ProcedureStatus
from projects.choices import ReportFrequency as Frequency
from projects.models import Procedure, Project
from projects.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from org.models import User

ZERO = Decimal("0.00")
# The figures a correction or an import may change, and that history keeps.
TRACKED_FIELDS = (
    "amount",
    "year_to_date",
    "cumulative",
    "progress_text",
    "progress_percent",
    "problems_text",
)

# What 报送 changes on a report (the totals and warnings are checked again as it goes).
SUBMIT_FIELDS = (
    "state",
    "submitted_at",
    "submitted_by",
    "first_submitted_at",
    "return_reason",
    "warnings",
    "year_to_date",
    "cumulative",
)
# What the owner's form changes on a draft, with the totals and warnings that follow from it.
FORM_FIELDS = (
    "amount",
    "progress_text",
    "progress_percent",
    "problems_text",
    "procedure_states",
    "year_to_date",
    "cumulative",
    "warnings",
)

# Translated only when a rule names them: imports check tens of thousands of reports.
FIGURE_LABELS = {
    "amount": _("本期完成投资"),
    "year_to_date": _("年度完成投资"),
    "cumulative": _("累计完成投资"),
}


def period_seq(year: int, month: int, part: int = 1) -> int:
    """A sortable number for a period: later periods have larger numbers."""
    return (year * 12 + month) * 10 + part


class ReportQuerySet(ScopedQuerySet):
    def of_period(self, period: Period) -> "ReportQuerySet":
        return self.filter(year=period.year, month=period.month, part=period.part)


class Report(VersionedModel):
    """进度报告 (月报/半月报/旬报): a project's completed investment and progress for one period."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="reports", verbose_name=_("项目")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(
        _("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    part = models.PositiveSmallIntegerField(_("期次"), default=1)
    frequency = models.CharField(
        _("报送频率"), max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    seq = models.PositiveIntegerField(editable=False, db_index=True)
    amount = money_field(_("本期完成投资（万元）"), default=ZERO)
    year_to_date = money_field(_("年度完成投资（万元）"), default=ZERO)
    cumulative = money_field(_("累计完成投资（万元）"), default=ZERO)
    # Set when this report opens the project's figures (first import of a year): the year-to-date
    # and cumulative figures were taken from the table, not summed from earlier periods.
    is_opening = models.BooleanField(_("期初数"), default=False)
    progress_text = models.TextField(_("形象进度"), blank=True)
    progress_percent = models.DecimalField(
        _("形象进度（%）"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    problems_text = models.TextField(_("存在问题"), blank=True)
    procedure_states = models.JSONField(_("手续办理情况"), default=dict, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT)
    deadline = models.DateField(_("报送截止日"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    @staticmethod
    def may_fill(user: "User", project: Project) -> bool:
        """填报权: whoever may edit the project, except the leaders and inspectors, who only read."""
        if user.role in (Role.LEADER, Role.INSPECTOR):
            return False
        return Project.objects.editable_by(user).filter(pk=project.pk).exists()

    @staticmethod
    def may_review(user: "User", project: Project) -> bool:
        """审核权: the coordinator, or a responsible unit whose scope holds the project."""
        if user.is_coordinator:
            return True
        return user.role == Role.UNIT and Project.objects.editable_by(user).filter(pk=project.pk).exists()

    conflict_message = _("该报告在您打开后已被他人修改、报送或审核，本次操作未生效。请刷新页面查看最新状态。")
    derived_fields = {"year": ("seq",), "month": ("seq",), "part": ("seq",)}

    class Meta:
        verbose_name = _("进度报告")
        verbose_name_plural = _("进度报告")
        ordering = ["-seq", "project_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "month", "part"], name="report_unique_period"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="report_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["year", "month", "state"]), models.Index(fields=["project", "seq"])]

    def __str__(self) -> str:
        return f"{self.project} · {self.period.label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.prepare_save()
        super().save(*args, **kwargs)

    def prepare_save(self) -> None:
        self.seq = period_seq(self.year, self.month, self.part)

    @property
    def period(self) -> Period:
        return Period(self.year, self.month, self.part, self.frequency)

    @property
    def is_locked(self) -> bool:
        return self.state in (ReportState.SUBMITTED, ReportState.ACCEPTED)

    @property
    def is_late(self) -> bool:
        """迟报: first submitted after the deadline."""
        first = self.first_submitted_at
        return bool(first and timezone.localtime(first).date() > self.deadline)

    def earlier(self) -> "ReportQuerySet":
        """The project's reports of earlier periods, latest first."""
        seq = period_seq(self.year, self.month, self.part)
        return Report.objects.filter(project_id=self.project_id, seq__lt=seq).order_by("-seq")

    def previous(self) -> "Report | None":
        return self.earlier().first()

    def recent(self, count: int) -> list["Report"]:
        return list(self.earlier()[:count])

    def accepted_percent_before(self) -> tuple[Decimal, Period] | None:
        """形象进度（%） of the latest earlier accepted report that gave one, and its period."""
        report = (
            self.earlier()
            .filter(state=ReportState.ACCEPTED, progress_percent__isnull=False)
            .only("year", "month", "part", "frequency", "progress_percent")
            .first()
        )
        if report is None or report.progress_percent is None:
            return None
        return report.progress_percent, report.period

    def recompute_totals(self, previous: "Report | None" = None) -> None:
        """年度/累计完成投资 follow from the periods: the previous report's figures plus this one."""
        if self.is_opening:
            return
        previous = previous if previous is not None else self.previous()
        carried_year = previous.year_to_date if previous and previous.year == self.year else ZERO
        self.year_to_date = carried_year + self.amount
        self.cumulative = (previous.cumulative if previous else ZERO) + self.amount

    def check_rules(self) -> tuple[list[str], list[str]]:
        """The consistency rules of a report: (errors that block saving, warnings kept with it)."""
        errors: list[str] = []
        warnings: list[str] = []
        project = self.project
        for label, value in (
            (FIGURE_LABELS["amount"], self.amount),
            (FIGURE_LABELS["year_to_date"], self.year_to_date),
            (FIGURE_LABELS["cumulative"], self.cumulative),
        ):
            if value is not None and value < 0:
                errors.append(_t("%(f)s不能为负数。") % {"f": label})
        previous = self.previous()
        if previous and self.cumulative < previous.cumulative:
            errors.append(
                _t("累计完成投资（%(c)s万元）低于上期（%(p)s万元）。")
                % {"c": self.cumulative, "p": previous.cumulative}
            )
        if self.year_to_date > self.cumulative:
            errors.append(_t("年度完成投资不能大于累计完成投资。"))
        total = project.total_investment or ZERO
        if total and self.cumulative > total:
            warnings.append(
                _t("累计完成投资（%(c)s万元）超过项目总投资（%(t)s万元）。")
                % {"c": self.cumulative, "t": total}
            )
        if total and self.amount > total / 2:
            warnings.append(_t("本期完成投资超过项目总投资的50%，请核实。"))
        # Asked only when a percentage is given: imports give none, and check rows with no query each.
        accepted = self.accepted_percent_before() if self.progress_percent is not None else None
        if accepted is not None and self.progress_percent is not None and self.progress_percent < accepted[0]:
            warnings.append(
                _t("形象进度（%(n)s%%）低于%(period)s已审核的%(p)s%%，请核实。")
                % {
                    "n": f"{self.progress_percent:.1f}",
                    "period": accepted[1].label,
                    "p": f"{accepted[0]:.1f}",
                }
            )
        recent = self.recent(2)
        if len(recent) == 2:
            texts = {r.progress_text.strip() for r in recent} | {self.progress_text.strip()}
            amounts = [r.amount for r in recent] + [self.amount]
            if len(texts) == 1 and all(a > 0 for a in amounts):
                warnings.append(_t("形象进度连续3期未变化，但投资持续增加，请核实。"))
            if len(texts) == 3 and all(a == 0 for a in amounts):
                warnings.append(_t("连续3期未完成投资，但形象进度有变化，请核实。"))
        return errors, warnings

    def validate_and_store_warnings(self) -> None:
        """Recompute totals, raise the rule errors, keep the warnings."""
        self.recompute_totals()
        errors, warnings = self.check_rules()
        if errors:
            raise ValidationError(errors)
        self.warnings = warnings

    # Workflow ---------------------------------------------------------------

    def _log(
        self, kind: str, by: "User | None", reason: str = "", before: dict[str, str] | None = None
    ) -> "ReportRevision":
        return ReportRevision.objects.create(
            report=self, kind=kind, by=by, reason=reason, before=before or {}, after=self.snapshot()
        )

    def snapshot(self) -> dict[str, str]:
        """The tracked figures as text, amounts always with their two decimals."""
        result: dict[str, str] = {}
        for name in TRACKED_FIELDS:
            value = getattr(self, name)
            field = self._meta.get_field(name)
            if isinstance(value, Decimal):
                assert isinstance(field, models.DecimalField)
                value = f"{value:.{field.decimal_places}f}"
            result[name] = "" if value is None else str(value)
        return result

    def submit(self, by: "User") -> None:
        """报送: a draft or returned report goes to its reviewers."""
        if self.state not in (ReportState.DRAFT, ReportState.RETURNED):
            raise ValidationError(
                _t("只有草稿或被退回的报告可以报送，当前状态为“%(s)s”。") % {"s": self.get_state_display()}
            )
        self.validate_and_store_warnings()
        now = timezone.now()
        self.state = ReportState.SUBMITTED
        self.submitted_at, self.submitted_by = now, by
        self.first_submitted_at = self.first_submitted_at or now
        self.return_reason = ""
        # Every step of the workflow writes at the version it read: of two reviewers pressing the
        # same button at once, or an owner saving a stale page as it is submitted, one is refused.
        with transaction.atomic():
            self.save_at_version(self.version, SUBMIT_FIELDS)
            self._log(RevisionKind.SUBMIT, by)

    def return_to_owner(self, by: "User", reason: str) -> None:
        """退回: the reviewer sends a submitted report back, saying why."""
        reason = (reason or "").strip()
        if self.state != ReportState.SUBMITTED:
            raise ValidationError(_t("只有待审核的报告可以退回。"))
        if not reason:
            raise ValidationError({"reason": _t("退回须填写原因。")})
        self.state, self.return_reason = ReportState.RETURNED, reason
        self.reviewed_at, self.reviewed_by = timezone.now(), by
        with transaction.atomic():
            self.save_at_version(self.version, ["state", "return_reason", "reviewed_at", "reviewed_by"])
            self._log(RevisionKind.RETURN, by, reason)

    def accept(self, by: "User") -> None:
        """审核通过: the report is locked and its procedure states are applied to the project."""
        if self.state != ReportState.SUBMITTED:
            raise ValidationError(_t("只有待审核的报告可以审核通过。"))
        if self.submitted_by_id is not None and self.submitted_by_id == getattr(by, "pk", None):
            raise ValidationError(_t("这份报告由您报送，须由报送人以外的审核人员审核通过。"))
        self.state = ReportState.ACCEPTED
        self.reviewed_at, self.reviewed_by = timezone.now(), by
        from progress.rollup import refresh_projects
        from progress.signals import report_accepted

        # The rollup in the same transaction: an accepted report and stale figures never coexist.
        with transaction.atomic():
            self.save_at_version(self.version, ["state", "reviewed_at", "reviewed_by"])
            self.apply_procedure_states()
            self._log(RevisionKind.ACCEPT, by)
            refresh_projects([self.project_id])
        report_accepted.send(sender=Report, report=self)

    def correct(self, by: "User", reason: str, read_at: int | None = None, **values: Any) -> None:
        """审核后更正: change an accepted report, with a reason; old values stay in the history.

        `read_at` is the version the reviewer's page showed (the version loaded here when None).
        """
        reason = (reason or "").strip()
        if self.state != ReportState.ACCEPTED:
            raise ValidationError(_t("只有已审核的报告需要走更正流程。"))
        if not reason:
            raise ValidationError({"reason": _t("更正已审核的报告须填写原因。")})
        before = self.snapshot()
        for field, value in values.items():
            setattr(self, field, value)
        with transaction.atomic():
            self.validate_and_store_warnings()
            self.save_at_version(
                self.version if read_at is None else read_at,
                [*values, "year_to_date", "cumulative", "warnings"],
            )
            self.recompute_later_reports()
            self._log(RevisionKind.CORRECT, by, reason, before)
            from progress.rollup import refresh_projects

            refresh_projects([self.project_id])

    def recompute_later_reports(self) -> None:
        """After a change, carry the new totals through the project's later reports."""
        previous: Report = self
        for later in Report.objects.filter(project_id=self.project_id, seq__gt=self.seq).order_by("seq"):
            if later.is_opening:
                break
            later.recompute_totals(previous)
            later.save(update_fields=["year_to_date", "cumulative", "updated_at"])
            previous = later

    def apply_procedure_states(self) -> None:
        """Carry the procedure states reported here onto the project's procedure records."""

        types = {t.code: t for t in ProcedureType.objects.filter(code__in=self.procedure_states.keys())}
        for code, status in self.procedure_states.items():
            if code not in types or status not in ProcedureStatus.values:
                continue
            procedure, _created = Procedure.objects.get_or_create(
                project_id=self.project_id, type=types[code]
            )
            if procedure.status == status:
                continue
            procedure.status = status
            if status in (ProcedureStatus.IN_PROGRESS, ProcedureStatus.DONE) and not procedure.submitted_on:
                procedure.submitted_on = self.period.start
            if status == ProcedureStatus.DONE and not procedure.approved_on:
                procedure.approved_on = max(
                    procedure.submitted_on or self.period.end, min(self.period.end, date.today())
                )
            procedure.save()


class ReportRevision(models.Model):
    """报告历史: each submission, return, acceptance, correction or import, with old and new values."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(_("操作"), max_length=20, choices=RevisionKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("报告历史")
        verbose_name_plural = _("报告历史")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class PhotoQuerySet(ScopedQuerySet):
    scope_prefix = "report__project__"


def photo_path(instance: "ReportPhoto", filename: str) -> str:
    stamp = timezone.now()
    return f"photos/{instance.report.project_id}/{stamp:%Y%m}/{stamp:%d%H%M%S%f}-{photo_file_name(filename)}"


class ReportPhoto(models.Model):
    """现场照片 (图片库): a photo attached to a report, with its EXIF time and place."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to=photo_path)
    thumbnail = models.ImageField(upload_to=photo_path, blank=True)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # 公开: shown on the project's public page (信息公开) when the project itself is public.
    is_public = models.BooleanField(_("公开"), default=False)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.caption or self.image.name

    @staticmethod
    def may_publish(user: "User", project: Project) -> bool:
        """Who marks a project's photos public: the coordinator's office and whoever fills its reports
        (and so uploads and keeps its photos)."""
        return Report.may_fill(user, project)


@receiver(post_delete, sender=ReportPhoto, dispatch_uid="progress.photo_files")
def remove_photo_files(sender: type[ReportPhoto], instance: ReportPhoto, **kwargs: Any) -> None:
    delete_files_on_commit(instance.image, instance.thumbnail)


class MonthlyProgress(models.Model):
    """月度汇总: a project's accepted figures per month, kept current as reports are accepted.

    `ytd_increment` is what the month adds to 年度完成投资 (the month's amount, or the opening
    figure when the year's earlier months are not in the system). The figures read YearProgress,
    which the rollup derives from these rows; the month rows stay as the month-by-month record
    (amounts, cumulative) of every project, for reports and checks.
    """

    # Looked up by project through monthly_unique, which begins with it; an index of its own
    # would only cost the rollup's writes.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="monthly", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    amount = money_field(default=ZERO)
    ytd_increment = money_field(default=ZERO)
    year_to_date = money_field(default=ZERO)
    cumulative = money_field(default=ZERO)

    class Meta:
        verbose_name = _("月度汇总")
        verbose_name_plural = _("月度汇总")
        constraints = [models.UniqueConstraint(fields=["project", "year", "month"], name="monthly_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}-{self.month:02d}"


class YearProgress(models.Model):
    """年度进度汇总: a project's 年度完成投资 at the end of each month of one year, kept with the rollup.

    `ytd_MM` is what the year stood at when month MM ended: the month's last accepted figure,
    carried forward through months without a report, 0 before the year's first report. It equals
    the SUM of MonthlyProgress.ytd_increment over months ≤ MM, so the year-to-date of any scope at
    month m reads one row per project (SUM of ytd_m) instead of m monthly rows.
    """

    # Looked up by (project, year) through the unique constraint; an index of its own would only
    # cost writes.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="yearly", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    ytd_01 = money_field(default=ZERO)
    ytd_02 = money_field(default=ZERO)
    ytd_03 = money_field(default=ZERO)
    ytd_04 = money_field(default=ZERO)
    ytd_05 = money_field(default=ZERO)
    ytd_06 = money_field(default=ZERO)
    ytd_07 = money_field(default=ZERO)
    ytd_08 = money_field(default=ZERO)
    ytd_09 = money_field(default=ZERO)
    ytd_10 = money_field(default=ZERO)
    ytd_11 = money_field(default=ZERO)
    ytd_12 = money_field(default=ZERO)

    class Meta:
        verbose_name = _("年度进度汇总")
        verbose_name_plural = _("年度进度汇总")
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="year_progress_unique")]
        # Figures read one year's rows joined to the scope's projects (docs/performance.md).
        indexes = [
            models.Index(fields=["year", "project"], name="year_progress_by_year"),
            # The rows of a year that stood below zero at some month's end, almost always none: the
            # index any_below_zero() reads.
            models.Index(
                fields=["year", "project"],
                condition=functools.reduce(
                    operator.or_, (models.Q(**{f"ytd_{month:02d}__lt": 0}) for month in range(1, 13))
                ),
                name="year_progress_below_zero",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}"

    @staticmethod
    def any_below_zero(year: int, month: int) -> bool:
        """Whether any project's 年度完成投资 of `year` stood below zero at the end of `month` (a
        correction larger than what had been reported): a look into the index of such rows, whose
        condition names this one."""
        return YearProgress.objects.filter(year=year, **{f"{YearProgress.column(month)}__lt": 0}).exists()

    @staticmethod
    def column(month: int) -> str:
        """The field holding 年度完成投资 at the end of `month`."""
        return f"ytd_{month:02d}"
