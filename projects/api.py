"""/api/projects/ and /api/procedures/: the project registry and its procedures, within the data scope."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api import LoggedWritesMixin
from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from lib.api import (
    CleanModelSerializer,
    ErrorDetailSerializer,
    ETagMixin,
    ScopedObjectMixin,
    VersionedModelSerializer,
)
from lib.validators import validate_phone
from org.choices import Role
from org.models import Person, Unit
from projects.choices import ProjectStatus
from projects.filtersets import ProcedureFilterSet, ProjectFilterSet
from projects.models import Procedure, Project


class EditableProjectField(serializers.PrimaryKeyRelatedField):
    """A project id the requesting user may change; any other id reads as if it did not exist."""

    default_error_messages = {
        "required": _("请选择项目。"),
        "does_not_exist": _("项目不存在或无权操作。"),
        "incorrect_type": _("项目不存在或无权操作。"),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Project.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.editable_by(self.context["request"].user)


class ProcedureSerializer(CleanModelSerializer):
    project = EditableProjectField()
    project_name = serializers.CharField(source="project.name", read_only=True)
    type_name = serializers.CharField(source="type.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True)
    processing_days = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Procedure
        fields = [
            "id",
            "project",
            "project_name",
            "type",
            "type_name",
            "status",
            "status_display",
            "submitted_on",
            "approved_on",
            "document_number",
            "department",
            "department_name",
            "green_channel",
            "note",
            "processing_days",
            "updated_at",
        ]


# The people a project names by name and phone, with the unit a new one is added to.
PEOPLE = {"responsible_person": "responsible_unit", "owner_contact": "owner_unit"}


@dataclass(frozen=True)
class NamedPerson:
    """责任人 or 联系人 as a request gives them; found or added in the directory only when the write is saved."""

    name: str
    phone: str
    unit: Unit | None


def person_part(source: str, label: Any, max_length: int, *validators: Any) -> serializers.CharField:
    """A person's name or phone as the API reads and writes it (see PEOPLE); blank means nobody."""
    return serializers.CharField(
        source=source,
        label=label,
        max_length=max_length,
        required=False,
        allow_blank=True,
        default="",
        validators=list(validators),
    )


def resolve_people(validated_data: dict[str, Any]) -> dict[str, Any]:
    """The named people as directory entries, inside the write's transaction (a refused write adds nobody)."""
    for key in PEOPLE:
        given = validated_data.get(key)
        if isinstance(given, NamedPerson):
            validated_data[key] = Person.objects.named(given.name, given.phone, given.unit)
    return validated_data


class ProjectSerializer(VersionedModelSerializer[Project]):
    industry_name = serializers.CharField(source="industry.name", read_only=True, allow_null=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    town_name = serializers.CharField(source="town.name", read_only=True, allow_null=True)
    responsible_unit_name = serializers.CharField(read_only=True)
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True, allow_null=True)
    leader_in_charge_name = serializers.CharField(source="leader_in_charge.name", read_only=True, default="")
    chief_officer_name = serializers.CharField(source="chief_officer.name", read_only=True, default="")
    # 责任人 and 联系人 by name and phone, as the forms take them; a write finds or adds the person.
    responsible_person = person_part("responsible_person.name", _("责任人"), 40)
    responsible_phone = person_part("responsible_person.phone", _("责任人电话"), 30, validate_phone)
    owner_contact = person_part("owner_contact.name", _("项目单位联系人"), 40)
    owner_phone = person_part("owner_contact.phone", _("项目单位联系电话"), 30, validate_phone)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    size_bucket = serializers.CharField(read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "industry",
            "industry_name",
            "category",
            "category_name",
            "investment_nature",
            "construction_nature",
            "content",
            "address",
            "town",
            "town_name",
            "latitude",
            "longitude",
            "build_years",
            "start_year",
            "end_year",
            "planned_start_date",
            "planned_completion_date",
            "actual_start_date",
            "actual_completion_date",
            "total_investment",
            "size_bucket",
            "signing_status",
            "demolition_progress",
            "responsible_unit",
            "responsible_unit_name",
            "owner_unit",
            "owner_unit_name",
            "leader_in_charge",
            "leader_in_charge_name",
            "chief_officer",
            "chief_officer_name",
            "responsible_person",
            "responsible_phone",
            "owner_contact",
            "owner_phone",
            "green_channel",
            "is_ppp",
            "has_special_bond",
            "in_statistics",
            "is_public",
            "status",
            "status_display",
            "status_reason",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "status_reason", "created_by", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        people = {key: attrs.pop(key) for key in PEOPLE if key in attrs}
        attrs = super().validate(attrs)
        for key, given in people.items():
            current = getattr(self.instance, key) if self.instance is not None else None
            unit = attrs.get(PEOPLE[key], getattr(self.instance, PEOPLE[key], None))
            attrs[key] = NamedPerson(
                given.get("name", current.name if current else ""),
                given.get("phone", current.phone if current else ""),
                unit,
            )
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Project:
        return super().create(resolve_people(validated_data))

    def update(self, instance: Project, validated_data: dict[str, Any]) -> Project:
        return super().update(instance, resolve_people(validated_data))

    def validate_is_public(self, value: bool) -> bool:
        """信息公开 is the coordinator's office's decision: others keep what it set."""
        if self.context["request"].user.edits_everything:
            return value
        current = self.instance.is_public if self.instance is not None else False
        if value != current:
            raise serializers.ValidationError(_("只有重点办可以设置项目是否公开。"))
        return value

    def validate_responsible_unit(self, unit: Unit) -> Unit:
        """Outside the coordinator's office, a project goes only to one's own unit or one below it."""
        user = self.context["request"].user
        if user.edits_everything:
            return unit
        if self.instance is not None and self.instance.responsible_unit_id == unit.pk:
            return unit
        if user.unit_id is not None and unit.path.startswith(user.unit.path):
            return unit
        raise serializers.ValidationError(_("只能选择本单位或下级单位作为责任单位。"))


class ProjectDetailSerializer(ProjectSerializer):
    procedures = ProcedureSerializer(many=True, read_only=True)

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "procedures"]


class ProjectStatusSerializer(serializers.Serializer):
    """项目状态变更: the new lifecycle status, why, and from when."""

    status = serializers.ChoiceField(label=_("项目状态"), choices=ProjectStatus.choices)
    reason = serializers.CharField(
        label=_("原因"), max_length=200, required=False, allow_blank=True, default=""
    )
    date = serializers.DateField(label=_("生效日期"), required=False, allow_null=True, default=None)


class OperationLogSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.get_full_name", read_only=True, allow_null=True)
    action_display = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = OperationLog
        fields = [
            "id",
            "at",
            "user",
            "user_name",
            "action",
            "action_display",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "note",
        ]
        read_only_fields = fields


class CanCreateProjects(permissions.BasePermission):
    """New projects come from the coordinator's office or a responsible unit (责任单位), not from
    owners, leaders or inspectors."""

    message = _("您无权新增项目。")

    def has_permission(self, request: Request, view: Any) -> bool:
        if view.action != "create":
            return True
        user = request.user  # signed in: IsAuthenticated comes first
        return bool(user.is_authenticated and (user.edits_everything or user.role == Role.UNIT))


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='读取项目时得到的 ETag（如 "3"）。项目若已被他人修改则返回 412，不保存。',
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description='项目的当前版本（如 "3"），修改时放在 If-Match 中带回。',
)
WRITE_RESPONSES = {
    200: ProjectSerializer,
    400: OpenApiResponse(description="数据不符合要求，未保存"),
    409: OpenApiResponse(
        ErrorDetailSerializer, description="请求体中的 version 已不是当前版本（已被他人修改），未保存"
    ),
    412: OpenApiResponse(
        ErrorDetailSerializer, description="If-Match 与当前版本不符（已被他人修改），未保存"
    ),
}


@extend_schema_view(
    retrieve=extend_schema(parameters=[ETAG]),
    update=extend_schema(parameters=[IF_MATCH, ETAG], responses=WRITE_RESPONSES),
    partial_update=extend_schema(parameters=[IF_MATCH, ETAG], responses=WRITE_RESPONSES),
)
class ProjectViewSet(
    ETagMixin,
    ScopedObjectMixin,
    LoggedWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """重点项目: list, read, create and change; a project is ended through its status, never deleted."""

    permission_classes = [permissions.IsAuthenticated, CanCreateProjects]
    filterset_class = ProjectFilterSet
    ordering_fields = ["name", "code", "total_investment", "status", "updated_at"]
    denied_message = _("您无权修改该项目。")

    def get_queryset(self) -> QuerySet[Project]:
        projects = (
            Project.objects.visible_to(self.request.user)
            .with_list_relations()
            .select_related("leader_in_charge", "chief_officer", "responsible_person", "owner_contact")
        )
        if self.action == "retrieve":
            procedures = Procedure.objects.select_related("project", "type", "department")
            projects = projects.prefetch_related(Prefetch("procedures", queryset=procedures))
        return projects

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "retrieve":
            return ProjectDetailSerializer
        if self.action == "change_status":
            return ProjectStatusSerializer
        if self.action == "history":
            return OperationLogSerializer
        return ProjectSerializer

    def log_project(self, instance: Project) -> Project:
        return instance

    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        super().perform_create(serializer, created_by=self.request.user, **fields)

    @extend_schema(request=ProjectStatusSerializer, responses=ProjectSerializer, summary="变更项目状态")
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        serializer = ProjectStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        before = snapshot(project)
        with transaction.atomic():
            project.change_status(data["status"], by=request.user, reason=data["reason"], on=data["date"])
            record(request, "status", project, changes=diff(before, snapshot(project)), project=project)
        return Response(ProjectSerializer(project, context=self.get_serializer_context()).data)

    @extend_schema(responses=OperationLogSerializer(many=True), filters=False, summary="项目操作日志")
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        logs = OperationLog.objects.filter(project=project).select_related("user")
        page = self.paginate_queryset(logs)
        return self.get_paginated_response(OperationLogSerializer(page, many=True).data)


class ProcedureViewSet(ScopedObjectMixin, LoggedWritesMixin, viewsets.ModelViewSet):
    """项目手续: the approval procedures of the projects the user can see."""

    serializer_class = ProcedureSerializer
    filterset_class = ProcedureFilterSet
    ordering_fields = ["submitted_on", "approved_on", "updated_at"]

    def get_queryset(self) -> QuerySet[Procedure]:
        return Procedure.objects.visible_to(self.request.user).select_related("project", "type", "department")

    def log_project(self, instance: Procedure) -> Project:
        return instance.project
