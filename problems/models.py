from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lib.stamps import Stamped, Timestamped
from notifications.choices import Kind
from notifications.delivery import notify
from org.choices import Role
from org.models import User
from problems.choices import (
    ACTIONS_NEEDING_NOTE,
    MATTER_ACTIONS,
    OFFICE_ACTIONS,
    PROBLEM_ACTIONS,
    UNSOLVED,
    MatterAction,
    MatterStatus,
    MeetingKind,
    ProblemAction,
    ProblemCategory,
    ProblemStatus,
    ResolveConfirmation,
)
from problems.querysets import MatterQuerySet, MeetingQuerySet, ProblemQuerySet
from progress.photos import delete_files_on_commit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NOTE_REQUIRED: dict[str, "StrOrPromise"] = {
    ProblemAction.RESOLVE: _("销号须填写解决情况说明。"),
    ProblemAction.REJECT: _("退回销号须说明原因。"),
    ProblemAction.ESCALATE: _("上报须说明需要调度会协调解决的事项。"),
    ProblemAction.RETURN: _("退回办理须说明原因。"),
    ProblemAction.REOPEN: _("重新打开须说明原因。"),
}


def attachment_path(instance: "ProblemAttachment", filename: str) -> str:
    stamp = timezone.now()
    return f"problems/{instance.problem.project_id}/{stamp:%Y%m}/{stamp:%d%H%M%S%f}-{filename[-60:]}"


class Problem(models.Model):
    """问题台账: a problem a project meets, who handles it by when, and how it ends (销号 or 上报)."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="problems"
    )
    report = models.ForeignKey(
        "progress.Report",
        verbose_name=_("来源报告"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raised_problems",
    )
    category = models.CharField(_("问题类别"), max_length=20, choices=ProblemCategory.choices)
    description = models.TextField(_("问题描述"))
    responsible_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("责任单位"), blank=True, related_name="assigned_problems"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("牵头领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_problems",
    )
    measures = models.TextField(_("解决措施"), blank=True)
    deadline = models.DateField(_("办理时限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    resolution = models.TextField(_("销号说明"), blank=True)
    escalation_note = models.TextField(_("上报事由"), blank=True)
    settled_by = models.ForeignKey(
        "problems.Matter",
        verbose_name=_("解决该问题的议定事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="settled_problems",
        editable=False,
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raised_problems",
        editable=False,
    )
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now, editable=False)
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("销号时间"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题台账")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["raised_at"]),
            models.Index(fields=["resolved_at"]),
        ]

    def __str__(self) -> str:
        text = " ".join(self.description.split())
        return text if len(text) <= 40 else f"{text[:40]}…"

    def get_absolute_url(self) -> str:
        return reverse("problems:detail", args=[self.pk])

    @property
    def is_solved(self) -> bool:
        return self.status == ProblemStatus.RESOLVED

    @property
    def awaits_confirmation(self) -> bool:
        return self.status == ProblemStatus.PENDING_CONFIRMATION

    def days_overdue(self, today: date | None = None) -> int:
        """超期天数: days past the deadline while unsolved; 0 otherwise."""
        today = today or timezone.localdate()
        if self.status not in UNSOLVED or self.deadline is None or self.deadline >= today:
            return 0
        return (today - self.deadline).days

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.description = (self.description or "").strip()
        if not self.description:
            errors["description"] = _t("请填写问题描述。")
        if self.project_id and self.report is not None and self.report.project_id != self.project_id:
            errors["report"] = _t("来源报告不属于该项目。")
        if errors:
            raise ValidationError(errors)

    # Workflow ---------------------------------------------------------------

    def may_handle(self, user: "User") -> bool:
        """办理权: the coordinator's office, or a responsible unit (部门/乡镇) that may change the problem.

        Project owners raise, edit and comment; they do not close their own problems.
        """
        if user.edits_everything:
            return True
        return user.role == Role.UNIT and Problem.objects.editable_by(user).filter(pk=self.pk).exists()

    def allowed_actions(self, user: "User") -> list[str]:
        """The moves open to `user` on this problem as it stands."""
        legal = [action for action, (sources, _to) in PROBLEM_ACTIONS.items() if self.status in sources]
        if not legal or not self.may_handle(user):
            return []
        if not user.edits_everything:
            legal = [action for action in legal if action not in OFFICE_ACTIONS]
        return legal

    def needs_confirmation(self, by: "User | None") -> bool:
        """Whether a 销号 by `by` waits for the coordinator's office to confirm it (待确认销号).

        settings.PROBLEM_RESOLVE_NEEDS_CONFIRMATION says which: "escalated", those of problems
        once escalated to a meeting (sending one back to handling does not spare it); "all"; "none".
        The office's own 销号, and one made by no one (a command), are final.
        """
        if by is None or by.edits_everything:
            return False
        mode = settings.PROBLEM_RESOLVE_NEEDS_CONFIRMATION
        if mode == ResolveConfirmation.ALL:
            return True
        if mode == ResolveConfirmation.ESCALATED:
            return self.status == ProblemStatus.ESCALATED or self.escalated_at is not None
        return False

    def status_before_confirmation(self) -> str:
        """Where a 销号 awaiting confirmation came from (办理中 or 已上报): where 退回销号 takes it."""
        source = (
            self.events.filter(action=ProblemAction.RESOLVE, to_status=ProblemStatus.PENDING_CONFIRMATION)
            .order_by("-at", "-id")
            .values_list("from_status", flat=True)
            .first()
        )
        return source or ProblemStatus.IN_PROGRESS

    def move(
        self, action: str, by: "User | None", note: str = "", *, matter: "Matter | None" = None
    ) -> "ProblemEvent":
        """Carry out a move (开始办理, 销号, 上报 …), refusing one the status or the person does not allow."""
        if action not in PROBLEM_ACTIONS:
            raise ValidationError(_t("未知的操作。"))
        sources, target = PROBLEM_ACTIONS[action]
        label = ProblemAction(action).label
        if self.status not in sources:
            message = _t("问题当前状态为“%(s)s”，不能“%(a)s”。") % {
                "s": self.get_status_display(),
                "a": label,
            }
            if action == ProblemAction.RESOLVE and self.status == ProblemStatus.OPEN:
                message += _t("请先开始办理，明确责任单位和办理时限。")
            raise ValidationError(message)
        if by is not None and matter is None and action not in self.allowed_actions(by):
            raise PermissionDenied(_t("您无权对该问题执行“%(a)s”。") % {"a": label})
        note = (note or "").strip()
        if action in ACTIONS_NEEDING_NOTE and not note:
            raise ValidationError({"note": str(NOTE_REQUIRED[action])})
        if action == ProblemAction.START and (self.deadline is None or not self.responsible_units.exists()):
            raise ValidationError(_t("开始办理前须明确责任单位和办理时限。"))

        if action == ProblemAction.RESOLVE and self.needs_confirmation(by):
            target = ProblemStatus.PENDING_CONFIRMATION
        elif action == ProblemAction.REJECT:
            target = self.status_before_confirmation()

        now = timezone.now()
        old = self.status
        fields = ["status", "updated_at"]
        if action == ProblemAction.RESOLVE:
            # The 销号说明 is the unit's, whether final now or once the office confirms it.
            self.resolution, self.settled_by = note, matter
            fields += ["resolution", "settled_by"]
        if target == ProblemStatus.RESOLVED:
            self.resolved_at = now
            fields.append("resolved_at")
        elif old in (ProblemStatus.RESOLVED, ProblemStatus.PENDING_CONFIRMATION):
            self.resolved_at, self.settled_by = None, None
            fields += ["resolved_at", "settled_by"]
        if target == ProblemStatus.ESCALATED and action == ProblemAction.ESCALATE:
            self.escalation_note, self.escalated_at = note, now
            fields += ["escalation_note", "escalated_at"]
        self.status = target
        with transaction.atomic():
            self.save(update_fields=list(dict.fromkeys(fields)))
            event = ProblemEvent.objects.create(
                problem=self,
                action=action,
                from_status=old,
                to_status=target,
                note=note,
                by=by,
                matter=matter,
            )
            if target == ProblemStatus.PENDING_CONFIRMATION:
                ask_office_to_confirm(event)
            elif action == ProblemAction.REJECT:
                tell_requester_of_rejection(event)
            return event

    def settle(self, matter: "Matter", by: "User | None") -> "ProblemEvent | None":
        """销号 through a meeting: the decided matter on this escalated problem is done."""
        if self.status != ProblemStatus.ESCALATED:
            return None
        note = _t("经%(m)s议定：%(c)s。完成情况：%(d)s") % {
            "m": matter.meeting.title,
            "c": matter.content.strip(),
            "d": matter.completion_note.strip(),
        }
        return self.move(ProblemAction.RESOLVE, by, note, matter=matter)


class ProblemEvent(models.Model):
    """问题办理记录: one move of a problem (开始办理, 上报, 销号 …), with who, when and the note."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20, choices=ProblemAction.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=ProblemStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ProblemStatus.choices)
    note = models.TextField(_("说明"), blank=True)
    matter = models.ForeignKey(
        "problems.Matter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("问题办理记录")
        verbose_name_plural = _("问题办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"


def who(user: "User | None") -> str:
    """A person as a message names them: their unit, else their name."""
    if user is None:
        return ""
    return user.unit.name if user.unit is not None else user.get_full_name()


def ask_office_to_confirm(event: ProblemEvent) -> None:
    """待确认销号: tell the coordinator's office that a unit asks to 销号 a problem."""
    problem = event.problem
    notify(
        User.objects.filter(role=Role.COORDINATOR, is_active=True),
        _t("问题待确认销号：%(p)s") % {"p": problem.project.name},
        _t("%(u)s申请对%(p)s的问题“%(d)s”销号，说明：%(n)s。请核实后确认销号或退回。")
        % {"u": who(event.by), "p": problem.project.name, "d": problem, "n": event.note.rstrip("。")},
        link=problem.get_absolute_url(),
        kind=Kind.SYSTEM,
        dedup_key=f"problem-confirm:{event.pk}",
    )


def tell_requester_of_rejection(event: ProblemEvent) -> None:
    """退回销号: tell whoever asked for the 销号 that the office sent it back, and why."""
    problem = event.problem
    requester = (
        problem.events.filter(action=ProblemAction.RESOLVE, to_status=ProblemStatus.PENDING_CONFIRMATION)
        .order_by("-at", "-id")
        .values_list("by_id", flat=True)
        .first()
    )
    if requester is None:
        return
    notify(
        User.objects.filter(pk=requester, is_active=True),
        _t("销号被退回：%(p)s") % {"p": problem.project.name},
        _t("重点办退回了%(p)s的问题“%(d)s”的销号申请，原因：%(n)s。请继续办理。")
        % {"p": problem.project.name, "d": problem, "n": event.note.rstrip("。")},
        link=problem.get_absolute_url(),
        kind=Kind.SYSTEM,
        dedup_key=f"problem-reject:{event.pk}",
    )


class ProblemComment(models.Model):
    """问题评论: a message in a problem's thread (领导批示, 办理情况, 补充说明)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评论人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problem_comments",
    )
    text = models.TextField(_("评论内容"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("问题评论")
        verbose_name_plural = _("问题评论")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]

    def clean(self) -> None:
        self.text = (self.text or "").strip()
        if not self.text:
            raise ValidationError({"text": _t("请填写评论内容。")})


class ProblemAttachment(models.Model):
    """问题附件: a document or picture attached to a problem (公函, 图纸, 现场照片)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("问题附件")
        verbose_name_plural = _("问题附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


@receiver(post_delete, sender=ProblemAttachment, dispatch_uid="problems.attachment_file")
def remove_attachment_file(
    sender: type[ProblemAttachment], instance: ProblemAttachment, **kwargs: object
) -> None:
    delete_files_on_commit(instance.file)


class Meeting(Stamped):
    """调度会议 (周调度会, 联席会议, 要素保障会议): who met, what was on the agenda, what was decided."""

    title = models.CharField(_("会议名称"), max_length=200)
    kind = models.CharField(
        _("会议类型"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.WEEKLY
    )
    date = models.DateField(_("会议日期"), db_index=True)
    place = models.CharField(_("会议地点"), max_length=200, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_meetings",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("参会人员"), blank=True, related_name="attended_meetings"
    )
    other_attendees = models.CharField(
        _("其他参会人员"), max_length=500, blank=True, help_text=_("系统外的参会单位或人员，用顿号分隔。")
    )
    agenda = models.ManyToManyField(
        Problem, verbose_name=_("会议议题（上报问题）"), blank=True, related_name="meetings"
    )
    summary = models.TextField(_("会议纪要"), blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("调度会议")
        verbose_name_plural = _("调度会议")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.date:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def is_held(self) -> bool:
        return self.date <= timezone.localdate()

    def ordinal(self) -> int:
        """第几次: the meeting's place among the year's meetings of its kind."""
        earlier = Meeting.objects.filter(kind=self.kind, date__year=self.date.year).filter(
            models.Q(date__lt=self.date) | models.Q(date=self.date, pk__lte=self.pk)
        )
        return earlier.count()

    def matter_counts(self) -> dict[str, int]:
        rows = self.matters.order_by().values("status").annotate(n=Count("id"))
        counts = {status: 0 for status in MatterStatus.values}
        counts.update({row["status"]: row["n"] for row in rows})
        return counts


class Matter(Timestamped):
    """议定事项: a matter a meeting decided, tracked like a problem (owner unit, deadline, status);
    when it settles an escalated problem, finishing it closes (销号) the problem."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="matters"
    )
    content = models.TextField(_("议定事项"))
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="matters",
    )
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("关联问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matters",
    )
    owner_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="owned_matters"
    )
    deadline = models.DateField(_("办理时限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=MatterStatus.choices, default=MatterStatus.OPEN
    )
    closes_problem = models.BooleanField(
        _("办结后关联问题销号"), default=True, help_text=_("事项办结时，所关联的上报问题随之销号。")
    )
    completion_note = models.TextField(_("完成情况"), blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    sort_order = models.PositiveIntegerField(_("序号"), default=0)

    objects = MatterQuerySet.as_manager()

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["meeting", "sort_order", "id"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        text = " ".join(self.content.split())
        return text if len(text) <= 40 else f"{text[:40]}…"

    def get_absolute_url(self) -> str:
        return reverse("meetings:matter", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.content = (self.content or "").strip()
        if not self.content:
            errors["content"] = _t("请填写议定事项。")
        if self.problem is not None:
            if self.project_id and self.project_id != self.problem.project_id:
                errors["project"] = _t("议定事项的项目须与关联问题的项目一致。")
            self.project_id = self.problem.project_id
            if self._state.adding and self.problem.status != ProblemStatus.ESCALATED:
                errors["problem"] = _t("只能就已上报调度会的问题议定事项。")
        if errors:
            raise ValidationError(errors)

    def days_overdue(self, today: date | None = None) -> int:
        today = today or timezone.localdate()
        if self.status == MatterStatus.DONE or self.deadline >= today:
            return 0
        return (today - self.deadline).days

    def allowed_actions(self, user: "User") -> list[str]:
        legal = [action for action, (sources, _to) in MATTER_ACTIONS.items() if self.status in sources]
        if not Matter.objects.editable_by(user).filter(pk=self.pk).exists():
            return []
        return legal

    def move(self, action: str, by: "User | None", note: str = "") -> None:
        """开始办理 / 办结 / 重新打开; finishing a matter on an escalated problem closes the problem."""
        if action not in MATTER_ACTIONS:
            raise ValidationError(_t("未知的操作。"))
        sources, target = MATTER_ACTIONS[action]
        label = MatterAction(action).label
        if self.status not in sources:
            raise ValidationError(
                _t("议定事项当前状态为“%(s)s”，不能“%(a)s”。") % {"s": self.get_status_display(), "a": label}
            )
        if by is not None and action not in self.allowed_actions(by):
            raise PermissionDenied(_t("您无权对该议定事项执行“%(a)s”。") % {"a": label})
        note = (note or "").strip()
        if action == MatterAction.COMPLETE and not note:
            raise ValidationError({"note": _t("办结须填写完成情况。")})
        if action == MatterAction.REOPEN and not note:
            raise ValidationError({"note": _t("重新打开须说明原因。")})
        fields = ["status", "updated_at"]
        if target == MatterStatus.DONE:
            self.completion_note, self.completed_at = note, timezone.now()
            fields += ["completion_note", "completed_at"]
        elif self.status == MatterStatus.DONE:
            self.completed_at = None
            fields.append("completed_at")
        self.status = target
        with transaction.atomic():
            self.save(update_fields=fields)
            if target == MatterStatus.DONE and self.closes_problem and self.problem is not None:
                self.problem.settle(self, by)
