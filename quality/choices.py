from django.db import models
from django.utils.translation import gettext_lazy as _


class FlagKind(models.TextChoices):
    """What a data-quality flag says is wrong with a project's report of a month."""

    SPIKE = "spike", _("本月投资异常偏高")
    DUPLICATE = "duplicate", _("与其他项目数据雷同")
    PERCENT_DOWN = "percent_down", _("形象进度倒退")
    TEXT_FROZEN = "text_frozen", _("形象进度连续未更新")
    OVER_TOTAL = "over_total", _("累计超总投资")
    PHOTO_REUSED = "photo_reused", _("照片重复使用")
    PHOTO_DATE = "photo_date", _("照片拍摄时间不在本期")
    PHOTO_PLACE = "photo_place", _("照片拍摄地点偏离项目")


class FlagState(models.TextChoices):
    OPEN = "open", _("待核实")
    DISMISSED = "dismissed", _("已排除")
    FIXED = "fixed", _("已纠正")
