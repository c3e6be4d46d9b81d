"""印发分发: a published bulletin sent to the recipients chosen on publishing — in-app (and each
person's own channels) with the link to its PDF, and posted to the configured group robots with a
link — once, whatever the retries; and its 发文字号 given from BULLETIN_DOC_PREFIX."""

import re

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t

from bulletins.models import Bulletin, Recipients
from notifications.channels import configured_channels
from notifications.choices import GROUP_CHANNELS, Kind
from notifications.delivery import Message, NotifyResult, notify_many
from org.choices import Role
from org.models import User

ROLES = {
    Recipients.LEADERS: Role.LEADER,
    Recipients.COORDINATORS: Role.COORDINATOR,
    Recipients.UNITS: Role.UNIT,
    Recipients.INSPECTORS: Role.INSPECTOR,
}


def next_doc_number(year: int, prefix: str | None = None) -> str:
    """The next 发文字号 of `year` with the 机关代字 `prefix`: 示重点办〔2026〕3号; "" without a prefix."""
    prefix = settings.BULLETIN_DOC_PREFIX if prefix is None else prefix
    if not prefix:
        return ""
    head = f"{prefix}〔{year}〕"
    pattern = re.compile(rf"^{re.escape(head)}(\d+)号$")
    used = Bulletin.objects.filter(doc_number__startswith=head).values_list("doc_number", flat=True)
    numbers = [int(match.group(1)) for text in used if (match := pattern.match(text))]
    return f"{head}{max(numbers, default=0) + 1}号"


def distribution_message(bulletin: Bulletin) -> Message:
    roles = [ROLES[Recipients(code)] for code in bulletin.recipients if code in ROLES]
    users = User.objects.filter(Q(role__in=roles), is_active=True) if roles else User.objects.none()
    robots = []
    if Recipients.ROBOTS in bulletin.recipients:
        robots = [channel for channel in configured_channels() if channel in GROUP_CHANNELS]
    link = (
        reverse("bulletins:file", args=[bulletin.pk, "pdf"])
        if bulletin.pdf
        else reverse("bulletins:detail", args=[bulletin.pk])
    )
    number = bulletin.doc_number or bulletin.number_label
    values = {"i": bulletin.issuer, "n": f"（{number}）" if number else "", "t": bulletin.title}
    return Message(
        users=list(users),
        title=_t("印发：%(t)s") % values,
        body=_t("%(i)s印发《%(t)s》%(n)s，请查阅。") % values,
        link=link,
        kind=Kind.BULLETIN,
        dedup_key=f"bulletin:{bulletin.pk}",
        params={"bulletin": bulletin.pk},
        groups=robots,
    )


def distribute(bulletin: Bulletin) -> NotifyResult:
    """Send the published bulletin to its recipients and note when."""
    if bulletin.state != Bulletin.State.PUBLISHED or not bulletin.recipients:
        return NotifyResult()
    result = notify_many([distribution_message(bulletin)])
    Bulletin.objects.filter(pk=bulletin.pk).update(distributed_at=timezone.now())
    return result
