from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeStatus(models.TextChoices):
    SENT = "sent", _("已发")
    REPLIED = "replied", _("已回复")
    CLOSED = "closed", _("已办结")


class NoticeAction(models.TextChoices):
    REPLY = "reply", _("回复")
    SEND_BACK = "send_back", _("退回重办")
    CLOSE = "close", _("办结")


# Each move: the statuses it starts from and the status it leads to.
NOTICE_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    NoticeAction.REPLY: (frozenset({NoticeStatus.SENT}), NoticeStatus.REPLIED),
    NoticeAction.SEND_BACK: (frozenset({NoticeStatus.REPLIED}), NoticeStatus.SENT),
    NoticeAction.CLOSE: (frozenset({NoticeStatus.REPLIED}), NoticeStatus.CLOSED),
}

DEFAULT_REPLY_REQUIREMENT = _(
    "请于办理时限前将办理情况书面反馈，并附相关佐证材料；逾期未办结的，说明原因及下一步措施。"
)
