from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.choices import ReportFrequency as Frequency

# The most reporting periods a month has at each frequency: a week belongs to the month of its
# Thursday (as an ISO week to the year of its Thursday), so a month has four or five weeks
# (progress.periods.parts_in_month gives a given month's).
PARTS_PER_MONTH = {
    Frequency.MONTHLY: 1,
    Frequency.HALF_MONTHLY: 2,
    Frequency.TEN_DAILY: 3,
    Frequency.WEEKLY: 5,
}


class ReportState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已审核")


class BoardState(models.TextChoices):
    """报送状态 of a project for a period, as the reporting board shows it."""

    NOT_STARTED = "not_started", _("未填报")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已审核")
    LATE = "late", _("迟报")
    MISSING = "missing", _("漏报")


class RevisionKind(models.TextChoices):
    SUBMIT = "submit", _("报送")
    RETURN = "return", _("退回")
    ACCEPT = "accept", _("审核通过")
    CORRECT = "correct", _("审核后更正")
    IMPORT = "import", _("表格导入")
