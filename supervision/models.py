from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lib.attachments import validate_attachment
from lib.stamps import Stamped, Timestamped
from progress.photos import delete_files_on_commit, photo_file_name
from supervision.choices import (
    DEFAULT_REPLY_REQUIREMENT,
    NOTICE_ACTIONS,
    NoticeAction,
    NoticeStatus,
)
from supervision.querysets import InspectionQuerySet, NoticeQuerySet, is_supervisor

if TYPE_CHECKING:
    from org.models import User


def notice_number(year: int, seq: int) -> str:
    """督办文号: 督办〔2026〕12号."""
    return f"督办〔{year}〕{seq}号"


def reply_path(instance: "NoticeReply", filename: str) -> str:
    stamp = timezone.now()
    return f"supervision/{instance.notice.year}/{stamp:%m%d%H%M%S%f}-{filename[-60:]}"


def photo_path(instance: "InspectionPhoto", filename: str) -> str:
    stamp = timezone.now()
    folder = f"inspections/{instance.inspection.project_id}/{stamp:%Y%m}"
    return f"{folder}/{stamp:%d%H%M%S%f}-{photo_file_name(filename)}"


def default_requirement() -> str:
    return str(DEFAULT_REPLY_REQUIREMENT)


class Notice(Timestamped):
    """督办通知单: a numbered notice to a unit about projects or problems, with a deadline and the
    reply required; 已发 → 已回复 → 已办结."""

    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    seq = models.PositiveIntegerField(_("序号"), editable=False)
    title = models.CharField(_("督办事由"), max_length=200)
    target_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("主送单位"), on_delete=models.PROTECT, related_name="supervision_notices"
    )
    projects = models.ManyToManyField(
        "projects.Project", verbose_name=_("涉及项目"), blank=True, related_name="supervision_notices"
    )
    problems = models.ManyToManyField(
        "problems.Problem", verbose_name=_("涉及问题"), blank=True, related_name="supervision_notices"
    )
    content = models.TextField(_("督办事项"))
    deadline = models.DateField(_("办理时限"))
    reply_requirement = models.TextField(_("反馈要求"), default=default_requirement)
    issuing_office = models.CharField(_("督办单位"), max_length=100)
    issued_on = models.DateField(_("发文日期"), default=timezone.localdate)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issued_notices",
        editable=False,
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.SENT
    )
    close_note = models.TextField(_("办结意见"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办通知单")
        verbose_name_plural = _("督办通知单")
        ordering = ["-year", "-seq"]
        constraints = [models.UniqueConstraint(fields=["year", "seq"], name="notice_number_unique")]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            super().save(*args, **kwargs)
            return
        # Numbers run per year of issue; two notices saved at once retry on the unique constraint.
        self.year = self.issued_on.year
        for attempt in range(5):
            last = Notice.objects.filter(year=self.year).aggregate(last=Max("seq"))["last"] or 0
            self.seq = last + 1
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                self.pk = None
                if attempt == 4:
                    raise

    def get_absolute_url(self) -> str:
        return reverse("supervision:notice_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return notice_number(self.year, self.seq) if self.seq else ""

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.content = (self.content or "").strip()
        if not self.content:
            errors["content"] = _t("请填写督办事项。")
        if self.deadline and self.issued_on and self.deadline < self.issued_on:
            errors["deadline"] = _t("办理时限不能早于发文日期。")
        if self.pk and self.issued_on and self.issued_on.year != self.year:
            errors["issued_on"] = _t("文号已按%(y)s年编排，发文日期不能改到其他年度。") % {"y": self.year}
        if errors:
            raise ValidationError(errors)

    def days_overdue(self) -> int:
        today = timezone.localdate()
        if self.status != NoticeStatus.SENT or self.deadline >= today:
            return 0
        return (today - self.deadline).days

    # Workflow ---------------------------------------------------------------

    def may_reply(self, user: "User") -> bool:
        """回复权: a user of the addressed unit, or of a unit above it, in a role that writes."""
        return Notice.objects.addressed_to(user).filter(pk=self.pk).exists()

    def allowed_actions(self, user: "User") -> list[str]:
        legal = [action for action, (sources, _to) in NOTICE_ACTIONS.items() if self.status in sources]
        supervisor = is_supervisor(user)
        return [
            action
            for action in legal
            if (self.may_reply(user) if action == NoticeAction.REPLY else supervisor)
        ]

    def _check(self, action: str, by: "User") -> str:
        sources, target = NOTICE_ACTIONS[action]
        label = NoticeAction(action).label
        if self.status not in sources:
            raise ValidationError(
                _t("督办通知单当前状态为“%(s)s”，不能“%(a)s”。")
                % {"s": self.get_status_display(), "a": label}
            )
        if action not in self.allowed_actions(by):
            raise PermissionDenied(_t("您无权对该督办通知单执行“%(a)s”。") % {"a": label})
        return target

    def reply(self, by: "User", text: str, upload: UploadedFile | None = None) -> "NoticeReply":
        """回复: the addressed unit says what it did, optionally with a document."""
        target = self._check(NoticeAction.REPLY, by)
        text = (text or "").strip()
        if not text:
            raise ValidationError({"text": _t("请填写办理情况。")})
        if upload is not None:
            validate_attachment(upload)
        with transaction.atomic():
            reply = NoticeReply(notice=self, text=text, replied_by=by)
            if upload is not None:
                assert upload.name is not None  # an upload from a form always has its file's name
                reply.attachment_name = upload.name[-200:]
                reply.attachment.save(upload.name[-80:], upload, save=False)
            reply.save()
            self.status = target
            self.save(update_fields=["status", "updated_at"])
        return reply

    def send_back(self, by: "User", reason: str) -> None:
        """退回重办: the reply does not settle the matter; the unit must act and reply again."""
        target = self._check(NoticeAction.SEND_BACK, by)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"note": _t("退回重办须说明原因。")})
        with transaction.atomic():
            last = self.replies.order_by("-replied_at", "-id").first()
            if last is not None:
                last.returned_reason = reason
                last.save(update_fields=["returned_reason"])
            self.status = target
            self.save(update_fields=["status", "updated_at"])

    def close(self, by: "User", note: str = "") -> None:
        """办结: the supervisor accepts the reply."""
        target = self._check(NoticeAction.CLOSE, by)
        self.status, self.close_note = target, (note or "").strip()
        self.closed_at, self.closed_by = timezone.now(), by
        self.save(update_fields=["status", "close_note", "closed_at", "closed_by", "updated_at"])


class NoticeReply(models.Model):
    """督办回复: what the addressed unit did, with an optional document."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("办理情况"))
    attachment = models.FileField(_("附件"), upload_to=reply_path, blank=True)
    attachment_name = models.CharField(_("附件名"), max_length=200, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回复人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("回复时间"), default=timezone.now)
    returned_reason = models.TextField(_("退回原因"), blank=True)

    class Meta:
        verbose_name = _("督办回复")
        verbose_name_plural = _("督办回复")
        ordering = ["replied_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


@receiver(post_delete, sender=NoticeReply, dispatch_uid="supervision.reply_file")
def remove_reply_file(sender: type[NoticeReply], instance: NoticeReply, **kwargs: object) -> None:
    delete_files_on_commit(instance.attachment)


class Inspection(Stamped):
    """现场督导: a visit to a project's site, who went, what they found and what they required."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="inspections"
    )
    date = models.DateField(_("督导日期"), default=timezone.localdate, db_index=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("督导人员"), related_name="inspections"
    )
    findings = models.TextField(_("督导情况及发现问题"))
    requirements = models.TextField(_("整改要求"), blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("现场督导")
        verbose_name_plural = _("现场督导")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:inspection_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.findings = (self.findings or "").strip()
        if not self.findings:
            errors["findings"] = _t("请填写督导情况。")
        if self.date and self.date > timezone.localdate():
            errors["date"] = _t("督导日期不能晚于今天。")
        if errors:
            raise ValidationError(errors)


class InspectionPhoto(models.Model):
    """督导照片: a photo taken on a site inspection, with its EXIF time and place."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
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

    class Meta:
        verbose_name = _("督导照片")
        verbose_name_plural = _("督导照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


@receiver(post_delete, sender=InspectionPhoto, dispatch_uid="supervision.photo_files")
def remove_photo_files(sender: type[InspectionPhoto], instance: InspectionPhoto, **kwargs: object) -> None:
    delete_files_on_commit(instance.image, instance.thumbnail)
