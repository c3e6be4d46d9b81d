"""交办通知: whoever is given work on a problem or a decided matter (议定事项) hears of it, once, and is
reminded before the matter's deadline.

- a problem assigned to a unit (a unit added to its 责任单位): that unit's accounts;
- a problem escalated (上报调度会): the coordinator's office, which prepares the meeting, and the
  problem's 牵头领导;
- a decided matter assigned (created, or given to another 牵头单位): that unit's accounts;
- DEADLINE_REMINDER_DAYS_BEFORE days before a matter's deadline, while not done: the same.

Each message carries a de-duplication key naming the object, the unit and the occasion, so a
second save, a retried request or a rerun of the day's reminders tells nobody twice.
"""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _t

from notifications.choices import Kind
from notifications.delivery import Message, NotifyResult, notify_many
from org.choices import Role
from org.models import User
from problems.choices import MatterStatus, ProblemAction
from problems.models import Matter, Problem, ProblemEvent

# The accounts that act for a unit they belong to.
ACTING_ROLES = (Role.UNIT, Role.OWNER)


def unit_accounts(unit_ids: Iterable[int]) -> QuerySet[User]:
    """The active accounts acting for these units (部门/乡镇 and 项目单位 users)."""
    return User.objects.filter(unit_id__in=list(unit_ids), role__in=ACTING_ROLES, is_active=True)


def day_text(day: date | None) -> str:
    return _t("%(m)d月%(d)d日") % {"m": day.month, "d": day.day} if day else _t("未定")


def problem_assigned_messages(problem: Problem, unit_ids: Iterable[int]) -> list[Message]:
    """One message per unit newly among the problem's 责任单位."""
    accounts = list(unit_accounts(unit_ids).select_related("unit"))
    messages = []
    for unit_id in sorted(set(unit_ids)):
        users = [user for user in accounts if user.unit_id == unit_id]
        if not users:
            continue
        messages.append(
            Message(
                users=users,
                title=_t("交办问题：%(p)s") % {"p": problem.project.name},
                body=_t("%(p)s的问题“%(d)s”已交由贵单位办理，办理时限：%(t)s。请及时办理并反馈办理情况。")
                % {"p": problem.project.name, "d": problem, "t": day_text(problem.deadline)},
                link=problem.get_absolute_url(),
                kind=Kind.ASSIGNED,
                dedup_key=f"problem-assigned:{problem.pk}:{unit_id}",
                params={"problem": problem.pk, "unit": unit_id},
            )
        )
    return messages


def problem_escalated_message(event: ProblemEvent) -> Message:
    """上报调度会: the coordinator's office and the problem's 牵头领导."""
    problem = event.problem
    users = list(User.objects.filter(role=Role.COORDINATOR, is_active=True))
    if problem.leader is not None and problem.leader.is_active:
        users.append(problem.leader)
    return Message(
        users=users,
        title=_t("问题上报调度会：%(p)s") % {"p": problem.project.name},
        body=_t("%(p)s的问题“%(d)s”已上报调度会协调解决，事由：%(n)s。")
        % {"p": problem.project.name, "d": problem, "n": event.note.rstrip("。")},
        link=problem.get_absolute_url(),
        kind=Kind.ASSIGNED,
        dedup_key=f"problem-escalated:{event.pk}",
        params={"problem": problem.pk},
    )


def matter_message(matter: Matter, reminder_days: int | None = None) -> Message:
    """A decided matter given to its 牵头单位, or (with `reminder_days`) its deadline drawing near."""
    values = {
        "m": matter.meeting.title,
        "c": matter,
        "t": day_text(matter.deadline),
        "n": reminder_days,
    }
    if reminder_days is None:
        title = _t("议定事项交办：%(m)s") % values
        body = _t("%(m)s议定事项“%(c)s”由贵单位牵头办理，办理时限：%(t)s。") % values
        key, kind = f"matter-assigned:{matter.pk}:{matter.owner_unit_id}", Kind.ASSIGNED
    else:
        title = _t("议定事项将于%(t)s到期") % values
        body = _t("%(m)s议定事项“%(c)s”办理时限为%(t)s，还有%(n)d天，请抓紧办理。") % values
        key, kind = f"matter-deadline:{matter.pk}:{matter.deadline}:{reminder_days}", Kind.DEADLINE
    return Message(
        users=list(unit_accounts([matter.owner_unit_id])),
        title=title,
        body=body,
        link=matter.get_absolute_url(),
        kind=kind,
        dedup_key=key,
        params={"matter": matter.pk},
    )


def send_matter_reminders(today: date | None = None) -> NotifyResult:
    """The day's reminders of decided matters whose deadline is DEADLINE_REMINDER_DAYS_BEFORE days away."""
    today = today or timezone.localdate()
    days = sorted({day for day in settings.DEADLINE_REMINDER_DAYS_BEFORE if day >= 0})
    dates = {date.fromordinal(today.toordinal() + day): day for day in days}
    matters = (
        Matter.objects.exclude(status=MatterStatus.DONE)
        .filter(deadline__in=list(dates))
        .select_related("meeting")
        .order_by("deadline", "pk")
    )
    return notify_many([matter_message(matter, dates[matter.deadline]) for matter in matters])


# Signals: every path that assigns (the forms, the API, the meeting's matter table) reaches them.


@receiver(m2m_changed, sender=Problem.responsible_units.through, dispatch_uid="problems.announce_units")
def announce_units_added(
    sender: type, instance: Problem, action: str, pk_set: set[int] | None, reverse: bool, **kwargs: object
) -> None:
    if action != "post_add" or reverse or not pk_set:
        return
    units = set(pk_set)
    transaction.on_commit(lambda: notify_many(problem_assigned_messages(instance, units)))


@receiver(post_save, sender=ProblemEvent, dispatch_uid="problems.announce_escalation")
def announce_escalation(
    sender: type[ProblemEvent], instance: ProblemEvent, created: bool, **kwargs: object
) -> None:
    if created and instance.action == ProblemAction.ESCALATE:
        transaction.on_commit(lambda: notify_many([problem_escalated_message(instance)]))


@receiver(pre_save, sender=Matter, dispatch_uid="problems.matter_owner_before")
def remember_matter_owner(sender: type[Matter], instance: Matter, **kwargs: object) -> None:
    instance._owner_before = (  # type: ignore[attr-defined]  # a note from pre_save to post_save
        Matter.objects.filter(pk=instance.pk).values_list("owner_unit_id", flat=True).first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=Matter, dispatch_uid="problems.announce_matter")
def announce_matter(sender: type[Matter], instance: Matter, created: bool, **kwargs: object) -> None:
    before = getattr(instance, "_owner_before", None)
    if instance.status == MatterStatus.DONE or (not created and before == instance.owner_unit_id):
        return
    transaction.on_commit(lambda: notify_many([matter_message(instance)]))
