"""/api/funding-records/, /api/element-needs/ and /api/element-types/: funding and element guarantee
(要素保障) of the projects the user can see."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api import LoggedWritesMixin
from catalog.api import DICTIONARY_FIELDS, DictionaryViewSet
from elements.figures import element_figures, funding_figures
from elements.filtersets import ElementNeedFilterSet, FundingRecordFilterSet
from elements.models import ElementNeed, ElementType, FundingRecord
from elements.querysets import bond_thresholds
from lib.api import CleanModelSerializer, ScopedObjectMixin
from lib.jsondata import plain
from lib.params import api_year
from plans.scope import Scope
from projects.api import EditableProjectField
from projects.models import Project

YEAR_PARAMETER = OpenApiParameter("year", OpenApiTypes.INT, description="年度（默认今年）")


def requested_year(request: Request) -> int:
    return api_year(request.query_params)


class FundingRecordSerializer(CleanModelSerializer):
    project = EditableProjectField()
    project_name = serializers.CharField(source="project.name", read_only=True)
    source_name = serializers.CharField(source="source.name", read_only=True)
    pace = serializers.SerializerMethodField()

    class Meta:
        model = FundingRecord
        fields = [
            "id",
            "project",
            "project_name",
            "source",
            "source_name",
            "year",
            "planned",
            "approved",
            "arrived",
            "spent",
            "document_number",
            "approved_on",
            "arrived_on",
            "issue_batch",
            "issued_on",
            "note",
            "pace",
            "updated_at",
        ]

    def get_pace(self, record: FundingRecord) -> dict[str, Any] | None:
        """专项债支出进度 (expected, actual, points behind, level) for issued special bonds."""
        if "bond_thresholds" not in self.context:
            self.context["bond_thresholds"] = bond_thresholds()
        pace = record.pace(thresholds=self.context["bond_thresholds"])
        return None if pace is None else plain(pace.__dict__)


class CanEditOwnProjects(permissions.BasePermission):
    message = _("您无权修改。")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user  # signed in: IsAuthenticated comes first
        return bool(user.is_authenticated and (user.edits_everything or user.edits_own))


class FundingRecordViewSet(ScopedObjectMixin, LoggedWritesMixin, viewsets.ModelViewSet):
    """资金记录: each source's planned, approved, arrived and spent money for a project and year."""

    serializer_class = FundingRecordSerializer
    permission_classes = [permissions.IsAuthenticated, CanEditOwnProjects]
    filterset_class = FundingRecordFilterSet
    ordering_fields = ["year", "approved", "arrived", "spent", "issued_on", "updated_at"]
    denied_message = _("您无权修改该资金记录。")

    def get_queryset(self) -> QuerySet[FundingRecord]:
        return FundingRecord.objects.visible_to(self.request.user).select_related("project", "source")

    def log_project(self, instance: FundingRecord) -> Project:
        return instance.project

    @extend_schema(
        parameters=[YEAR_PARAMETER], responses=OpenApiTypes.OBJECT, filters=False, summary="资金保障汇总"
    )
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        return Response(plain(funding_figures(requested_year(request), Scope(user=request.user))))


class ElementNeedSerializer(CleanModelSerializer):
    project = EditableProjectField()
    project_name = serializers.CharField(source="project.name", read_only=True)
    type_name = serializers.CharField(source="type.name", read_only=True)
    measure_unit = serializers.CharField(source="type.measure_unit", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ElementNeed
        fields = [
            "id",
            "project",
            "project_name",
            "type",
            "type_name",
            "measure_unit",
            "needed",
            "secured",
            "cultivated_needed",
            "cultivated_secured",
            "indicator_source",
            "status",
            "status_display",
            "department",
            "department_name",
            "needed_by",
            "note",
            "updated_at",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            # The supplying department, without rights on the project, reports only its progress.
            user = self.context["request"].user
            if not Project.objects.editable_by(user).filter(pk=self.instance.project_id).exists():
                for name in ("project", "type", "needed", "cultivated_needed", "department", "needed_by"):
                    fields[name].read_only = True
        return fields


class ElementNeedViewSet(ScopedObjectMixin, LoggedWritesMixin, viewsets.ModelViewSet):
    """要素需求: seen and updated by the project's units and by the department that must supply them."""

    serializer_class = ElementNeedSerializer
    permission_classes = [permissions.IsAuthenticated, CanEditOwnProjects]
    filterset_class = ElementNeedFilterSet
    ordering_fields = ["needed_by", "status", "updated_at"]
    denied_message = _("您无权修改该要素需求。")

    def get_queryset(self) -> QuerySet[ElementNeed]:
        return ElementNeed.objects.visible_to(self.request.user).select_related(
            "project", "type", "department"
        )

    def log_project(self, instance: ElementNeed) -> Project:
        return instance.project

    def perform_destroy(self, instance: ElementNeed) -> None:
        if not Project.objects.editable_by(self.request.user).filter(pk=instance.project_id).exists():
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied(_("保障部门不能删除项目的要素需求。"))
        super().perform_destroy(instance)

    @extend_schema(responses=OpenApiTypes.OBJECT, filters=False, summary="要素保障汇总")
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        return Response(plain(element_figures(requested_year(request), Scope(user=request.user))))


class ElementTypeSerializer(CleanModelSerializer):
    class Meta:
        model = ElementType
        fields = [*DICTIONARY_FIELDS, "measure_unit", "tracks_cultivated", "department"]


class ElementTypeViewSet(DictionaryViewSet):
    """要素类型."""

    serializer_class = ElementTypeSerializer
