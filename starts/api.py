"""/api/start-events/: collective start events (集中开工), their projects, totals and the stalled ones."""

from typing import Any, TypedDict

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api import LoggedWritesMixin
from lib.api import CleanModelSerializer, ReadOnlyOrCoordinator
from lib.jsondata import plain
from lib.params import api_year
from plans.scope import Scope
from projects.choices import ProjectStatus
from projects.models import Project
from starts.figures import collective_start_figures
from starts.filtersets import StartEventFilterSet
from starts.models import StartEvent, StartEventProject


class MoneyOptions(TypedDict):
    max_digits: int
    decimal_places: int
    read_only: bool


MONEY: MoneyOptions = {"max_digits": 18, "decimal_places": 2, "read_only": True}


class StartEventMemberSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    total_investment = serializers.DecimalField(source="project.total_investment", **MONEY)
    annual_investment = serializers.DecimalField(**MONEY)
    actual_start_date = serializers.DateField(
        source="project.actual_start_date", read_only=True, allow_null=True
    )
    construction_state = serializers.CharField(read_only=True)

    class Meta:
        model = StartEventProject
        fields = [
            "id",
            "event",
            "project",
            "project_name",
            "total_investment",
            "annual_investment",
            "actual_start_date",
            "construction_state",
            "note",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class VisibleProjectsField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {"does_not_exist": _("项目不存在或无权操作。")}

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.visible_to(self.context["request"].user).exclude(
            status=ProjectStatus.CANCELLED
        )


class StartEventSerializer(CleanModelSerializer):
    project_ids = VisibleProjectsField(many=True, write_only=True, required=False, label=_("开工项目"))
    project_count = serializers.IntegerField(read_only=True)
    total_investment = serializers.DecimalField(**MONEY)
    annual_investment = serializers.DecimalField(**MONEY)

    class Meta:
        model = StartEvent
        fields = [
            "id",
            "held_on",
            "batch",
            "place",
            "note",
            "year",
            "check_by",
            "project_ids",
            "project_count",
            "total_investment",
            "annual_investment",
        ]
        read_only_fields = ["year", "check_by"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        projects = attrs.pop("project_ids", None)
        attrs = super().validate(attrs)
        if projects is not None:
            attrs["project_ids"] = projects
        return attrs

    def save_projects(self, event: StartEvent, projects: list[Project] | None) -> None:
        if projects is None:
            return
        wanted = {p.pk for p in projects}
        event.members.exclude(project_id__in=wanted).delete()
        have = set(event.members.values_list("project_id", flat=True))
        StartEventProject.objects.bulk_create(
            StartEventProject(event=event, project_id=pk) for pk in wanted - have
        )

    def create(self, validated_data: dict[str, Any]) -> StartEvent:
        projects = validated_data.pop("project_ids", None)
        event = super().create(validated_data)
        self.save_projects(event, projects)
        return event

    def update(self, instance: StartEvent, validated_data: dict[str, Any]) -> StartEvent:
        projects = validated_data.pop("project_ids", None)
        event = super().update(instance, validated_data)
        self.save_projects(event, projects)
        return event


class StartEventViewSet(LoggedWritesMixin, viewsets.ModelViewSet):
    """集中开工活动: events with the number, 概算投资 and 年度计划投资 of their projects the user may see."""

    serializer_class = StartEventSerializer
    permission_classes = [permissions.IsAuthenticated, ReadOnlyOrCoordinator]
    filterset_class = StartEventFilterSet
    ordering_fields = ["held_on", "year"]

    def get_queryset(self) -> QuerySet[StartEvent]:
        user = self.request.user
        return StartEvent.objects.visible_to(user).with_totals(user)

    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        with transaction.atomic():
            super().perform_create(serializer, created_by=self.request.user, **fields)
        # Answer with the totals of the projects just attached.
        assert serializer.instance is not None  # save() set it
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        with transaction.atomic():
            super().perform_update(serializer, **fields)
        assert serializer.instance is not None  # an update serializer is built on the row it changes
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    @extend_schema(
        responses=StartEventMemberSerializer(many=True), filters=False, summary="开工项目及实质性开工情况"
    )
    @action(detail=True, methods=["get"])
    def projects(self, request: Request, pk: str | None = None) -> Response:
        event = self.get_object()
        members = (
            StartEventProject.objects.visible_to(request.user)
            .filter(event=event)
            .with_annual_plan()
            .with_construction_state()
            .select_related("project")
            .order_by("id")
        )
        page = self.paginate_queryset(members)
        return self.get_paginated_response(StartEventMemberSerializer(page, many=True).data)

    @extend_schema(
        responses=StartEventMemberSerializer(many=True), filters=False, summary="未实质性开工的项目"
    )
    @action(detail=False, methods=["get"])
    def stalled(self, request: Request) -> Response:
        members = (
            StartEventProject.objects.visible_to(request.user)
            .stalled()
            .with_annual_plan()
            .with_construction_state()
            .select_related("project")
            .order_by("event__held_on", "id")
        )
        page = self.paginate_queryset(members)
        return self.get_paginated_response(StartEventMemberSerializer(page, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="年度（默认今年）")],
        responses=OpenApiTypes.OBJECT,
        filters=False,
        summary="集中开工年度汇总",
    )
    @action(detail=False, methods=["get"])
    def figures(self, request: Request) -> Response:
        year_value = api_year(request.query_params)
        return Response(plain(collective_start_figures(year_value, Scope(user=request.user))))
