"""每周简报 (weekly digest, seed 000's 每周一报): what happened in the week before and what is due in
the week ahead, for the leaders and the coordinator's office — in their inbox (and their own
channels) and posted to the configured group robots (企业微信群 / 钉钉群).

It covers last week's progress reports (received, late, accepted), the warnings opened and closed,
the problems past their deadline, and the deadlines of the next seven days (reports, 督办通知单,
议定事项, problems). The scheduler sends it on settings.WEEKLY_DIGEST_WEEKDAY at
WEEKLY_DIGEST_HOUR; `manage.py weekly_digest` sends it by hand. Its de-duplication key names the
week, so nobody gets the same week's digest twice.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t

from alerts.choices import Colour
from alerts.models import Alert
from notifications.channels import configured_channels
from notifications.choices import GROUP_CHANNELS, Kind
from notifications.delivery import Message, NotifyResult, notify_many
from org.choices import Role
from org.models import User
from problems.choices import MatterStatus
from problems.models import Matter, Problem
from progress.choices import ReportState
from progress.models import Report
from progress.periods import current_period
from projects.choices import ReportFrequency
from projects.models import Project
from supervision.choices import NoticeStatus
from supervision.models import Notice

# Names listed for the overdue problems; the rest are counted.
MAX_NAMES = 5


def day_text(day: date) -> str:
    return _t("%(m)d月%(d)d日") % {"m": day.month, "d": day.day}


@dataclass
class Digest:
    """The figures of one week's digest."""

    start: date  # Monday of the week reported on
    end: date  # its Sunday
    today: date
    received: int = 0
    late: int = 0
    accepted: int = 0
    opened: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    open_now: int = 0
    overdue_problems: int = 0
    overdue_names: list[str] = field(default_factory=list)
    report_deadlines: list[tuple[date, str]] = field(default_factory=list)
    notices_due: int = 0
    matters_due: int = 0
    problems_due: int = 0

    @property
    def title(self) -> str:
        return _t("重点项目每周简报（%(s)s—%(e)s）") % {"s": day_text(self.start), "e": day_text(self.end)}

    def lines(self) -> list[str]:
        """The digest's text, a line per subject."""
        ahead_end = self.today + timedelta(days=6)
        lines = [
            _t("一、进度报送：上周收到进度报告%(r)d份，其中迟报%(l)d份；审核通过%(a)d份。")
            % {"r": self.received, "l": self.late, "a": self.accepted},
            _t(
                "二、预警：上周新亮灯%(n)d个（红灯%(red)d个、黄灯%(yellow)d个），销号%(c)d个；目前在亮%(o)d个。"
            )
            % {
                "n": sum(self.opened.values()),
                "red": self.opened.get(Colour.RED, 0),
                "yellow": self.opened.get(Colour.YELLOW, 0),
                "c": self.closed,
                "o": self.open_now,
            },
        ]
        overdue = _t("三、超期问题：%(n)d个问题超过办理时限仍未解决。") % {"n": self.overdue_problems}
        if self.overdue_names:
            more = len(self.overdue_names) < self.overdue_problems
            overdue += _t("涉及%(l)s%(m)s。") % {
                "l": "、".join(self.overdue_names),
                "m": _t("等项目") if more else "",
            }
        lines.append(overdue)
        deadlines = "；".join(
            _t("%(d)s%(w)s截止") % {"d": day_text(day), "w": what} for day, what in self.report_deadlines
        )
        ahead = _t("四、本周（%(s)s—%(e)s）到期：") % {"s": day_text(self.today), "e": day_text(ahead_end)}
        ahead += (deadlines + "；") if deadlines else ""
        ahead += _t("督办通知单%(n)d件、议定事项%(m)d项、问题%(p)d个到办理时限。") % {
            "n": self.notices_due,
            "m": self.matters_due,
            "p": self.problems_due,
        }
        lines.append(ahead)
        return lines

    @property
    def body(self) -> str:
        return "\n".join(self.lines())


def last_week(today: date) -> tuple[date, date]:
    """Monday and Sunday of the last whole week before `today`."""
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)


def compose(today: date | None = None) -> Digest:
    """The digest as of `today` (the day it goes out), over the whole district."""
    today = today or timezone.localdate()
    start, end = last_week(today)
    digest = Digest(start, end, today)
    week = Q(first_submitted_at__date__gte=start, first_submitted_at__date__lte=end)
    reports = Report.objects.aggregate(
        received=Count("pk", filter=week),
        late=Count("pk", filter=week & Q(first_submitted_at__date__gt=F("deadline"))),
        accepted=Count(
            "pk",
            filter=Q(state=ReportState.ACCEPTED, reviewed_at__date__gte=start, reviewed_at__date__lte=end),
        ),
    )
    digest.received, digest.late, digest.accepted = reports["received"], reports["late"], reports["accepted"]
    opened = Alert.objects.filter(opened_on__gte=start, opened_on__lte=end).order_by()
    digest.opened = dict(opened.values_list("colour").annotate(n=Count("pk")).values_list("colour", "n"))
    digest.closed = Alert.objects.filter(closed_at__date__gte=start, closed_at__date__lte=end).count()
    digest.open_now = Alert.objects.filter(state="open").count()
    overdue = Problem.objects.overdue(today)
    digest.overdue_problems = overdue.count()
    names = overdue.order_by("deadline", "pk").values_list("project__name", flat=True)
    digest.overdue_names = list(dict.fromkeys(names[: MAX_NAMES * 4]))[:MAX_NAMES]
    ahead = (today, today + timedelta(days=6))
    used = set(Project.objects.order_by().values_list("report_frequency", flat=True).distinct())
    for frequency, label in ReportFrequency.choices:
        if frequency not in used:
            continue
        period = current_period(today, frequency).previous()
        for _step in range(3):
            if ahead[0] <= period.deadline <= ahead[1]:
                digest.report_deadlines.append((period.deadline, f"{period.label}{label}"))
            period = period.next()
    digest.report_deadlines.sort()
    digest.notices_due = Notice.objects.filter(
        status=NoticeStatus.SENT, deadline__gte=ahead[0], deadline__lte=ahead[1]
    ).count()
    digest.matters_due = (
        Matter.objects.exclude(status=MatterStatus.DONE)
        .filter(deadline__gte=ahead[0], deadline__lte=ahead[1])
        .count()
    )
    digest.problems_due = (
        Problem.objects.unsolved().filter(deadline__gte=ahead[0], deadline__lte=ahead[1]).count()
    )
    return digest


def digest_message(digest: Digest) -> Message:
    """To the leaders and the coordinator's office, and to every configured group robot."""
    users = User.objects.filter(role__in=(Role.LEADER, Role.COORDINATOR), is_active=True)
    robots = [channel for channel in configured_channels() if channel in GROUP_CHANNELS]
    return Message(
        users=list(users),
        title=digest.title,
        body=digest.body,
        link=reverse("home"),
        kind=Kind.DIGEST,
        dedup_key=f"weekly-digest:{digest.start.isoformat()}",
        params={"week": digest.start.isoformat()},
        groups=robots,
    )


def send_weekly_digest(today: date | None = None) -> tuple[Digest, NotifyResult]:
    digest = compose(today)
    return digest, notify_many([digest_message(digest)])
