from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanLevel(models.TextChoices):
    PROVINCE = "province", _("省重点")
    CITY = "city", _("市重点")
    LOCAL = "local", _("区重点")


class PlanType(models.TextChoices):
    NEW_START = "new_start", _("新开工")
    CONTINUING = "continuing", _("续建")
    COMPLETING = "completing", _("竣工")
    PRELIMINARY = "preliminary", _("预备")


class PlanKind(models.TextChoices):
    INITIAL = "initial", _("计划方案")
    ADJUSTMENT = "adjustment", _("调整方案")
