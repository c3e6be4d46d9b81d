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
    RESOLVED = "resolved", _("已解决")
    ESCALATED = "escalated", _("已上报")


class ProblemAction(models.TextChoices):
    """The moves a person makes on a problem."""

    START = "start", _("开始办理")
    RESOLVE = "resolve", _("销号")
    ESCALATE = "escalate", _("上报调度会")
    RETURN = "return", _("退回办理")
    REOPEN = "reopen", _("重新打开")


# Each move: the statuses it starts from and the status it leads to. A problem is solved (销号)
# only once someone handles it; an escalated problem goes back to handling or is settled (by hand
# or by a meeting's decided matter); a solved problem can be reopened, with a reason.
PROBLEM_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    ProblemAction.START: (frozenset({ProblemStatus.OPEN}), ProblemStatus.IN_PROGRESS),
    ProblemAction.RESOLVE: (
        frozenset({ProblemStatus.IN_PROGRESS, ProblemStatus.ESCALATED}),
        ProblemStatus.RESOLVED,
    ),
    ProblemAction.ESCALATE: (
        frozenset({ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS}),
        ProblemStatus.ESCALATED,
    ),
    ProblemAction.RETURN: (frozenset({ProblemStatus.ESCALATED}), ProblemStatus.IN_PROGRESS),
    ProblemAction.REOPEN: (frozenset({ProblemStatus.RESOLVED}), ProblemStatus.IN_PROGRESS),
}
# Moves that need a written note: the resolution, what the meeting should settle, why.
ACTIONS_NEEDING_NOTE = frozenset(
    {ProblemAction.RESOLVE, ProblemAction.ESCALATE, ProblemAction.RETURN, ProblemAction.REOPEN}
)
UNSOLVED = (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS, ProblemStatus.ESCALATED)


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
