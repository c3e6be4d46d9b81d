"""审批效能's summary: the procedures done, counted and their processing days added up by month of
approval, type, approving department, investment nature and green channel, per responsible unit
and owner unit, per responsible unit and over all of them; and the same by day of approval, with
the procedures in progress by day of submission, per responsible unit and over all of them
(approvals.cells)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# What a cell's procedures have in common, and the cell's key: that, and whose they are.
GROUPED_BY = ["year", "month", "type_id", "department_id", "nature", "green_channel"]
KEY = [*GROUPED_BY, "per_owner", "unit_id", "owner_unit_id"]


class ApprovalCell(models.Model):
    """审批汇总单元: the procedures approved in one month of one type, department, investment nature
    and channel, and their processing days (批复日期 − 申报日期) added up, of one responsible unit and
    owner unit or of all. Kept by the database's triggers on every write to the procedures and to
    their projects' investment nature and units."""

    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    # Plain ids: a cell must never stand in the way of deleting a type or a unit.
    type_id = models.BigIntegerField(_("手续类型"))
    # 0 for the procedures without an approving department.
    department_id = models.BigIntegerField(_("审批部门"))
    nature = models.CharField(_("投资性质"), max_length=20)
    green_channel = models.BooleanField(_("绿色通道"))
    # Kept per responsible unit and owner unit of the projects (0 for none); or added up over the
    # owners of a responsible unit (not per_owner, owner 0; none for the projects without one); or
    # added up over every unit (not per_owner, both 0).
    per_owner = models.BooleanField(_("按单位"), default=False)
    unit_id = models.BigIntegerField(_("责任单位"), default=0)
    owner_unit_id = models.BigIntegerField(_("项目单位"), default=0)
    count = models.IntegerField(_("办结件数"), default=0)
    days = models.BigIntegerField(_("办理用时合计（天）"), default=0)

    class Meta:
        verbose_name = _("审批汇总单元")
        verbose_name_plural = _("审批汇总单元")
        constraints = [
            models.UniqueConstraint(fields=KEY, name="approval_cell_key"),
        ]
        # A unit's or an owner's cells (a scope narrowed to a unit's subtree, or to a user's).
        indexes = [
            # Of the cells of units alone (the totals over every unit are found through their own
            # index below, and SQLite would take this one for them otherwise).
            models.Index(
                fields=["unit_id", "year", "month"],
                condition=models.Q(unit_id__gt=0),
                name="approval_cell_by_unit",
            ),
            models.Index(fields=["owner_unit_id", "year", "month", "unit_id"], name="approval_cell_by_owner"),
            # The months of a year added up over every unit, a thousandth of the cells: an index
            # of them alone, which a condition on the other cells cannot take, holding all that is
            # asked of them (the key's index would be read, with each cell's row, otherwise).
            models.Index(
                fields=[*GROUPED_BY, "count", "days"],
                condition=models.Q(per_owner=False, unit_id=0),
                name="approval_cell_totals",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} type {self.type_id}"


# A day cell's key: whose procedures (as the month cells' kinds), in which state, on which day
# (yyyymmdd), and what they have in common.
DAY_KEY = [
    "per_owner",
    "unit_id",
    "owner_unit_id",
    "status",
    "on",
    "type_id",
    "department_id",
    "nature",
    "green_channel",
]


class ApprovalDayCell(models.Model):
    """审批日汇总单元: the procedures done on one day, of one type, department, investment nature
    and channel, with their processing days added up; or those in progress since one day of
    submission, of one type. Kept, as `ApprovalCell`, per responsible unit and owner unit, per
    responsible unit and over every unit, by the same triggers. The figures of a month begun (its
    days up to today, and the same days of last year) and the procedures in progress past their
    time limit are added up from them."""

    per_owner = models.BooleanField(_("按单位"), default=False)
    unit_id = models.BigIntegerField(_("责任单位"), default=0)
    owner_unit_id = models.BigIntegerField(_("项目单位"), default=0)
    # projects.choices.ProcedureStatus: done (办结) or in progress (在办).
    status = models.CharField(_("办理状态"), max_length=20)
    # The day of approval (done) or of submission (in progress) as yyyymmdd; 0 for none.
    on = models.IntegerField(_("日期"))
    type_id = models.BigIntegerField(_("手续类型"))
    # In progress: 0, "" and false, a procedure in progress being counted by its type alone.
    department_id = models.BigIntegerField(_("审批部门"), default=0)
    nature = models.CharField(_("投资性质"), max_length=20, blank=True)
    green_channel = models.BooleanField(_("绿色通道"), default=False)
    count = models.IntegerField(_("件数"), default=0)
    days = models.BigIntegerField(_("办理用时合计（天）"), default=0)

    class Meta:
        verbose_name = _("审批日汇总单元")
        verbose_name_plural = _("审批日汇总单元")
        # The key's index finds the days of a state over every unit, and of a unit's subtree.
        constraints = [models.UniqueConstraint(fields=DAY_KEY, name="approval_day_cell_key")]
        # An owner's days of a state.
        indexes = [
            models.Index(
                fields=["owner_unit_id", "status", "on", "unit_id"],
                condition=models.Q(per_owner=True),
                name="approval_day_cell_by_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.status} type {self.type_id}"
