from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from notifications.choices import Channel, DeliveryStatus, Kind


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def mark_read(self) -> int:
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """站内消息: one message in a user's inbox (warnings, reminders), read or not."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.SYSTEM)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    # Messages with the same key for the same user within NOTIFY_DEDUP_HOURS are sent once.
    dedup_key = models.CharField(max_length=120, blank=True)
    # Variables of the SMS template of this kind (短信模板参数).
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_read"),
            models.Index(fields=["created_at"], name="notification_created"),
        ]

    def __str__(self) -> str:
        return self.title


def parse_quiet_hours(text: str) -> tuple[time | None, time | None]:
    """ "22:00-07:00" → (22:00, 07:00); "" → (None, None)."""
    if not text.strip():
        return None, None
    start, end = (part.strip() for part in text.split("-", 1))
    return time.fromisoformat(start), time.fromisoformat(end)


class NotificationPreference(models.Model):
    """通知设置: the channels a user is reached on besides the inbox, and the quiet hours."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    channels = models.JSONField(_("通知渠道"), default=list, blank=True)
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return str(self.user)

    @classmethod
    def default_for(cls, user_id: int) -> "NotificationPreference":
        """What a user who never chose gets: the configured default channels and quiet hours."""
        start, end = parse_quiet_hours(settings.NOTIFY_DEFAULT_QUIET_HOURS)
        return cls(
            user_id=user_id,
            channels=[c for c in settings.NOTIFY_DEFAULT_CHANNELS if c in Channel.values],
            quiet_start=start,
            quiet_end=end,
        )

    def clean(self) -> None:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValidationError({"quiet_end": _t("免打扰开始和结束时间须同时填写或同时留空。")})
        unknown = set(self.channels or []) - set(Channel.values)
        if unknown:
            raise ValidationError({"channels": _t("未知的通知渠道。")})

    def quiet_until(self, moment: datetime) -> datetime | None:
        """The end of the quiet hours `moment` falls in (local time), or None outside them."""
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return None
        local = timezone.localtime(moment)
        now = local.time()
        start, end = self.quiet_start, self.quiet_end
        # Over midnight (22:00–07:00), the quiet time is everything outside [end, start).
        inside = start <= now < end if start < end else not end <= now < start
        if not inside:
            return None
        ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        if ends <= local:
            ends += timedelta(days=1)
        return ends


class Delivery(models.Model):
    """发送记录: one message on one outside channel (SMS, e-mail, group robot), with its retries."""

    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    # A phone number, an e-mail address, or "group" for a group robot.
    target = models.CharField(_("接收方"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.SYSTEM)
    dedup_key = models.CharField(max_length=120, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    # Template variables (SMS) and people to name in a group message (mobiles).
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    next_try_at = models.DateTimeField(_("下次发送时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_try_at"], name="delivery_due"),
            models.Index(fields=["created_at", "user"], name="delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target} · {self.get_status_display()}"


class PeriodicRun(models.Model):
    """定时任务记录: when each periodic task was last queued, so a restart never runs it twice."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("定时任务记录")
        verbose_name_plural = _("定时任务记录")

    def __str__(self) -> str:
        return self.name
