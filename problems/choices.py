from django.db import models
from django.utils.translation import gettext_lazy as _


class ProblemCategory(models.TextChoices):
    """问题类别 (DOMAIN §6)."""

    LAND = "land", _("用地")
    FUNDING = "funding", _("资金")
    DEMOLITION = "demolition", _("拆迁")
    APPROVAL = "approval", _("审批手续")
    PLANNING = "planning", _("规划")
    ENVIRONMENT = "environment", _("环保")
    SITE = "site", _("施工条件")
    OTHER = "other", _("其他")


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("待办")
    IN_PROGRESS = "in_progress", _("办理中")
    PENDING_CONFIRMATION = "pending_confirmation", _("待确认销号")
    RESOLVED = "resolved", _("已解决")
    ESCALATED = "escalated", _("已上报")


class ProblemAction(models.TextChoices):
    """The moves a person makes on a problem."""

    START = "start", _("开始办理")
    RESOLVE = "resolve", _("销号")
    CONFIRM = "confirm", _("确认销号")
    REJECT = "reject", _("退回销号")
    ESCALATE = "escalate", _("上报调度会")
    RETURN = "return", _("退回办理")
    REOPEN = "reopen", _("重新打开")


# Each move: the statuses it starts from and the status it leads to. A problem is solved (销号)
# only once someone handles it; an escalated problem goes back to handling or is settled (by hand
# or by a meeting's decided matter); a solved problem can be reopened, with a reason. A 销号 that
# needs the coordinator's confirmation (settings.PROBLEM_RESOLVE_NEEDS_CONFIRMATION) waits in
# 待确认销号 instead, until the office confirms it or sends it back to where it was.
PROBLEM_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    ProblemAction.START: (frozenset({ProblemStatus.OPEN}), ProblemStatus.IN_PROGRESS),
    ProblemAction.RESOLVE: (
        frozenset({ProblemStatus.IN_PROGRESS, ProblemStatus.ESCALATED}),
        ProblemStatus.RESOLVED,
    ),
    ProblemAction.CONFIRM: (frozenset({ProblemStatus.PENDING_CONFIRMATION}), ProblemStatus.RESOLVED),
    ProblemAction.REJECT: (frozenset({ProblemStatus.PENDING_CONFIRMATION}), ProblemStatus.IN_PROGRESS),
    ProblemAction.ESCALATE: (
        frozenset({ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS}),
        ProblemStatus.ESCALATED,
    ),
    ProblemAction.RETURN: (frozenset({ProblemStatus.ESCALATED}), ProblemStatus.IN_PROGRESS),
    ProblemAction.REOPEN: (frozenset({ProblemStatus.RESOLVED}), ProblemStatus.IN_PROGRESS),
}
# Moves that need a written note: the resolution, what the meeting should settle, why.
ACTIONS_NEEDING_NOTE = frozenset(
    {
        ProblemAction.RESOLVE,
        ProblemAction.REJECT,
        ProblemAction.ESCALATE,
        ProblemAction.RETURN,
        ProblemAction.REOPEN,
    }
)
# Moves only the coordinator's office makes: reopening a solved problem, judging a unit's 销号.
OFFICE_ACTIONS = frozenset({ProblemAction.CONFIRM, ProblemAction.REJECT, ProblemAction.REOPEN})
# Not solved: a 销号 awaiting the office's confirmation is not one yet.
UNSOLVED = (
    ProblemStatus.OPEN,
    ProblemStatus.IN_PROGRESS,
    ProblemStatus.ESCALATED,
    ProblemStatus.PENDING_CONFIRMATION,
)


class ResolveConfirmation(models.TextChoices):
    """Which 销号 of a responsible unit wait for the coordinator's confirmation (PROBLEM_RESOLVE_NEEDS_CONFIRMATION)."""

    ESCALATED = "escalated", _("上报过调度会的问题")
    ALL = "all", _("所有问题")
    NONE = "none", _("不需确认")


class MeetingKind(models.TextChoices):
    WEEKLY = "weekly", _("周调度会")
    JOINT = "joint", _("联席会议")
    ELEMENTS = "elements", _("要素保障会议")
    STANDING = "standing", _("政府常务会议")
    OTHER = "other", _("其他会议")


class MatterStatus(models.TextChoices):
    OPEN = "open", _("待办")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已完成")


class MatterAction(models.TextChoices):
    START = "start", _("开始办理")
    COMPLETE = "complete", _("办结")
    REOPEN = "reopen", _("重新打开")


MATTER_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    MatterAction.START: (frozenset({MatterStatus.OPEN}), MatterStatus.IN_PROGRESS),
    MatterAction.COMPLETE: (frozenset({MatterStatus.OPEN, MatterStatus.IN_PROGRESS}), MatterStatus.DONE),
    MatterAction.REOPEN: (frozenset({MatterStatus.DONE}), MatterStatus.IN_PROGRESS),
}
