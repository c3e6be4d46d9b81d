"""Outside channels: SMS through a gateway, WeCom and DingTalk group robots, e-mail.

Each sender takes a Delivery and either returns (sent) or raises DeliveryError; a
PermanentDeliveryError means retrying cannot help (a rejected number, a missing template).
Addresses and keys come from settings (environment variables), never from the database.
"""

import base64
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from notifications.choices import Channel

if TYPE_CHECKING:
    from notifications.models import Delivery

logger = logging.getLogger("notifications")

# WeCom limits a markdown message to 4096 bytes; DingTalk's limit is larger, keep both modest.
MAX_MARKDOWN_BYTES = 4000


class DeliveryError(Exception):
    """Sending failed; it may work on a later attempt."""


class PermanentDeliveryError(DeliveryError):
    """Sending failed in a way another attempt will not change."""


def http_post(url: str, data: bytes, content_type: str) -> Any:
    """POST and decode a JSON answer; network trouble, timeouts and 5xx answers are DeliveryErrors."""
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_HTTP_TIMEOUT_SECONDS) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        detail = error.read()[:200].decode("utf-8", "replace")
        kind = PermanentDeliveryError if 400 <= error.code < 500 and error.code != 429 else DeliveryError
        raise kind(f"HTTP {error.code}: {detail}") from error
    except TimeoutError as error:
        raise DeliveryError(f"timeout after {settings.NOTIFY_HTTP_TIMEOUT_SECONDS}s") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise DeliveryError(f"timeout after {settings.NOTIFY_HTTP_TIMEOUT_SECONDS}s") from error
        raise DeliveryError(f"connection failed: {error.reason}") from error
    except OSError as error:
        raise DeliveryError(f"connection failed: {error}") from error
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DeliveryError(f"not JSON: {raw[:200]!r}") from error


def absolute(link: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{link}" if link and settings.SITE_URL else ""


def clip_utf8(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    return text if len(encoded) <= limit else encoded[: limit - 3].decode("utf-8", "ignore") + "…"


# SMS -------------------------------------------------------------------------------------------


class SmsGateway:
    """What every SMS gateway does: send a message from a registered template to one number."""

    def send(self, phone: str, template: str, params: dict[str, str], text: str) -> None:
        raise NotImplementedError


def percent_encode(value: str) -> str:
    """Aliyun's POP encoding: RFC 3986 unreserved characters kept, everything else %XY (space → %20)."""
    return urllib.parse.quote(str(value), safe="-_.~")


class AliyunSmsGateway(SmsGateway):
    """阿里云短信 SendSms (API version 2017-05-25) with the RPC signature, version 1.0.

    Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)), where
    StringToSign = "POST" + "&" + percentEncode("/") + "&" + percentEncode(CanonicalizedQueryString)
    and CanonicalizedQueryString joins the percent-encoded parameters, sorted by name, as
    name=value pairs with "&". The answer is JSON; Code "OK" means accepted.
    """

    # Codes that another attempt cannot fix (number, template, signature or key problems).
    PERMANENT_CODES = frozenset(
        {
            "isv.MOBILE_NUMBER_ILLEGAL",
            "isv.SMS_TEMPLATE_ILLEGAL",
            "isv.SMS_SIGNATURE_ILLEGAL",
            "isv.TEMPLATE_MISSING_PARAMETERS",
            "isv.INVALID_PARAMETERS",
            "InvalidAccessKeyId.NotFound",
            "SignatureDoesNotMatch",
        }
    )

    def __init__(
        self,
        endpoint: str | None = None,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        sign_name: str | None = None,
        region: str | None = None,
    ) -> None:
        self.endpoint = endpoint or settings.SMS_ENDPOINT
        self.access_key_id = access_key_id or settings.SMS_ACCESS_KEY_ID
        self.access_key_secret = access_key_secret or settings.SMS_ACCESS_KEY_SECRET
        self.sign_name = sign_name or settings.SMS_SIGN_NAME
        self.region = region or settings.SMS_REGION

    @staticmethod
    def canonical_query(params: dict[str, str]) -> str:
        return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))

    @classmethod
    def signature(cls, params: dict[str, str], secret: str, method: str = "POST") -> str:
        string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(cls.canonical_query(params))}"
        digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()

    def signed_params(self, phone: str, template: str, params: dict[str, str]) -> dict[str, str]:
        request = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": self.region,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template,
            "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        request["Signature"] = self.signature(request, self.access_key_secret)
        return request

    def send(self, phone: str, template: str, params: dict[str, str], text: str) -> None:
        if not template:
            raise PermanentDeliveryError("no SMS template configured for this kind of message")
        # Template variables are short fields on the gateway's side.
        clipped = {k: str(v)[: settings.SMS_PARAM_MAX_CHARS] for k, v in params.items()}
        body = urllib.parse.urlencode(
            self.signed_params(phone, template, clipped), quote_via=urllib.parse.quote
        )
        answer = http_post(self.endpoint, body.encode(), "application/x-www-form-urlencoded")
        code = answer.get("Code") if isinstance(answer, dict) else None
        if code != "OK":
            message = f"{code}: {answer.get('Message', '') if isinstance(answer, dict) else answer}"
            raise (PermanentDeliveryError if code in self.PERMANENT_CODES else DeliveryError)(message)


def sms_gateway() -> SmsGateway:
    if not settings.SMS_BACKEND:
        raise PermanentDeliveryError("no SMS gateway configured (SMS_BACKEND)")
    return import_string(settings.SMS_BACKEND)()


def send_sms(delivery: "Delivery") -> None:
    template = settings.SMS_TEMPLATES.get(delivery.kind, "")
    params = {k: str(v) for k, v in (delivery.payload.get("params") or {}).items()}
    sms_gateway().send(delivery.target, template, params, f"{delivery.subject}：{delivery.body}")


# Group robots ----------------------------------------------------------------------------------


def markdown_text(delivery: "Delivery") -> str:
    text = f"**{delivery.subject}**\n\n{delivery.body}"
    link = absolute(delivery.link)
    if link:
        text += f"\n\n[查看详情]({link})"
    return text


def check_robot_answer(answer: Any) -> None:
    """Both robots answer {"errcode": 0, "errmsg": "ok"}; anything else is an error."""
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        raise DeliveryError(f"robot answered {answer!r}"[:300])


def send_wecom(delivery: "Delivery") -> None:
    """企业微信群机器人: POST {"msgtype": "markdown", "markdown": {"content": …}} to the webhook."""
    url = settings.NOTIFY_WECOM_WEBHOOK
    if not url:
        raise PermanentDeliveryError("NOTIFY_WECOM_WEBHOOK is not set")
    text = markdown_text(delivery)
    names = delivery.payload.get("names") or []
    if names:
        text += "\n\n" + "、".join(names)
    payload = {"msgtype": "markdown", "markdown": {"content": clip_utf8(text, MAX_MARKDOWN_BYTES)}}
    check_robot_answer(http_post(url, json.dumps(payload, ensure_ascii=False).encode(), "application/json"))


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    """钉钉加签: Base64(HMAC-SHA256(secret, timestamp + "\\n" + secret)), then URL-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def dingtalk_url(webhook: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return webhook
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(datetime.now(UTC).timestamp() * 1000)
    return f"{webhook}&timestamp={timestamp_ms}&sign={dingtalk_sign(timestamp_ms, secret)}"


def send_dingtalk(delivery: "Delivery") -> None:
    """钉钉群机器人: a markdown message, the people concerned @-named by mobile number."""
    webhook = settings.NOTIFY_DINGTALK_WEBHOOK
    if not webhook:
        raise PermanentDeliveryError("NOTIFY_DINGTALK_WEBHOOK is not set")
    mobiles = [m for m in delivery.payload.get("mobiles") or [] if m]
    text = markdown_text(delivery)
    if mobiles:
        # DingTalk only notifies the @-named people whose "@mobile" also appears in the text.
        text += "\n\n" + " ".join(f"@{m}" for m in mobiles)
    payload = {
        "msgtype": "markdown",
        "markdown": {"title": delivery.subject[:64], "text": clip_utf8(text, MAX_MARKDOWN_BYTES)},
        "at": {"atMobiles": mobiles, "isAtAll": False},
    }
    url = dingtalk_url(webhook, settings.NOTIFY_DINGTALK_SECRET)
    check_robot_answer(http_post(url, json.dumps(payload, ensure_ascii=False).encode(), "application/json"))


# E-mail ----------------------------------------------------------------------------------------


def send_email(delivery: "Delivery") -> None:
    body = delivery.body
    link = absolute(delivery.link)
    if link:
        body += f"\n\n{link}"
    try:
        send_mail(delivery.subject, body, settings.DEFAULT_FROM_EMAIL, [delivery.target])
    except (OSError, ValueError) as error:
        raise DeliveryError(f"e-mail failed: {error}") from error


SENDERS: dict[str, Callable[["Delivery"], None]] = {
    Channel.SMS: send_sms,
    Channel.EMAIL: send_email,
    Channel.WECOM: send_wecom,
    Channel.DINGTALK: send_dingtalk,
}


SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True)
class ChannelSetup:
    """Whether this server can send on a channel, and which settings make it do so."""

    channel: str
    label: str
    configured: bool
    settings: str


def channel_setup() -> list[ChannelSetup]:
    """Every outside channel with its state: a channel without its gateway or address sends nothing."""
    email = bool(settings.EMAIL_HOST) or settings.EMAIL_BACKEND != SMTP_BACKEND
    states = {
        Channel.SMS: (bool(settings.SMS_BACKEND), "SMS_BACKEND, SMS_ACCESS_KEY_ID, SMS_TEMPLATE_*"),
        Channel.EMAIL: (email, "EMAIL_HOST, EMAIL_PORT, DEFAULT_FROM_EMAIL"),
        Channel.WECOM: (bool(settings.NOTIFY_WECOM_WEBHOOK), "NOTIFY_WECOM_WEBHOOK"),
        Channel.DINGTALK: (bool(settings.NOTIFY_DINGTALK_WEBHOOK), "NOTIFY_DINGTALK_WEBHOOK"),
    }
    return [
        ChannelSetup(str(channel), str(channel.label), configured, names)
        for channel, (configured, names) in states.items()
    ]


def configured_channels() -> list[str]:
    """The channels this server can send on: SMS with a gateway, e-mail with a mail server, robots with a webhook."""
    return [setup.channel for setup in channel_setup() if setup.configured]
