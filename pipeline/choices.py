from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.choices import PlanType


class Readiness(models.TextChoices):
    """前期工作深度: how far a proposed project's preparatory work has got."""

    CONCEPT = "concept", _("概念谋划")
    PROPOSAL = "proposal", _("项目建议书")
    FEASIBILITY = "feasibility", _("可行性研究")
    PRELIMINARY_DESIGN = "preliminary_design", _("初步设计")


class Decision(models.TextChoices):
    """审查结论 of a review round (谋划轮次) on one proposed project."""

    KEEP = "keep", _("保留")
    REVISE = "revise", _("修改完善")
    DROP = "drop", _("剔除")


# A pipeline project enters next year's plan either to start (新开工) or to prepare (预备).
PROMOTION_PLAN_TYPES = [
    (PlanType.NEW_START.value, PlanType.NEW_START.label),
    (PlanType.PRELIMINARY.value, PlanType.PRELIMINARY.label),
]
