"""审批效能's summary: the procedures done, counted and their processing days added up by month of
approval, type, approving department, investment nature and green channel, per responsible unit
and owner unit and over all of them (approvals.cells)."""

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
    # Kept per responsible unit and owner unit of the projects (0 for none), or added up over them
    # (both 0).
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
            models.Index(fields=["unit_id", "year", "month"], name="approval_cell_by_unit"),
            models.Index(fields=["owner_unit_id", "year", "month"], name="approval_cell_by_owner"),
            # The months of a year added up over the units, a hundredth of the cells: an index of
            # them alone, which a condition on the per-owner cells cannot take, holding all that
            # is asked of them (the key's index would be read, with each cell's row, otherwise).
            models.Index(
                fields=[*GROUPED_BY, "count", "days"],
                condition=models.Q(per_owner=False),
                name="approval_cell_totals",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} type {self.type_id}"
