"""The notification pipeline: inbox first, then each person's outside channels, sent by the worker.

`notify_many(messages)` writes the inbox messages and the deliveries in bulk (a fixed number of
queries whatever the number of messages) and asks the worker to send them; `deliver_due()` is
what the worker runs. Rules applied on the way:

- de-duplication: the same user and dedup key within NOTIFY_DEDUP_HOURS is notified once;
- quiet hours (免打扰): a personal delivery falling in them waits for their end (deferred, not dropped);
- rate limit: at most NOTIFY_RATE_LIMIT_PER_HOUR outside deliveries per user per hour; beyond
  that they are logged as skipped — the inbox still has the message;
- retries: a failed delivery is tried again after NOTIFY_RETRY_BASE_SECONDS × 2^(attempt − 1),
  at most NOTIFY_MAX_ATTEMPTS times; one failing channel or delivery never stops the others.
"""

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _t

from notifications.channels import SENDERS, DeliveryError, PermanentDeliveryError, configured_channels
from notifications.choices import GROUP_CHANNELS, Channel, DeliveryStatus, Kind
from notifications.models import Delivery, Notification, NotificationPreference
from org.models import User

logger = logging.getLogger("notifications")
# A delivery left "sending" this long belongs to a worker that died; it is tried again.
STALE_SENDING = timedelta(minutes=10)


@dataclass
class Message:
    """One thing to tell some people: the same title and body for each of them."""

    users: Sequence[User]
    title: str
    body: str
    link: str = ""
    kind: str = Kind.SYSTEM
    dedup_key: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    # People of the directory who have no account (most 分包领导): reached by SMS at these numbers.
    phones: Sequence[str] = ()
    # Group robots (企业微信群 / 钉钉群) the message is posted to whatever the users' own channels
    # (the weekly digest, a published bulletin): once per channel and de-duplication key.
    groups: Sequence[str] = ()


@dataclass
class NotifyResult:
    notifications: int = 0
    deliveries: int = 0
    duplicates: int = 0
    deferred: int = 0
    limited: int = 0


def notify(users: Iterable[User], title: str, body: str, **options: Any) -> NotifyResult:
    return notify_many([Message(list(users), title, body, **options)])


def notify_many(messages: Sequence[Message], now: datetime | None = None) -> NotifyResult:
    """Inbox messages and outside deliveries for every (message, user), in bulk; the worker sends."""
    now = now or timezone.now()
    result = NotifyResult()
    window = now - timedelta(hours=settings.NOTIFY_DEDUP_HOURS)
    seen = set(
        Notification.objects.filter(created_at__gte=window)
        .exclude(dedup_key="")
        .values_list("user_id", "dedup_key")
    )
    group_seen = set(
        Delivery.objects.filter(created_at__gte=window, user__isnull=True)
        .exclude(dedup_key="")
        .values_list("channel", "dedup_key")
    )
    phone_seen = set(
        Delivery.objects.filter(created_at__gte=window, user__isnull=True, channel=Channel.SMS)
        .exclude(dedup_key="")
        .values_list("target", "dedup_key")
    )
    preferences = {p.user_id: p for p in NotificationPreference.objects.all()}
    sent_last_hour = Counter(
        dict(
            Delivery.objects.filter(created_at__gte=now - timedelta(hours=1), user__isnull=False)
            .exclude(status__in=[DeliveryStatus.SKIPPED, DeliveryStatus.UNCONFIGURED])
            .order_by()
            .values("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
    )
    available = set(configured_channels())

    inbox: list[Notification] = []
    planned: list[tuple[int, User, str, NotificationPreference]] = []
    groups: list[Delivery] = []
    for message in messages:
        people: dict[str, list[User]] = {c: [] for c in GROUP_CHANNELS}
        posted = {channel for channel in message.groups if channel in GROUP_CHANNELS}
        for user in {u.pk: u for u in message.users if u.is_active}.values():
            if message.dedup_key and (user.pk, message.dedup_key) in seen:
                result.duplicates += 1
                continue
            if message.dedup_key:
                seen.add((user.pk, message.dedup_key))
            inbox.append(
                Notification(
                    user=user,
                    kind=message.kind,
                    title=message.title[:200],
                    body=message.body,
                    link=message.link[:300],
                    dedup_key=message.dedup_key[:120],
                    params=message.params,
                    created_at=now,
                )
            )
            preference = preferences.get(user.pk) or NotificationPreference.default_for(user.pk)
            for channel in preference.channels:
                if channel in GROUP_CHANNELS:
                    people[channel].append(user)
                else:
                    planned.append((len(inbox) - 1, user, channel, preference))
        for phone in dict.fromkeys(message.phones):
            if not phone:
                continue
            if message.dedup_key and (phone, message.dedup_key) in phone_seen:
                result.duplicates += 1
                continue
            phone_seen.add((phone, message.dedup_key))
            groups.append(
                unless_unconfigured(
                    Delivery(
                        channel=Channel.SMS,
                        target=phone,
                        kind=message.kind,
                        dedup_key=message.dedup_key[:120],
                        subject=message.title[:200],
                        body=message.body,
                        link=message.link[:300],
                        payload={"params": message.params},
                        next_try_at=now,
                        created_at=now,
                    ),
                    available,
                )
            )
        for channel, users in people.items():
            if not (users or channel in posted) or (channel, message.dedup_key) in group_seen:
                continue
            if message.dedup_key:
                group_seen.add((channel, message.dedup_key))
            groups.append(
                unless_unconfigured(
                    Delivery(
                        channel=channel,
                        target="group",
                        kind=message.kind,
                        dedup_key=message.dedup_key[:120],
                        subject=message.title[:200],
                        body=message.body,
                        link=message.link[:300],
                        payload={
                            "names": [u.get_full_name() for u in users],
                            "mobiles": sorted({u.phone for u in users if u.phone}),
                        },
                        next_try_at=now,
                        created_at=now,
                    ),
                    available,
                )
            )

    with transaction.atomic():
        Notification.objects.bulk_create(inbox, batch_size=2000)
        personal: list[Delivery] = []
        for position, user, channel, preference in planned:
            note = inbox[position]
            target = user.phone if channel == Channel.SMS else user.email
            delivery = Delivery(
                channel=channel,
                target=target,
                user=user,
                notification=note,
                kind=note.kind,
                dedup_key=note.dedup_key,
                subject=note.title,
                body=note.body,
                link=note.link,
                payload={"params": note.params},
                next_try_at=now,
                created_at=now,
            )
            if channel not in available:
                unless_unconfigured(delivery, available)
            elif not target:
                delivery.status = DeliveryStatus.SKIPPED
                delivery.last_error = _t("没有手机号") if channel == Channel.SMS else _t("没有电子邮箱")
            elif sent_last_hour[user.pk] >= settings.NOTIFY_RATE_LIMIT_PER_HOUR:
                delivery.status = DeliveryStatus.SKIPPED
                delivery.last_error = _t("超过每小时发送上限（%(n)d条）") % {
                    "n": settings.NOTIFY_RATE_LIMIT_PER_HOUR
                }
                result.limited += 1
            else:
                sent_last_hour[user.pk] += 1
                quiet_end = preference.quiet_until(now)
                if quiet_end is not None:
                    delivery.next_try_at = quiet_end
                    result.deferred += 1
            personal.append(delivery)
        Delivery.objects.bulk_create(personal + groups, batch_size=2000)
        if any(d.status == DeliveryStatus.PENDING and d.next_try_at <= now for d in personal + groups):
            transaction.on_commit(request_delivery)
    result.notifications = len(inbox)
    result.deliveries = len(personal) + len(groups)
    return result


def unless_unconfigured(delivery: Delivery, available: set[str]) -> Delivery:
    """Record a delivery on a channel this server cannot send on as 未发送（未配置）, never as sent."""
    if delivery.channel not in available:
        delivery.status = DeliveryStatus.UNCONFIGURED
        delivery.last_error = _t("渠道未配置，未发出")
    return delivery


def request_delivery() -> None:
    """Ask the worker to send what is due now; the scheduler also asks every minute."""
    from notifications.tasks import deliver_notifications

    try:
        deliver_notifications.enqueue()
    except Exception:
        # The periodic delivery picks the messages up if the queue cannot be reached now.
        logger.exception("Could not queue the delivery task")


def backoff(attempts: int) -> timedelta:
    """Wait before attempt n + 1: base × 2^(n − 1), capped."""
    seconds = settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.NOTIFY_RETRY_MAX_SECONDS))


def deliver(delivery: Delivery, now: datetime | None = None) -> bool:
    """Try one delivery once and record the outcome; True when sent. Never raises for a channel error."""
    now = now or timezone.now()
    if delivery.channel not in configured_channels():
        unless_unconfigured(delivery, set())
        delivery.save(update_fields=["last_error", "status", "updated_at"])
        return False
    delivery.attempts += 1
    try:
        SENDERS[delivery.channel](delivery)
    except Exception as error:
        if not isinstance(error, DeliveryError):
            logger.exception("Unexpected error sending delivery %s", delivery.pk)
        delivery.last_error = f"{type(error).__name__}: {error}"[:500]
        if isinstance(error, PermanentDeliveryError) or delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_try_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "last_error", "status", "next_try_at", "updated_at"])
        return False
    delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT, now, ""
    delivery.save(update_fields=["attempts", "last_error", "status", "sent_at", "updated_at"])
    return True


def deliver_due(now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send the deliveries whose time has come (up to `limit`), each claimed so no two workers send it."""
    now = now or timezone.now()
    Delivery.objects.filter(status=DeliveryStatus.SENDING, updated_at__lt=now - STALE_SENDING).update(
        status=DeliveryStatus.PENDING
    )
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_try_at__lte=now)
        .order_by("next_try_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"sent": 0, "failed": 0}
    for pk in due:
        claimed = Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, updated_at=timezone.now()
        )
        if not claimed:
            continue
        delivery = Delivery.objects.get(pk=pk)
        counts["sent" if deliver(delivery, now) else "failed"] += 1
    return counts
