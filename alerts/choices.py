from django.db import models
from django.utils.translation import gettext_lazy as _


class Colour(models.TextChoices):
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


# Red is worse than yellow: an open warning only ever moves up this scale. Keyed by the stored
# value, which is what findings and rows from values_list() carry.
COLOUR_RANK: dict[str, int] = {Colour.YELLOW: 1, Colour.RED: 2}


class AlertState(models.TextChoices):
    OPEN = "open", _("预警中")
    CLOSED = "closed", _("已销号")


class EventKind(models.TextChoices):
    OPENED = "opened", _("亮灯")
    ESCALATED = "escalated", _("升级为红灯")
    CLOSED_AUTO = "closed_auto", _("自动销号")
    CLOSED_MANUAL = "closed_manual", _("人工销号")
