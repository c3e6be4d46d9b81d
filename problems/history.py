"""The operation-log entries (操作日志) of one object, for its detail page's history."""

from django.db import models
from django.db.models import QuerySet

from audit.models import OperationLog


def history_of(obj: models.Model) -> QuerySet[OperationLog]:
    """Every logged write on `obj`, newest first (entries are keyed by verbose name and id)."""
    return OperationLog.objects.filter(
        object_type=str(obj._meta.verbose_name), object_id=str(obj.pk)
    ).select_related("user")
