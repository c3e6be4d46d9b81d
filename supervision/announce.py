"""督办通知单 told to the unit it is addressed to: issued (下发), sent back to be done again (退回重办)
and closed (办结), each once; and reminded DEADLINE_REMINDER_DAYS_BEFORE days before the reply is
due, while no reply has come.

The status a notice had before a save is noted in pre_save, so the post_save knows which move it
was, whichever path (the pages, the API, the admin) made it.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _t

from notifications.choices import Kind
from notifications.delivery import Message, NotifyResult, notify_many
from org.choices import Role
from org.models import User
from supervision.choices import NoticeStatus
from supervision.models import Notice

ISSUED, RETURNED, CLOSED = "issued", "returned", "closed"


def day_text(day: date) -> str:
    return _t("%(m)d月%(d)d日") % {"m": day.month, "d": day.day}


def notice_message(notice: Notice, occasion: str, reminder_days: int | None = None) -> Message:
    """What the addressed unit's accounts are told on an occasion (or a reminder `reminder_days` before)."""
    values = {"n": notice.number, "t": notice.title, "d": day_text(notice.deadline), "k": reminder_days}
    if reminder_days is not None:
        title = _t("督办通知单%(n)s将于%(d)s到期") % values
        body = _t("%(n)s“%(t)s”要求于%(d)s前反馈办理情况，还有%(k)d天，请按时回复。") % values
        key, kind = f"notice-deadline:{notice.pk}:{notice.deadline}:{reminder_days}", Kind.DEADLINE
    elif occasion == ISSUED:
        title = _t("督办通知单：%(t)s") % values
        body = _t("%(o)s下发%(n)s“%(t)s”，请于%(d)s前办理并反馈办理情况。") % {
            **values,
            "o": notice.issuing_office,
        }
        key, kind = f"notice-issued:{notice.pk}", Kind.ASSIGNED
    elif occasion == RETURNED:
        last = notice.replies.order_by("-replied_at", "-id").first()
        values["r"] = (last.returned_reason if last else "").rstrip("。")
        title = _t("督办通知单退回重办：%(n)s") % values
        body = _t("%(n)s“%(t)s”的办理情况被退回重办，原因：%(r)s。请于%(d)s前重新办理并回复。") % values
        replies = notice.replies.count()
        key, kind = f"notice-returned:{notice.pk}:{replies}", Kind.ASSIGNED
    else:
        values["c"] = notice.close_note.rstrip("。") or _t("无")
        title = _t("督办通知单已办结：%(n)s") % values
        body = _t("%(n)s“%(t)s”已办结。办结意见：%(c)s。") % values
        key, kind = f"notice-closed:{notice.pk}", Kind.SYSTEM
    users = User.objects.filter(
        unit_id=notice.target_unit_id, role__in=(Role.UNIT, Role.OWNER), is_active=True
    )
    return Message(
        users=list(users),
        title=title,
        body=body,
        link=notice.get_absolute_url(),
        kind=kind,
        dedup_key=key,
        params={"notice": notice.pk},
    )


def send_notice_reminders(today: date | None = None) -> NotifyResult:
    """The day's reminders of notices awaiting a reply whose deadline is so many days away."""
    today = today or timezone.localdate()
    days = {today + timedelta(days=day): day for day in settings.DEADLINE_REMINDER_DAYS_BEFORE if day >= 0}
    notices = Notice.objects.filter(status=NoticeStatus.SENT, deadline__in=list(days)).order_by("pk")
    return notify_many([notice_message(n, "", days[n.deadline]) for n in notices])


@receiver(pre_save, sender=Notice, dispatch_uid="supervision.notice_status_before")
def remember_status(sender: type[Notice], instance: Notice, **kwargs: object) -> None:
    instance._status_before = (  # type: ignore[attr-defined]  # a note from pre_save to post_save
        Notice.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=Notice, dispatch_uid="supervision.announce_notice")
def announce_notice(sender: type[Notice], instance: Notice, created: bool, **kwargs: object) -> None:
    before = getattr(instance, "_status_before", None)
    if created:
        occasion = ISSUED
    elif before == NoticeStatus.REPLIED and instance.status == NoticeStatus.SENT:
        occasion = RETURNED
    elif before != NoticeStatus.CLOSED and instance.status == NoticeStatus.CLOSED:
        occasion = CLOSED
    else:
        return
    transaction.on_commit(lambda: notify_many([notice_message(instance, occasion)]))
