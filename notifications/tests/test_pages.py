"""The inbox, its badge, marking read, the preferences page and the delivery log."""

import pytest
from django.urls import reverse

from notifications.models import Delivery, Notification, NotificationPreference

pytestmark = pytest.mark.django_db


def note(user, title="【黄灯】滨河路改造工程：应开未开", link="/projects/"):
    return Notification.objects.create(user=user, title=title, body="内容", link=link, kind="alert")


def test_the_inbox_holds_only_the_users_own_messages_and_the_badge_counts_unread(world, client_for):
    mine = note(world.owner_a)
    note(world.owner_a, title="第二条")
    note(world.owner_b, title="别人的消息")
    client = client_for(world.owner_a)
    page = client.get(reverse("notifications:inbox"))
    assert [n.title for n in page.context["page"]] == ["第二条", mine.title]
    html = page.content.decode()
    assert "别人的消息" not in html
    assert 'data-testid="unread-count">2<' in html
    assert (
        'data-testid="unread-count"'
        not in client_for(world.coordinator).get(reverse("projects:list")).content.decode()
    )


def test_marking_one_read_follows_its_link_and_others_messages_are_not_found(world, client_for):
    mine = note(world.owner_a, link="/projects/?status=construction")
    theirs = note(world.owner_b)
    client = client_for(world.owner_a)
    response = client.post(reverse("notifications:read", args=[mine.pk]), {"follow": "1"})
    assert response.status_code == 302 and response["Location"] == "/projects/?status=construction"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("notifications:read", args=[mine.pk])).status_code == 405


def test_an_outside_link_is_not_followed(world, client_for):
    mine = note(world.owner_a, link="https://evil.example.com/")
    response = client_for(world.owner_a).post(reverse("notifications:read", args=[mine.pk]), {"follow": "1"})
    assert response["Location"] == reverse("notifications:inbox")


def test_mark_all_read_and_the_unread_filter(world, client_for):
    for index in range(3):
        note(world.owner_a, title=f"消息{index}")
    note(world.owner_b)
    client = client_for(world.owner_a)
    assert len(client.get(reverse("notifications:inbox") + "?unread=1").context["page"]) == 3
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(user=world.owner_a, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=world.owner_b, read_at__isnull=True).exists()
    assert len(client.get(reverse("notifications:inbox") + "?unread=1").context["page"]) == 0


def test_each_user_chooses_channels_and_quiet_hours(world, client_for, settings):
    settings.NOTIFY_DINGTALK_WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=T"
    client = client_for(world.owner_a)
    page = client.get(reverse("notifications:preferences"))
    html = page.content.decode()
    assert "钉钉群</span>" in html and "企业微信群（未配置，暂不发送）" in html
    response = client.post(
        reverse("notifications:preferences"),
        {"channels": ["sms", "dingtalk"], "quiet_start": "21:30", "quiet_end": "08:00"},
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=world.owner_a)
    assert preference.channels == ["sms", "dingtalk"]
    assert str(preference.quiet_start) == "21:30:00"
    response = client.post(
        reverse("notifications:preferences"), {"channels": ["wecom"], "quiet_start": "21:30"}
    )
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=world.owner_a).channels == ["sms", "dingtalk"]


def test_the_delivery_log_is_for_administrators(world, client_for):
    Delivery.objects.create(
        channel="sms", target="13800000000", subject="s", status="failed", last_error="HTTP 500"
    )
    assert client_for(world.coordinator).get(reverse("notifications:deliveries")).status_code == 403
    page = client_for(world.admin).get(reverse("notifications:deliveries") + "?status=failed")
    assert page.status_code == 200 and "HTTP 500" in page.content.decode()


def test_the_delivery_log_says_which_channels_are_not_configured(world, client_for, settings):
    settings.SMS_BACKEND = ""
    settings.NOTIFY_WECOM_WEBHOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"
    settings.NOTIFY_DINGTALK_WEBHOOK = ""
    Delivery.objects.create(channel="sms", target="13800000000", subject="s", status="unconfigured")
    page = client_for(world.admin).get(reverse("notifications:deliveries"))
    html = page.content.decode()
    setup = html[html.index('data-testid="channel-setup"') : html.index('id="delivery-list"')]
    assert setup.count("未配置</span>") == 2 and "SMS_BACKEND" in setup and "NOTIFY_DINGTALK_WEBHOOK" in setup
    assert "NOTIFY_WECOM_WEBHOOK" not in setup
    assert "未发送（未配置）" in html[html.index('data-testid="delivery-table"') :]
