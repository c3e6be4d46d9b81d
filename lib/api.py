"""API-wide pieces: error handling, pagination, permissions, versioned writes (ETag / If-Match) and the
base of every serializer and viewset. The operation-log mixin every writable viewset adds is
audit.api.LoggedWritesMixin."""

import copy
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.validators import UniqueValidator
from rest_framework.views import exception_handler as drf_exception_handler

from lib.versioning import VersionConflict, VersionedModel

if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

RowT = TypeVar("RowT", bound=models.Model)
VersionedT = TypeVar("VersionedT", bound=VersionedModel)

if TYPE_CHECKING:
    # The mixins below are mixed into viewsets: checked as such, they see the view's request and methods.
    ViewBase = GenericAPIView
else:

    class ViewBase(Generic[RowT]):
        pass


class VersionChanged(exceptions.APIException):
    """409: the `version` sent in the body is no longer the row's; nothing was saved."""

    status_code = 409
    default_detail = _("该数据在您读取后已被他人修改，本次未保存。请重新读取后再修改。")
    default_code = "version_conflict"


class PreconditionFailed(exceptions.APIException):
    """412: the If-Match sent is no longer the row's ETag; nothing was saved."""

    status_code = 412
    default_detail = _(
        "该数据在您读取后已被他人修改（If-Match 与当前版本不符），本次未保存。请重新读取后再修改。"
    )
    default_code = "precondition_failed"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Model ValidationError and IntegrityError become 400 with messages, never a 500; a write
    refused by optimistic locking is a 409."""
    if isinstance(exc, VersionConflict):
        exc = VersionChanged(exc.messages[0])
    elif isinstance(exc, DjangoValidationError):
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
        # IsAuthenticated comes before this in every permission_classes: the user is the project's User.
        return bool(getattr(request.user, "edits_everything", False))


class ReadOnlyOrAdmin(permissions.BasePermission):
    """Reading for every signed-in user; writing for system administrators only."""

    message = _("只有系统管理员可以修改。")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        # IsAuthenticated comes before this in every permission_classes: the user is the project's User.
        return bool(getattr(request.user, "is_admin", False))


class CleanModelSerializer(serializers.ModelSerializer[RowT]):
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
        model: type[models.Model] = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
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
                    constraint.validate(  # type: ignore[attr-defined]  # in Django since 4.1, not in the stubs
                        model_class, instance, exclude=set(errors)
                    )
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


class ErrorDetailSerializer(serializers.Serializer):
    """The body of a refused request: one message for people."""

    detail = serializers.CharField(label=_("说明"))


def etag(version: int) -> str:
    """The ETag of a row at `version`: the number in quotes, what If-Match sends back."""
    return f'"{version}"'


def if_match_version(request: Request) -> int | None:
    """The version an If-Match header names; None without one (or with "*", any version)."""
    value = request.headers.get("If-Match", "").strip()
    if not value or value == "*":
        return None
    tag = value.split(",")[0].strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        # A tag this API never gave out matches no version of the row (RFC 9110, 13.1.1).
        raise PreconditionFailed()
    return int(tag)


class VersionedModelSerializer(CleanModelSerializer[VersionedT]):
    """The serializer of a VersionedModel: `version` shows the row's version, and a write that sends
    it back (in the body, or as If-Match) is saved only if the row is still at that version.

    A write without either still works for clients that read just before writing; its fields and
    the version increment are one statement all the same.
    """

    version = serializers.IntegerField(
        label=_("版本"),
        required=False,
        min_value=1,
        help_text=_(
            "读取时得到的版本号。写入时带上，若数据已被他人修改则返回 409，不保存；也可用 If-Match 请求头。"
        ),
    )

    def create(self, validated_data: dict[str, Any]) -> VersionedT:
        validated_data.pop("version", None)  # a new row starts at version 1
        return super().create(validated_data)

    def update(self, instance: VersionedT, validated_data: dict[str, Any]) -> VersionedT:
        in_body = validated_data.pop("version", None)
        in_header = if_match_version(self.context["request"])
        if in_body is not None and in_header is not None and in_body != in_header:
            raise serializers.ValidationError({"version": [_("请求体中的版本号与 If-Match 请求头不一致。")]})
        for name, value in validated_data.items():
            setattr(instance, name, value)
        try:
            instance.save_at_version(in_header if in_header is not None else in_body, validated_data)
        except VersionConflict as conflict:
            refused = PreconditionFailed if in_header is not None else VersionChanged
            raise refused() from conflict
        return instance


class ETagMixin:
    """Reading or changing one versioned row answers with an ETag of its version, for If-Match."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)  # type: ignore[misc]  # mixed into a ModelViewSet, whose retrieve() this extends
        response["ETag"] = etag(response.data["version"])
        return response

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().update(request, *args, **kwargs)  # type: ignore[misc]  # mixed into a ModelViewSet, whose update() this extends
        response["ETag"] = etag(response.data["version"])
        return response


class EditableRows(Protocol):
    """The manager of a scoped model: which rows a user may change (projects.querysets.ScopedQuerySet)."""

    def editable_by(self, user: Any) -> "models.QuerySet[Any]": ...


class ScopedObjectMixin(ViewBase[RowT]):
    """Rows reached through the data scope: get_queryset() uses visible_to(user), so an unseen row
    is a 404; a write on a row the user sees but may not change (editable_by) is a 403."""

    denied_message = _("您无权修改该数据。")

    def check_object_permissions(self, request: Request, obj: models.Model) -> None:
        super().check_object_permissions(request, obj)
        if request.method in permissions.SAFE_METHODS:
            return
        # The scoped models' managers all have editable_by; the stubs type a manager without the
        # methods it takes from its queryset.
        manager = cast(EditableRows, type(obj)._default_manager)
        if not manager.editable_by(request.user).filter(pk=obj.pk).exists():
            raise exceptions.PermissionDenied(self.denied_message)
