"""The SMS, WeCom and DingTalk adapters against a local HTTP server: formats, signatures, failures, retries."""

import base64
import hashlib
import hmac
import json
import re
import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import channels
from notifications.channels import AliyunSmsGateway
from notifications.choices import DeliveryStatus
from notifications.delivery import deliver, deliver_due
from notifications.models import Delivery

pytestmark = pytest.mark.django_db


def make_delivery(channel: str, target: str = "group", **options) -> Delivery:
    defaults = {
        "kind": "alert",
        "subject": "【红灯】滨河路改造工程：应开未开",
        "body": "计划2026年3月开工，至今未开工。",
        "link": "/projects/1/?tab=alerts",
    }
    defaults.update(options)
    return Delivery.objects.create(channel=channel, target=target, **defaults)


def test_aliyun_signature_matches_the_documented_example():
    # The worked example of 阿里云短信 "签名机制" (GET request).
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert AliyunSmsGateway.signature(params, "testSecret", method="GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert channels.percent_encode("a b*~/") == "a%20b%2A~%2F"


def test_aliyun_sms_is_a_signed_post_with_the_template_and_its_variables(aliyun):
    delivery = make_delivery(
        "sms",
        "13800138000",
        payload={"params": {"project": "滨河路改造工程", "rule": "应开未开", "colour": "红灯"}},
    )
    assert deliver(delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    request = aliyun.received[0]
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = request.form()
    assert form["Action"] == "SendSms" and form["Version"] == "2017-05-25"
    assert form["PhoneNumbers"] == "13800138000" and form["SignName"] == "示范区重点办"
    assert form["TemplateCode"] == "SMS_71390007"
    assert json.loads(form["TemplateParam"]) == {
        "project": "滨河路改造工程",
        "rule": "应开未开",
        "colour": "红灯",
    }
    assert (form["SignatureMethod"], form["SignatureVersion"], form["AccessKeyId"]) == (
        "HMAC-SHA1",
        "1.0",
        "testId",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", form["Timestamp"])
    signature = form.pop("Signature")
    canonical = "&".join(
        f"{channels.percent_encode(k)}={channels.percent_encode(v)}" for k, v in sorted(form.items())
    )
    string_to_sign = "POST&%2F&" + channels.percent_encode(canonical)
    expected = base64.b64encode(
        hmac.new(b"testSecret&", string_to_sign.encode(), hashlib.sha1).digest()
    ).decode()
    assert signature == expected


def test_aliyun_refusals_retry_unless_they_cannot_succeed(aliyun):
    aliyun.answers = [
        (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"}),
        (200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}),
    ]
    throttled = make_delivery("sms", "13800138000")
    assert not deliver(throttled)
    assert throttled.status == DeliveryStatus.PENDING and "BUSINESS_LIMIT_CONTROL" in throttled.last_error
    illegal = make_delivery("sms", "10000")
    assert not deliver(illegal)
    assert illegal.status == DeliveryStatus.FAILED and "MOBILE_NUMBER_ILLEGAL" in illegal.last_error


def test_sms_without_an_approved_template_fails_at_once(aliyun, settings):
    settings.SMS_TEMPLATES = {"alert": ""}
    delivery = make_delivery("sms", "13800138000")
    assert not deliver(delivery)
    assert delivery.status == DeliveryStatus.FAILED and not aliyun.received


def test_sms_without_a_gateway_is_recorded_unconfigured_never_sent(settings, fake_server):
    settings.SMS_BACKEND = ""
    delivery = make_delivery("sms", "13800138000")
    assert not deliver(delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.UNCONFIGURED and delivery.sent_at is None
    assert delivery.get_status_display() == "未发送（未配置）"
    assert fake_server.received == []


def test_a_robot_whose_webhook_was_removed_is_not_marked_sent(settings):
    settings.NOTIFY_WECOM_WEBHOOK = ""
    delivery = make_delivery("wecom")
    assert not deliver(delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.UNCONFIGURED and delivery.attempts == 0


def test_wecom_robot_gets_a_markdown_message(settings, fake_server):
    settings.NOTIFY_WECOM_WEBHOOK = fake_server.url + "/cgi-bin/webhook/send?key=KEY"
    settings.SITE_URL = "https://xm.example.gov.cn"
    delivery = make_delivery("wecom", payload={"names": ["王业主", "江住建"]})
    assert deliver(delivery)
    request = fake_server.received[0]
    assert request.path == "/cgi-bin/webhook/send" and request.query == {"key": ["KEY"]}
    body = request.json()
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.startswith("**【红灯】滨河路改造工程：应开未开**")
    assert (
        "[查看详情](https://xm.example.gov.cn/projects/1/?tab=alerts)" in content
        and "王业主、江住建" in content
    )


def test_wecom_errcode_is_a_failure(settings, fake_server):
    settings.NOTIFY_WECOM_WEBHOOK = fake_server.url + "/send?key=K"
    fake_server.answers = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    delivery = make_delivery("wecom")
    assert not deliver(delivery)
    assert delivery.status == DeliveryStatus.PENDING and "93000" in delivery.last_error


def test_dingtalk_robot_signs_the_timestamp_and_names_people(settings, fake_server):
    settings.NOTIFY_DINGTALK_WEBHOOK = fake_server.url + "/robot/send?access_token=TOKEN"
    settings.NOTIFY_DINGTALK_SECRET = "SECdemo123"
    delivery = make_delivery("dingtalk", payload={"mobiles": ["13800138000"]})
    before = int(time.time() * 1000)
    assert deliver(delivery)
    request = fake_server.received[0]
    timestamp = request.query["timestamp"][0]
    assert request.query["access_token"] == ["TOKEN"]
    assert before - 1000 <= int(timestamp) <= int(time.time() * 1000)
    digest = hmac.new(b"SECdemo123", f"{timestamp}\nSECdemo123".encode(), hashlib.sha256).digest()
    assert request.query["sign"] == [base64.b64encode(digest).decode()]
    body = request.json()
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == delivery.subject
    assert "@13800138000" in body["markdown"]["text"]
    assert body["at"] == {"atMobiles": ["13800138000"], "isAtAll": False}


def test_dingtalk_sign_is_url_encoded():
    url = channels.dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=T", "SEC", 1700000000000)
    digest = hmac.new(b"SEC", b"1700000000000\nSEC", hashlib.sha256).digest()
    encoded = base64.b64encode(digest).decode().replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    assert (
        url == f"https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000&sign={encoded}"
    )


def test_a_timeout_is_retried_after_the_backoff(settings, fake_server):
    settings.NOTIFY_WECOM_WEBHOOK = fake_server.url + "/send?key=K"
    settings.NOTIFY_HTTP_TIMEOUT_SECONDS = 0.3
    fake_server.answers = [("sleep", 1.5)]
    delivery = make_delivery("wecom")
    started = timezone.now()
    assert deliver_due(started) == {"sent": 0, "failed": 1}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and "timeout" in delivery.last_error
    assert delivery.next_try_at == started + timedelta(seconds=60)
    assert deliver_due(started + timedelta(seconds=30)) == {"sent": 0, "failed": 0}
    assert deliver_due(started + timedelta(seconds=61)) == {"sent": 1, "failed": 0}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 2, "")


def test_server_errors_back_off_exponentially_then_give_up(settings, fake_server):
    settings.NOTIFY_DINGTALK_WEBHOOK = fake_server.url + "/robot/send?access_token=T"
    settings.NOTIFY_MAX_ATTEMPTS = 3
    fake_server.default = (500, {"error": "busy"})
    delivery = make_delivery("dingtalk")
    now = timezone.now()
    waits = []
    for _attempt in range(3):
        deliver_due(now)
        delivery.refresh_from_db()
        waits.append((delivery.next_try_at - now).total_seconds())
        now = delivery.next_try_at
    assert waits[:2] == [60, 120]
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert "HTTP 500" in delivery.last_error and len(fake_server.received) == 3


def test_a_failing_channel_never_stops_the_others(settings, fake_server, monkeypatch):
    settings.NOTIFY_WECOM_WEBHOOK = fake_server.url + "/wecom?key=K"
    settings.NOTIFY_DINGTALK_WEBHOOK = fake_server.url + "/ding?access_token=T"
    fake_server.answers = [lambda r: (500, {}) if r.path == "/ding" else (200, {"errcode": 0})] * 2

    def broken(delivery):
        raise RuntimeError("gateway bug")

    monkeypatch.setitem(channels.SENDERS, "email", broken)
    monkeypatch.setattr("notifications.delivery.SENDERS", channels.SENDERS)
    ding = make_delivery("dingtalk")
    mail = make_delivery("email", "a@example.com")
    wecom = make_delivery("wecom")
    assert deliver_due() == {"sent": 1, "failed": 2}
    for delivery in (ding, mail, wecom):
        delivery.refresh_from_db()
    assert wecom.status == DeliveryStatus.SENT
    assert ding.status == DeliveryStatus.PENDING and mail.status == DeliveryStatus.PENDING
    assert "gateway bug" in mail.last_error


def test_a_refused_connection_is_a_delivery_error(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.NOTIFY_WECOM_WEBHOOK = f"http://127.0.0.1:{port}/send?key=K"
    delivery = make_delivery("wecom")
    assert not deliver(delivery)
    assert "connection failed" in delivery.last_error


def test_email_goes_through_djangos_mail(mailoutbox, settings):
    settings.SITE_URL = "https://xm.example.gov.cn"
    delivery = make_delivery("email", "owner@example.com")
    assert deliver(delivery)
    assert mailoutbox[0].to == ["owner@example.com"]
    assert mailoutbox[0].subject == delivery.subject
    assert "https://xm.example.gov.cn/projects/1/?tab=alerts" in mailoutbox[0].body
