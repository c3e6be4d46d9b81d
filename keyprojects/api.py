"""API-wide pieces: error handling, pagination, permissions and the base of every serializer and viewset."""

import copy
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.validators import UniqueValidator
from rest_framework.views import exception_handler as drf_exception_handler

from audit.changes import Snapshot, diff, record, snapshot


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Model ValidationError and IntegrityError become 400 with messages, never a 500."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, IntegrityError):
        exc = exceptions.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: [_("数据与已有记录冲突（重复或被引用），未保存。")]}
        )
    return drf_exception_handler(exc, context)


class Pagination(PageNumberPagination):
    """Pages of 50 by default; `?page_size=` up to 500 for clients that fetch whole lists."""

    page_size_query_param = "page_size"
    max_page_size = 500


class ReadOnlyOrCoordinator(permissions.BasePermission):
    """Reading for every signed-in user; writing for 重点办 (coordinator) and administrators."""

    message = _("只有重点办（统筹协调）或系统管理员可以修改。")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user.edits_everything)


class ReadOnlyOrAdmin(permissions.BasePermission):
    """Reading for every signed-in user; writing for system administrators only."""

    message = _("只有系统管理员可以修改。")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user.is_admin)


class CleanModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that runs the model's full_clean, so the API enforces what the forms enforce.

    Every model error comes back under the field it concerns; a unique constraint is reported
    under its last writable field (the "project" of a (plan, project) pair), not as a 500.
    """

    def get_validators(self) -> list[Any]:
        # Uniqueness is checked by clean_instance() with the model's own messages.
        return []

    def build_standard_field(self, field_name: str, model_field: models.Field) -> tuple[Any, dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        kwargs["validators"] = [
            validator
            for validator in kwargs.get("validators", [])
            if not isinstance(validator, UniqueValidator)
        ]
        return field_class, kwargs

    def build_relational_field(self, field_name: str, relation_info: Any) -> tuple[Any, dict[str, Any]]:
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        # Wrong ids in Chinese, the same whether the row is missing or out of reach.
        kwargs["error_messages"] = {"does_not_exist": _("所选对象不存在或无权使用。")}
        return field_class, kwargs

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        instance = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        for name, value in attrs.items():
            setattr(instance, name, value)
        self.clean_instance(instance)
        # clean() may normalise values (trimmed codes, upper-case credit codes): keep what it made.
        return {name: getattr(instance, name) for name in attrs}

    def clean_instance(self, instance: models.Model) -> None:
        errors: dict[str, list[str]] = {}
        try:
            instance.full_clean(validate_constraints=False)
        except DjangoValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        for model_class, constraints in instance.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, instance, exclude=set(errors))
                except DjangoValidationError as exc:
                    errors.setdefault(self.constraint_field(constraint), []).extend(exc.messages)
        if errors:
            if NON_FIELD_ERRORS in errors:
                errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(errors)

    def constraint_field(self, constraint: models.BaseConstraint) -> str:
        writable = [
            name
            for name in getattr(constraint, "fields", ())
            if name in self.fields and not self.fields[name].read_only
        ]
        return writable[-1] if writable else NON_FIELD_ERRORS


def removed(before: Snapshot) -> dict[str, list[str]]:
    """The changes of a deletion: every filled-in value, to nothing."""
    return {label: [value, ""] for label, value in before.items() if value}


class LoggedWritesMixin:
    """Every write lands in the operation log (操作日志) with before and after values."""

    request: Request

    def log_project(self, instance: models.Model) -> models.Model | None:
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
    def perform_destroy(self, instance: models.Model) -> None:
        record(
            self.request,
            "delete",
            instance,
            changes=removed(snapshot(instance)),
            project=self.log_project(instance),
        )
        instance.delete()


class ScopedObjectMixin:
    """Rows reached through the data scope: get_queryset() uses visible_to(user), so an unseen row
    is a 404; a write on a row the user sees but may not change (editable_by) is a 403."""

    denied_message = _("您无权修改该数据。")

    def check_object_permissions(self, request: Request, obj: models.Model) -> None:
        super().check_object_permissions(request, obj)  # type: ignore[misc]
        if request.method in permissions.SAFE_METHODS:
            return
        if not type(obj).objects.editable_by(request.user).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
            raise exceptions.PermissionDenied(self.denied_message)
