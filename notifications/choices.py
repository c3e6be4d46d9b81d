from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信群")
    DINGTALK = "dingtalk", _("钉钉群")


# Group robots post one message to a group chat, naming the people concerned; the others reach
# each person on their own phone number or address.
GROUP_CHANNELS = frozenset({Channel.WECOM, Channel.DINGTALK})
PERSONAL_CHANNELS = frozenset({Channel.SMS, Channel.EMAIL})


class Kind(models.TextChoices):
    ALERT = "alert", _("预警")
    REMINDER = "reminder", _("报送提醒")
    RETURNED = "returned", _("报告退回")
    # Work given to someone: a problem assigned or escalated, a 督办通知单, a decided matter.
    ASSIGNED = "assigned", _("交办")
    DEADLINE = "deadline", _("办理时限提醒")
    DIGEST = "digest", _("每周简报")
    BULLETIN = "bulletin", _("通报印发")
    SYSTEM = "system", _("系统消息")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送")
    # The person chose a channel this server has no gateway or address for: nothing left the server.
    UNCONFIGURED = "unconfigured", _("未发送（未配置）")
