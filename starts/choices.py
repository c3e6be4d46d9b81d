from django.db import models
from django.utils.translation import gettext_lazy as _


class ConstructionState(models.TextChoices):
    """实质性开工 state of a project started at a collective start event."""

    STARTED = "started", _("已实质性开工")
    PENDING = "pending", _("核查期内")
    STALLED = "stalled", _("未实质性开工")
