"""Recording changes: snapshots of model fields as people read them, diffs and log entries."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest

from audit.models import OperationLog

if TYPE_CHECKING:
    from projects.models import Project

Snapshot = dict[str, str]


def client_ip(request: HttpRequest | None) -> str | None:
    """The address a request came from (REMOTE_ADDR; a reverse proxy must set it)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def display_value(instance: models.Model, field: models.Field) -> str:
    """A field's value as a person reads it: labels for choices, names for foreign keys."""
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    value: Any = getattr(instance, field.name)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def snapshot(instance: models.Model, fields: list[str] | None = None) -> Snapshot:
    """{verbose name: display value} of the editable concrete fields of an instance."""
    result: Snapshot = {}
    for field in instance._meta.concrete_fields:
        if not field.editable or field.primary_key or field.name in ("updated_at", "created_at", "version"):
            continue
        if fields is not None and field.name not in fields:
            continue
        result[str(field.verbose_name)] = display_value(instance, field)
    return result


def diff(before: Snapshot, after: Snapshot) -> dict[str, list[str]]:
    """{label: [before, after]} for the labels whose value changed."""
    return {
        label: [before.get(label, ""), value]
        for label, value in after.items()
        if before.get(label, "") != value
    }


def record(
    request: HttpRequest | None,
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict[str, list[str]] | None = None,
    project: "Project | None" = None,
    object_type: str = "",
    note: str = "",
) -> OperationLog:
    """Write one operation-log entry for the user and address of `request`."""
    user = getattr(request, "user", None)
    return OperationLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        ip_address=client_ip(request),
        action=action,
        object_type=object_type or (str(obj._meta.verbose_name) if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        project=project,
        changes=changes or {},
        note=note[:300],
    )
