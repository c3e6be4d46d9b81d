"""The delivery pipeline's rules: dedup, quiet hours, hourly limit, people without a number, group robots."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from notifications.choices import DeliveryStatus
from notifications.delivery import Message, deliver_due, notify_many
from notifications.models import Delivery, Notification, NotificationPreference

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_the_same_key_reaches_a_person_once_within_the_window(world, settings):
    settings.NOTIFY_DEDUP_HOURS = 24
    message = Message([world.owner_a], "标题", "内容", dedup_key="k1")
    now = timezone.now()
    assert notify_many([message, message], now=now).notifications == 1
    assert notify_many([message], now=now + timedelta(hours=23)).duplicates == 1
    assert notify_many([message], now=now + timedelta(hours=25)).notifications == 1
    assert Notification.objects.filter(user=world.owner_a).count() == 2


def test_quiet_hours_defer_outside_messages_and_never_drop_them(world, aliyun):
    world.owner_a.phone = "13800000000"
    world.owner_a.save()
    NotificationPreference.objects.create(
        user=world.owner_a, channels=["sms"], quiet_start=time(22, 0), quiet_end=time(7, 0)
    )
    night = at(2026, 4, 1, 23, 30)
    result = notify_many([Message([world.owner_a], "标题", "内容", kind="alert")], now=night)
    assert result.deferred == 1
    delivery = Delivery.objects.get()
    assert delivery.next_try_at == at(2026, 4, 2, 7, 0)
    assert Notification.objects.get().created_at == night  # the inbox has it at once
    assert deliver_due(at(2026, 4, 2, 6, 59)) == {"sent": 0, "failed": 0}
    assert deliver_due(at(2026, 4, 2, 7, 0)) == {"sent": 1, "failed": 0}
    preference = NotificationPreference.objects.get()
    assert preference.quiet_until(at(2026, 4, 2, 12, 0)) is None
    assert preference.quiet_until(at(2026, 4, 2, 3, 0)) == at(2026, 4, 2, 7, 0)


def test_daytime_quiet_hours(world):
    preference = NotificationPreference(user=world.owner_a, quiet_start=time(12, 0), quiet_end=time(14, 0))
    assert preference.quiet_until(at(2026, 4, 1, 13, 0)) == at(2026, 4, 1, 14, 0)
    assert preference.quiet_until(at(2026, 4, 1, 14, 0)) is None


def test_more_than_the_hourly_limit_is_logged_as_skipped_but_stays_in_the_inbox(world, settings, aliyun):
    settings.NOTIFY_RATE_LIMIT_PER_HOUR = 2
    settings.NOTIFY_DEFAULT_QUIET_HOURS = ""
    world.owner_a.phone = "13800000000"
    world.owner_a.save()
    now = timezone.now()
    messages = [Message([world.owner_a], f"标题{i}", "内容") for i in range(3)]
    result = notify_many(messages, now=now)
    assert (result.notifications, result.limited) == (3, 1)
    statuses = sorted(Delivery.objects.values_list("status", flat=True))
    assert statuses == [DeliveryStatus.PENDING, DeliveryStatus.PENDING, DeliveryStatus.SKIPPED]
    assert "每小时" in Delivery.objects.get(status=DeliveryStatus.SKIPPED).last_error
    assert (
        notify_many([Message([world.owner_a], "又一条", "内容")], now=now + timedelta(minutes=30)).limited
        == 1
    )
    assert (
        notify_many([Message([world.owner_a], "下一小时", "内容")], now=now + timedelta(minutes=61)).limited
        == 0
    )


def test_people_without_a_number_are_logged_not_sent(world, settings, aliyun):
    settings.NOTIFY_DEFAULT_QUIET_HOURS = ""
    notify_many([Message([world.owner_a], "标题", "内容")])
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SKIPPED and delivery.last_error == "没有手机号"


def test_group_robots_post_once_per_message_naming_the_people_who_chose_them(world, settings):
    settings.NOTIFY_WECOM_WEBHOOK = "http://127.0.0.1:9/send?key=K"
    for user in (world.owner_a, world.department):
        NotificationPreference.objects.create(user=user, channels=["wecom"])
    world.owner_a.phone = "13800000000"
    world.owner_a.save()
    notify_many([Message([world.owner_a, world.department, world.owner_b], "标题", "内容", dedup_key="x")])
    group = Delivery.objects.get(channel="wecom")
    assert group.target == "group" and group.user is None
    assert group.payload == {"names": ["王业主", "江住建"], "mobiles": ["13800000000"]}
    notify_many([Message([world.owner_a], "标题", "内容", dedup_key="x")])
    assert Delivery.objects.filter(channel="wecom").count() == 1


def test_a_channel_without_its_gateway_is_recorded_unconfigured_not_sent(world, settings):
    settings.SMS_BACKEND = ""
    settings.NOTIFY_DEFAULT_QUIET_HOURS = ""
    world.owner_a.phone = "13800000000"
    world.owner_a.save()
    NotificationPreference.objects.create(user=world.owner_a, channels=["dingtalk", "sms"])
    notify_many([Message([world.owner_a], "标题", "内容", phones=["13911112222"])])
    assert Notification.objects.count() == 1
    deliveries = Delivery.objects.order_by("channel", "target")
    assert [(d.channel, d.target, d.status) for d in deliveries] == [
        ("dingtalk", "group", DeliveryStatus.UNCONFIGURED),
        ("sms", "13800000000", DeliveryStatus.UNCONFIGURED),
        ("sms", "13911112222", DeliveryStatus.UNCONFIGURED),
    ]
    assert deliver_due() == {"sent": 0, "failed": 0}
    assert not Delivery.objects.filter(status=DeliveryStatus.SENT).exists()
