"""Every write through the API lands in the operation log (操作日志)."""

from typing import TYPE_CHECKING, Any

from django.db import transaction
from rest_framework import serializers

from audit.changes import Snapshot, diff, record, snapshot
from lib.api import RowT, ViewBase

if TYPE_CHECKING:
    from projects.models import Project


def removed(before: Snapshot) -> dict[str, list[str]]:
    """The changes of a deletion: every filled-in value, to nothing."""
    return {label: [value, ""] for label, value in before.items() if value}


class LoggedWritesMixin(ViewBase[RowT]):
    """Every write lands in the operation log (操作日志) with before and after values."""

    def log_project(self, instance: RowT) -> "Project | None":
        """The project a row belongs to, for the project's history; None for rows outside projects."""
        return None

    @transaction.atomic
    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        instance = serializer.save(**fields)
        record(
            self.request,
            "create",
            instance,
            changes=diff({}, snapshot(instance)),
            project=self.log_project(instance),
        )

    @transaction.atomic
    def perform_update(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        assert serializer.instance is not None  # an update serializer is built on the row it changes
        before = snapshot(serializer.instance)
        instance = serializer.save(**fields)
        record(
            self.request,
            "update",
            instance,
            changes=diff(before, snapshot(instance)),
            project=self.log_project(instance),
        )

    @transaction.atomic
    def perform_destroy(self, instance: RowT) -> None:
        record(
            self.request,
            "delete",
            instance,
            changes=removed(snapshot(instance)),
            project=self.log_project(instance),
        )
        instance.delete()
