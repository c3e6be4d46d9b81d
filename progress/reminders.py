"""报送提醒: reminders of the reporting deadline, sent through the notification pipeline.

On each of REPORT_REMINDER_DAYS_BEFORE days before a period's deadline, the owners (项目单位) of
the projects due that have not submitted are reminded; on each of REPORT_REMINDER_DAYS_AFTER
days after it, those owners and the responsible units (责任单位) hear that the report is late.
Each person gets one message per period and day, listing their projects.
"""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t

from notifications.choices import Kind
from notifications.delivery import Message, NotifyResult, notify_many
from org.choices import Role
from org.models import User
from progress.models import Report
from progress.periods import Period, current_period
from progress.querysets import projects_due
from projects.choices import ReportFrequency

# Names listed in one message; the rest are counted.
MAX_NAMES = 5


def periods_near(today: date, frequency: str) -> list[Period]:
    """The current period and the two before it: a deadline may fall in the next month."""
    period = current_period(today, frequency)
    return [period, period.previous(), period.previous().previous()]


def reminder_messages(period: Period, today: date, late: bool) -> list[Message]:
    """One message per person concerned about the projects still to report for `period`."""
    submitted = Report.objects.of_period(period).filter(first_submitted_at__isnull=False)
    pending = list(
        projects_due(period)
        .exclude(pk__in=submitted.values("project_id"))
        .order_by("name_key", "name")
        .values_list("name", "owner_unit_id", "responsible_unit_id")
    )
    if not pending:
        return []
    by_owner: dict[int, list[str]] = defaultdict(list)
    by_unit: dict[int, list[str]] = defaultdict(list)
    for name, owner_unit_id, responsible_unit_id in pending:
        if owner_unit_id:
            by_owner[owner_unit_id].append(name)
        by_unit[responsible_unit_id].append(name)
    people = Q(role=Role.OWNER, unit_id__in=list(by_owner))
    if late:
        people |= Q(role=Role.UNIT, unit_id__in=list(by_unit))
    names_of: dict[int, list[str]] = defaultdict(list)
    users: dict[int, User] = {}
    for user in User.objects.filter(people, is_active=True):
        users[user.pk] = user
        source = by_owner if user.role == Role.OWNER else by_unit
        names_of[user.pk].extend(source.get(user.unit_id, []))  # type: ignore[arg-type]  # unit_id None finds nothing, as wanted

    deadline = f"{period.deadline.month}月{period.deadline.day}日"
    days = (period.deadline - today).days
    messages = []
    for user_id, names in names_of.items():
        user = users[user_id]
        listed = "、".join(names[:MAX_NAMES]) + (
            _t("等%(n)d个项目") % {"n": len(names)} if len(names) > MAX_NAMES else ""
        )
        if late:
            title = _t("%(p)s进度报告逾期未报") % {"p": period.label}
            body = _t("%(d)s报送截止日已过，%(l)s仍未报送%(p)s进度报告，请尽快报送。") % {
                "d": deadline,
                "l": listed,
                "p": period.label,
            }
        else:
            title = _t("%(p)s进度报告将于%(d)s截止") % {"p": period.label, "d": deadline}
            body = _t("%(l)s尚未报送%(p)s进度报告，请于%(d)s前报送。") % {
                "l": listed,
                "p": period.label,
                "d": deadline,
            }
        link = reverse("progress:mine") if user.role == Role.OWNER else reverse("progress:board")
        messages.append(
            Message(
                users=[user],
                title=title,
                body=body,
                link=link,
                kind=Kind.REMINDER,
                dedup_key=f"report-reminder:{period.frequency}:{period.key}:{days}",
                params={"period": period.label, "deadline": deadline, "count": len(names)},
            )
        )
    return messages


def send_report_reminders(today: date | None = None) -> NotifyResult:
    """The day's reminders, for every reporting frequency."""
    today = today or timezone.localdate()
    before = set(settings.REPORT_REMINDER_DAYS_BEFORE)
    after = set(settings.REPORT_REMINDER_DAYS_AFTER)
    messages: list[Message] = []
    for frequency in ReportFrequency.values:
        for period in periods_near(today, frequency):
            days_left = (period.deadline - today).days
            if days_left in before and days_left >= 0:
                messages += reminder_messages(period, today, late=False)
            elif -days_left in after and days_left < 0:
                messages += reminder_messages(period, today, late=True)
    return notify_many(messages)
