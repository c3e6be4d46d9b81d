"""/api/plans/ and /api/plan-entries/: annual plans (年度计划) and the projects on them."""

from typing import Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api import LoggedWritesMixin
from audit.changes import diff, record, snapshot
from lib.api import CleanModelSerializer, ReadOnlyOrCoordinator, ScopedObjectMixin
from plans.filtersets import PlanEntryFilterSet, PlanFilterSet
from plans.models import Plan, PlanEntry
from projects.api import EditableProjectField
from projects.models import Project

NOT_LATEST = _("只能修改最新版本的计划（含编制中的调整方案）；如需变更，请先生成调整方案。")


class PlanSerializer(CleanModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    created_by_name = serializers.CharField(
        source="created_by.get_full_name", read_only=True, allow_null=True
    )
    is_latest = serializers.SerializerMethodField()
    is_draft = serializers.BooleanField(
        read_only=True, help_text=_("调整方案尚未下达（未填写下达日期），统计仍按上一版本执行")
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "year",
            "level",
            "level_display",
            "version",
            "kind",
            "kind_display",
            "is_latest",
            "is_draft",
            "title",
            "document_number",
            "issued_on",
            "note",
            "created_by",
            "created_by_name",
            "created_at",
        ]
        read_only_fields = ["version", "kind", "created_by", "created_at"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if self.instance is not None:
            # A plan's year and level identify its chain of versions; they are set once.
            fields["year"].read_only = True
            fields["level"].read_only = True
        return fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_latest(self, plan: Plan) -> bool:
        latest = getattr(plan, "latest_version", None)
        return plan.version == latest if latest is not None else plan.is_latest


class PlanAdjustSerializer(serializers.Serializer):
    """调整方案: the title and note of the new version (a title is made up when left empty)."""

    title = serializers.CharField(
        label=_("计划名称"), max_length=200, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(label=_("说明"), required=False, allow_blank=True, default="")


class PlanViewSet(
    LoggedWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """年度计划: read by everyone signed in; drawn up and adjusted by the coordinator's office."""

    serializer_class = PlanSerializer
    permission_classes = [permissions.IsAuthenticated, ReadOnlyOrCoordinator]
    filterset_class = PlanFilterSet
    ordering_fields = ["year", "level", "version", "created_at"]

    def get_queryset(self) -> QuerySet[Plan]:
        latest = (
            Plan.objects.filter(year=OuterRef("year"), level=OuterRef("level"))
            .order_by("-version")
            .values("version")[:1]
        )
        return Plan.objects.select_related("created_by").annotate(latest_version=Subquery(latest))

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "adjust":
            return PlanAdjustSerializer
        return PlanSerializer

    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        super().perform_create(serializer, created_by=self.request.user, **fields)

    @extend_schema(request=PlanAdjustSerializer, responses={201: PlanSerializer}, summary="生成调整方案")
    @action(detail=True, methods=["post"])
    def adjust(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        serializer = PlanAdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            new = plan.adjust(by=request.user, **serializer.validated_data)
            record(
                request,
                "create",
                new,
                changes=diff({}, snapshot(new)),
                note=_t("由第%(v)d版调整") % {"v": plan.version},
            )
        data = PlanSerializer(new, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


class PlanEntrySerializer(CleanModelSerializer):
    plan_name = serializers.CharField(source="plan.title", read_only=True)
    plan_year = serializers.IntegerField(source="plan.year", read_only=True)
    plan_level = serializers.CharField(source="plan.level", read_only=True)
    project = EditableProjectField()
    project_name = serializers.CharField(source="project.name", read_only=True)
    plan_type_display = serializers.CharField(source="get_plan_type_display", read_only=True)
    date_warnings = serializers.SerializerMethodField(
        help_text=_("计划与项目日期不符的提示（如新开工项目的计划开工时间不在计划年度内）；不影响保存")
    )

    class Meta:
        model = PlanEntry
        fields = [
            "id",
            "plan",
            "plan_name",
            "plan_year",
            "plan_level",
            "project",
            "project_name",
            "plan_type",
            "plan_type_display",
            "annual_investment",
            "target",
            "planned_start_month",
            "planned_completion_month",
            "note",
            "date_warnings",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if self.instance is not None:
            # An entry stays on its plan and with its project; to move it, remove it and add it
            # where it belongs (as the plan pages do).
            fields["plan"].read_only = True
            fields["project"].read_only = True
        return fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_date_warnings(self, entry: PlanEntry) -> list[str]:
        return entry.date_warnings()

    def validate_plan(self, plan: Plan) -> Plan:
        if not plan.is_latest:
            raise serializers.ValidationError(NOT_LATEST)
        return plan

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and not self.instance.plan.is_latest:
            raise serializers.ValidationError({"plan": [NOT_LATEST]})
        return super().validate(attrs)


class PlanEntryViewSet(ScopedObjectMixin, LoggedWritesMixin, viewsets.ModelViewSet):
    """计划项目: the projects on the plans, as far as the user can see them."""

    serializer_class = PlanEntrySerializer
    permission_classes = [permissions.IsAuthenticated, ReadOnlyOrCoordinator]
    filterset_class = PlanEntryFilterSet
    ordering_fields = ["annual_investment", "plan__year", "project__name"]

    def get_queryset(self) -> QuerySet[PlanEntry]:
        return PlanEntry.objects.visible_to(self.request.user).select_related("plan", "project")

    def log_project(self, instance: PlanEntry) -> Project:
        return instance.project

    def perform_destroy(self, instance: PlanEntry) -> None:
        if not instance.plan.is_latest:
            raise serializers.ValidationError({"plan": [NOT_LATEST]})
        super().perform_destroy(instance)
