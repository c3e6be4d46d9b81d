from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    RESERVE = "reserve", _("谋划/储备")
    PRELIMINARY = "preliminary", _("前期")
    CONSTRUCTION = "construction", _("在建")
    COMPLETED = "completed", _("竣工")
    OPERATING = "operating", _("投产/运营")
    SUSPENDED = "suspended", _("暂停施工")
    CANCELLED = "cancelled", _("终止")


# Which status may follow which; a suspended project resumes to the stage it left.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    ProjectStatus.RESERVE: frozenset({ProjectStatus.PRELIMINARY, ProjectStatus.CANCELLED}),
    ProjectStatus.PRELIMINARY: frozenset(
        {ProjectStatus.RESERVE, ProjectStatus.CONSTRUCTION, ProjectStatus.SUSPENDED, ProjectStatus.CANCELLED}
    ),
    ProjectStatus.CONSTRUCTION: frozenset(
        {ProjectStatus.COMPLETED, ProjectStatus.SUSPENDED, ProjectStatus.CANCELLED}
    ),
    ProjectStatus.COMPLETED: frozenset({ProjectStatus.OPERATING, ProjectStatus.CONSTRUCTION}),
    ProjectStatus.OPERATING: frozenset(),
    ProjectStatus.SUSPENDED: frozenset(
        {ProjectStatus.PRELIMINARY, ProjectStatus.CONSTRUCTION, ProjectStatus.CANCELLED}
    ),
    ProjectStatus.CANCELLED: frozenset({ProjectStatus.RESERVE}),
}
STATUSES_NEEDING_REASON = frozenset({ProjectStatus.SUSPENDED, ProjectStatus.CANCELLED})


class InvestmentNature(models.TextChoices):
    GOVERNMENT = "government", _("政府投资")
    ENTERPRISE = "enterprise", _("企业投资")


class ConstructionNature(models.TextChoices):
    NEW = "new", _("新建")
    EXPANSION = "expansion", _("扩建")
    RENOVATION = "renovation", _("改建")


class ProcedureStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已办结")
    NOT_NEEDED = "not_needed", _("无需办理")


class SizeBucket(models.TextChoices):
    """Size buckets of total investment (DOMAIN §9); values match lib.numbers.size_bucket."""

    TEN_PLUS = "10y+", _("10亿元及以上")
    FIVE_TEN = "5-10y", _("5–10亿元")
    ONE_FIVE = "1-5y", _("1–5亿元")
    BELOW_ONE = "<1y", _("1亿元以下")


# Bounds in 万元 of each bucket: [low, high).
SIZE_BUCKET_BOUNDS: dict[str, tuple[int | None, int | None]] = {
    SizeBucket.TEN_PLUS: (100_000, None),
    SizeBucket.FIVE_TEN: (50_000, 100_000),
    SizeBucket.ONE_FIVE: (10_000, 50_000),
    SizeBucket.BELOW_ONE: (None, 10_000),
}


def in_size_bucket(bucket: str, field: str) -> Q:
    """The rows whose amount `field` (a lookup path, in 万元) falls in a size bucket."""
    low, high = SIZE_BUCKET_BOUNDS[bucket]
    condition = Q()
    if low is not None:
        condition &= Q(**{f"{field}__gte": low})
    if high is not None:
        condition &= Q(**{f"{field}__lt": high})
    return condition


class ReportFrequency(models.TextChoices):
    MONTHLY = "monthly", _("月报")
    HALF_MONTHLY = "half_monthly", _("半月报")
    TEN_DAILY = "ten_daily", _("旬报")
    WEEKLY = "weekly", _("周报")


# The status groups the seeds report (已完工 / 在建 / 暂停 / 前期), in the order they are written. A group
# is named with the words of the statuses it holds, as the map's legend names them: 竣工/投产 is 竣工
# and 投产/运营 together, 前期/储备 前期 and 谋划/储备.
STATUS_GROUPS = [
    ("completed", _("竣工/投产"), (ProjectStatus.COMPLETED, ProjectStatus.OPERATING)),
    ("construction", _("在建"), (ProjectStatus.CONSTRUCTION,)),
    ("suspended", _("暂停施工"), (ProjectStatus.SUSPENDED,)),
    ("preliminary", _("前期/储备"), (ProjectStatus.PRELIMINARY, ProjectStatus.RESERVE)),
    ("cancelled", _("终止"), (ProjectStatus.CANCELLED,)),
]


class PlanLevel(models.TextChoices):
    """The level of a key-project list (重点项目计划) a project is on."""

    PROVINCE = "province", _("省重点")
    CITY = "city", _("市重点")
    LOCAL = "local", _("区重点")
