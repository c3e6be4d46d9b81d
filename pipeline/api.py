"""/api/pipeline-entries/ and /api/pipeline-rounds/: the pipeline (谋划/储备库), its review rounds and
promotion into next year's plans, within the data scope."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api import LoggedWritesMixin
from audit.changes import diff, record, snapshot
from lib.api import CleanModelSerializer, ReadOnlyOrCoordinator, ScopedObjectMixin
from lib.jsondata import plain
from lib.params import api_year
from pipeline.choices import PROMOTION_PLAN_TYPES, Decision
from pipeline.figures import pipeline_figures
from pipeline.filtersets import PipelineFilterSet
from pipeline.models import PipelineEntry, ReviewDecision, ReviewRound
from pipeline.querysets import PipelineEntryQuerySet
from plans.choices import PlanLevel
from plans.scope import Scope
from projects.api import EditableProjectField
from projects.models import Project

YEAR_PARAMETER = OpenApiParameter("year", OpenApiTypes.INT, description="拟实施年度（默认明年）")


def next_year() -> int:
    """The pipeline looks ahead: its figures default to next year's."""
    return timezone.localdate().year + 1


class PipelineEntrySerializer(CleanModelSerializer):
    project = EditableProjectField()
    project_name = serializers.CharField(source="project.name", read_only=True)
    category_name = serializers.CharField(source="project.category.name", read_only=True)
    responsible_unit_name = serializers.CharField(source="project.responsible_unit_name", read_only=True)
    proposing_unit_name = serializers.CharField(source="proposing_unit.name", read_only=True)
    proposed_levels = serializers.ListField(child=serializers.CharField(), read_only=True)
    readiness_display = serializers.CharField(source="get_readiness_display", read_only=True)
    decision_display = serializers.CharField(source="get_decision_display", read_only=True)

    class Meta:
        model = PipelineEntry
        fields = [
            "id",
            "project",
            "project_name",
            "category_name",
            "responsible_unit_name",
            "proposed_year",
            "estimated_investment",
            "proposed_annual_investment",
            "to_province",
            "to_city",
            "to_local",
            "proposed_levels",
            "readiness",
            "readiness_display",
            "proposing_unit",
            "proposing_unit_name",
            "planned_start_month",
            "note",
            "decision",
            "decision_display",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["decision", "created_at", "updated_at"]

    def validate_project(self, project: Project) -> Project:
        if self.instance is not None and project.pk != self.instance.project_id:
            raise serializers.ValidationError(_("谋划项目登记后不能更换项目。"))
        return project


class PromoteSerializer(serializers.Serializer):
    """纳入年度计划: entries, the level whose plan receives them, and the plan type."""

    entries = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, label=_("谋划项目"))
    level = serializers.ChoiceField(choices=PlanLevel.choices, label=_("计划级别"))
    plan_type = serializers.ChoiceField(choices=PROMOTION_PLAN_TYPES, label=_("计划类型"))


class PromotionResultSerializer(serializers.Serializer):
    plans_created = serializers.ListField(child=serializers.IntegerField())
    created = serializers.ListField(child=serializers.IntegerField(), help_text="新建的计划项目 id")
    already_listed = serializers.ListField(
        child=serializers.IntegerField(), help_text="已在计划中的谋划项目 id"
    )


class CanProposeProjects(permissions.BasePermission):
    """Pipeline entries come from the coordinator's office, responsible units and project owners;
    promotion into the plans only from the coordinator's office."""

    message = _("您无权执行此操作。")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user.is_authenticated:  # IsAuthenticated, checked first, has already refused
            return False
        if view.action == "promote":
            return bool(user.edits_everything)
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(user.edits_everything or user.edits_own)


class PipelineEntryViewSet(ScopedObjectMixin, LoggedWritesMixin, viewsets.ModelViewSet):
    """谋划项目: the pipeline the user can see; `figures` sums it up, `promote` puts entries on a plan."""

    serializer_class = PipelineEntrySerializer
    permission_classes = [permissions.IsAuthenticated, CanProposeProjects]
    filterset_class = PipelineFilterSet
    ordering_fields = ["proposed_year", "estimated_investment", "proposed_annual_investment", "updated_at"]
    denied_message = _("您无权修改该谋划项目。")

    def get_queryset(self) -> PipelineEntryQuerySet:
        return PipelineEntry.objects.visible_to(self.request.user).select_related(
            "project", "project__category", "project__responsible_unit", "proposing_unit"
        )

    def log_project(self, instance: PipelineEntry) -> Project:
        return instance.project

    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        super().perform_create(serializer, created_by=self.request.user, **fields)

    @extend_schema(
        parameters=[YEAR_PARAMETER], responses=OpenApiTypes.OBJECT, filters=False, summary="谋划汇总"
    )
    @action(detail=False, methods=["get"])
    def figures(self, request: Request) -> Response:
        year_value = api_year(request.query_params) if request.query_params.get("year") else next_year()
        return Response(plain(pipeline_figures(year_value, Scope(user=request.user))))

    @extend_schema(
        request=PromoteSerializer, responses={200: PromotionResultSerializer}, summary="纳入年度计划"
    )
    @action(detail=False, methods=["post"])
    def promote(self, request: Request) -> Response:
        serializer = PromoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ids = set(data["entries"])
        entries = self.get_queryset().filter(pk__in=ids)
        if entries.count() != len(ids):
            raise exceptions.ValidationError({"entries": [_("所选谋划项目不存在或无权操作。")]})
        user = request.user
        assert user.is_authenticated  # CanProposeProjects let only the coordinator's office through
        try:
            with transaction.atomic():
                result = entries.promote(data["level"], data["plan_type"], by=user)
                for plan in result.plans_created:
                    record(request, "create", plan, changes=diff({}, snapshot(plan)))
                for entry in result.created:
                    record(request, "create", entry, changes=diff({}, snapshot(entry)), project=entry.project)
        except ValidationError as error:
            raise exceptions.ValidationError({"entries": error.messages}) from error
        return Response(
            {
                "plans_created": [plan.pk for plan in result.plans_created],
                "created": [entry.pk for entry in result.created],
                "already_listed": [entry.pk for entry in result.already_listed],
            }
        )


class ReviewRoundSerializer(CleanModelSerializer):
    class Meta:
        model = ReviewRound
        fields = ["id", "year", "number", "held_on", "note", "created_by"]
        read_only_fields = ["created_by"]


class ReviewDecisionSerializer(CleanModelSerializer):
    entry = serializers.PrimaryKeyRelatedField(queryset=PipelineEntry.objects.all())
    project_name = serializers.CharField(source="entry.project.name", read_only=True)
    decision_display = serializers.CharField(source="get_decision_display", read_only=True)
    decided_by_name = serializers.CharField(
        source="decided_by.get_full_name", read_only=True, allow_null=True
    )

    class Meta:
        model = ReviewDecision
        fields = [
            "id",
            "round",
            "entry",
            "project_name",
            "decision",
            "decision_display",
            "note",
            "decided_by",
            "decided_by_name",
            "decided_at",
        ]
        read_only_fields = ["round", "decided_by", "decided_at"]


class DecideSerializer(serializers.Serializer):
    entry = serializers.IntegerField(label=_("谋划项目"))
    decision = serializers.ChoiceField(choices=Decision.choices, label=_("审查结论"))
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", label=_("意见")
    )


class ReviewRoundViewSet(LoggedWritesMixin, viewsets.ModelViewSet):
    """谋划轮次: rounds of review of a year's pipeline; the coordinator records each decision."""

    serializer_class = ReviewRoundSerializer
    permission_classes = [permissions.IsAuthenticated, ReadOnlyOrCoordinator]
    filterset_fields = ["year"]
    ordering_fields = ["year", "number", "held_on"]

    def get_queryset(self) -> QuerySet[ReviewRound]:
        return ReviewRound.objects.all()

    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        super().perform_create(serializer, created_by=self.request.user, **fields)

    @extend_schema(responses=ReviewDecisionSerializer(many=True), filters=False, summary="本轮审查结论")
    @action(detail=True, methods=["get"])
    def decisions(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        rows = (
            ReviewDecision.objects.visible_to(request.user)
            .filter(round=review)
            .select_related("entry__project", "decided_by")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ReviewDecisionSerializer(page, many=True).data)

    @extend_schema(request=DecideSerializer, responses=ReviewDecisionSerializer, summary="作出审查结论")
    @decisions.mapping.post
    def decide(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        serializer = DecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entry = PipelineEntry.objects.visible_to(request.user).filter(pk=data["entry"]).first()
        if entry is None:
            raise exceptions.ValidationError({"entry": [_("所选谋划项目不存在或无权操作。")]})
        with transaction.atomic():
            before = entry.get_decision_display()
            made = review.decide(entry, data["decision"], by=request.user, note=data["note"])
            record(
                request,
                "update",
                entry,
                changes={str(_("审查结论")): [str(before), str(made.get_decision_display())]},
                project=entry.project,
                note=str(review),
            )
        return Response(ReviewDecisionSerializer(made).data, status=status.HTTP_200_OK)
