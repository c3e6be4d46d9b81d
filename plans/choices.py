from django.db import models
from django.utils.translation import gettext_lazy as _

# The level of a key-project list is also what a project is (区重点 / 市重点 / 省重点): defined with the
# project's choices, named here with the plans'.
from projects.choices import PlanLevel as PlanLevel


class PlanType(models.TextChoices):
    NEW_START = "new_start", _("新开工")
    CONTINUING = "continuing", _("续建")
    COMPLETING = "completing", _("竣工")
    PRELIMINARY = "preliminary", _("预备")


class PlanKind(models.TextChoices):
    INITIAL = "initial", _("计划方案")
    ADJUSTMENT = "adjustment", _("调整方案")
