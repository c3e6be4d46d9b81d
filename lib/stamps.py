"""创建人、创建时间、更新时间: the stamp of who made a record and when it was made and last changed."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Timestamped(models.Model):
    """创建时间/更新时间, for records whose maker is named elsewhere or not at all."""

    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class Stamped(Timestamped):
    """创建人/创建时间/更新时间, set by the application and never edited in a form."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True
