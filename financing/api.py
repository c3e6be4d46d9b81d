"""/api/financing-needs/ and /api/financing-events/: 政银企对接, the projects' financing needs with their
outcome, the matchmaking events, and the year's figures."""

from typing import Any, TypedDict

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api import LoggedWritesMixin
from financing.figures import financing_figures
from financing.filtersets import FinancingNeedFilterSet, MatchEventFilterSet
from financing.models import FinancingNeed, MatchEvent, Signing
from lib.api import CleanModelSerializer, ReadOnlyOrCoordinator, ScopedObjectMixin
from lib.jsondata import plain
from lib.params import api_year
from plans.scope import Scope
from projects.models import Project


class MoneyOptions(TypedDict):
    max_digits: int
    decimal_places: int
    read_only: bool


MONEY: MoneyOptions = {"max_digits": 18, "decimal_places": 2, "read_only": True}


class SigningSerializer(serializers.ModelSerializer):
    bank_name = serializers.CharField(source="bank.name", read_only=True)

    class Meta:
        model = Signing
        fields = ["id", "bank", "bank_name", "amount", "signed_on", "event", "note"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class EditableProjectField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {"does_not_exist": _("项目不存在或无权操作。")}

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.editable_by(self.context["request"].user)


class FinancingNeedSerializer(CleanModelSerializer):
    project = EditableProjectField(label=_("项目"))
    project_name = serializers.CharField(source="project.name", read_only=True)
    state = serializers.CharField(read_only=True, label=_("对接状态"))
    signed = serializers.DecimalField(label=_("签约金额（万元）"), **MONEY)
    signings = SigningSerializer(many=True, read_only=True)

    class Meta:
        model = FinancingNeed
        fields = [
            "id",
            "project",
            "project_name",
            "year",
            "amount",
            "purpose",
            "term_months",
            "kind",
            "contact",
            "closed",
            "closed_reason",
            "note",
            "state",
            "signed",
            "signings",
        ]

    def update(self, instance: FinancingNeed, validated_data: dict[str, Any]) -> FinancingNeed:
        # A need stays with the project it was registered for.
        validated_data.pop("project", None)
        return super().update(instance, validated_data)


class FinancingNeedViewSet(LoggedWritesMixin, ScopedObjectMixin, viewsets.ModelViewSet):
    """融资需求: the needs of the projects the user may see; registered and changed by whoever may change
    the project (the coordinator, its units and its owner). A need with a signing is not deleted."""

    serializer_class = FinancingNeedSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = FinancingNeedFilterSet
    ordering_fields = ["year", "amount"]
    denied_message = _("您无权修改该融资需求。")

    def get_queryset(self) -> QuerySet[FinancingNeed]:
        return (
            FinancingNeed.objects.visible_to(self.request.user)
            .with_outcome()
            .select_related("project")
            .prefetch_related("signings__bank")
            .order_by("-year", "-id")
        )

    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        with transaction.atomic():
            super().perform_create(serializer, created_by=self.request.user, **fields)
        assert serializer.instance is not None  # save() set it
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        with transaction.atomic():
            super().perform_update(serializer, **fields)
        assert serializer.instance is not None  # an update serializer is built on the row it changes
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def log_project(self, instance: FinancingNeed) -> Project:
        return instance.project

    def perform_destroy(self, instance: FinancingNeed) -> None:
        if instance.signings.exists():
            raise exceptions.PermissionDenied(_("已有签约结果的融资需求不能删除，可将其终止对接。"))
        super().perform_destroy(instance)

    @extend_schema(
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="年度（默认今年）")],
        responses=OpenApiTypes.OBJECT,
        filters=False,
        summary="政银企对接年度汇总",
    )
    @action(detail=False, methods=["get"])
    def figures(self, request: Request) -> Response:
        year = api_year(request.query_params)
        return Response(plain(financing_figures(year, Scope(user=request.user))))


@extend_schema_field(OpenApiTypes.INT)
class VisibleNeedField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {"does_not_exist": _("融资需求不存在或无权操作。")}

    def get_queryset(self) -> QuerySet[FinancingNeed]:
        return FinancingNeed.objects.visible_to(self.context["request"].user)


class MatchEventSerializer(CleanModelSerializer):
    needs = VisibleNeedField(many=True, required=False, label=_("推介项目"))
    need_count = serializers.IntegerField(read_only=True, label=_("推介项目数"))
    sought = serializers.DecimalField(label=_("融资需求（万元）"), **MONEY)
    signed = serializers.DecimalField(label=_("现场签约（万元）"), **MONEY)

    class Meta:
        model = MatchEvent
        fields = [
            "id",
            "held_on",
            "title",
            "place",
            "organizer",
            "banks",
            "needs",
            "note",
            "year",
            "need_count",
            "sought",
            "signed",
        ]
        read_only_fields = ["year"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The model's full_clean cannot take many-to-many values: they are set after saving.
        relations = {name: attrs.pop(name) for name in ("banks", "needs") if name in attrs}
        attrs = super().validate(attrs)
        return {**attrs, **relations}


class MatchEventViewSet(LoggedWritesMixin, viewsets.ModelViewSet):
    """政银企对接活动: every event for those who see all projects, else the events that recommended a need
    of theirs; recorded by the coordinator."""

    serializer_class = MatchEventSerializer
    permission_classes = [permissions.IsAuthenticated, ReadOnlyOrCoordinator]
    filterset_class = MatchEventFilterSet
    ordering_fields = ["held_on"]

    def get_queryset(self) -> QuerySet[MatchEvent]:
        user = self.request.user
        return (
            MatchEvent.objects.visible_to(user)
            .with_totals(user)
            .prefetch_related("banks", "needs")
            .order_by("-held_on", "-id")
        )

    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        with transaction.atomic():
            super().perform_create(serializer, created_by=self.request.user, **fields)
        assert serializer.instance is not None  # save() set it
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        with transaction.atomic():
            super().perform_update(serializer, **fields)
        assert serializer.instance is not None  # an update serializer is built on the row it changes
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)
