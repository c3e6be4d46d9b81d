"""/api/milestones/ and /api/milestone-templates/: project milestones within the data scope, and the
standard templates they are scheduled back from (倒排工期)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api import LoggedWritesMixin
from audit.changes import record
from audit.models import OperationLog
from lib.api import CleanModelSerializer, ScopedObjectMixin
from milestones.filtersets import MilestoneFilterSet
from milestones.models import Milestone, MilestoneTemplate, MilestoneTemplateNode
from milestones.querysets import milestone_thresholds
from problems.api import related
from projects.api import EditableProjectField
from projects.models import Project


class MilestoneSerializer(CleanModelSerializer):
    project = EditableProjectField()
    project_name = serializers.CharField(source="project.name", read_only=True)
    responsible_unit_name = serializers.CharField(
        source="responsible_unit.name", read_only=True, allow_null=True
    )
    state = serializers.SerializerMethodField()
    days_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "project_name",
            "name",
            "planned_date",
            "actual_date",
            "responsible_unit",
            "responsible_unit_name",
            "responsible_person",
            "note",
            "sort_order",
            "state",
            "days_overdue",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def get_state(self, milestone: Milestone) -> str:
        thresholds = self.context.setdefault("thresholds", milestone_thresholds())
        return milestone.light(timezone.localdate(), thresholds)

    def get_days_overdue(self, milestone: Milestone) -> int:
        return milestone.days_overdue()


class ApplyTemplateSerializer(serializers.Serializer):
    project = EditableProjectField()
    template = related(MilestoneTemplate.objects.filter(is_active=True), label=_("节点计划模板"))


class MilestoneViewSet(ScopedObjectMixin, LoggedWritesMixin, viewsets.ModelViewSet):
    """节点计划: the milestones of the projects one sees; changed by those who may change the project."""

    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet
    ordering_fields = ["planned_date", "actual_date", "sort_order"]

    def get_queryset(self) -> QuerySet[Milestone]:
        return Milestone.objects.visible_to(self.request.user).select_related("project", "responsible_unit")

    def log_project(self, instance: Milestone) -> Project:
        return instance.project

    @extend_schema(
        request=ApplyTemplateSerializer, responses=MilestoneSerializer(many=True), summary="按模板倒排工期"
    )
    @action(detail=False, methods=["post"], url_path="apply-template")
    def apply_template(self, request: Request) -> Response:
        data = ApplyTemplateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        project, template = data.validated_data["project"], data.validated_data["template"]
        try:
            created = template.apply_to(project)
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"project": error.messages}) from error
        record(
            request,
            OperationLog.Action.CREATE,
            object_type=str(Milestone._meta.verbose_name),
            project=project,
            changes={str(_("节点计划")): ["", "、".join(f"{m.name} {m.planned_date}" for m in created)]},
            note=str(_("按模板“%(t)s”倒排工期") % {"t": template.name}),
        )
        saved = Milestone.objects.filter(pk__in=[m.pk for m in created]).select_related(
            "project", "responsible_unit"
        )
        return Response(
            MilestoneSerializer(saved, many=True, context=self.get_serializer_context()).data, status=201
        )


class TemplateNodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = MilestoneTemplateNode
        fields = ["id", "name", "offset_days", "sort_order"]


class MilestoneTemplateSerializer(serializers.ModelSerializer):
    nodes = TemplateNodeSerializer(many=True, read_only=True)

    class Meta:
        model = MilestoneTemplate
        fields = ["id", "name", "project_kind", "description", "is_active", "nodes"]


class MilestoneTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """节点计划模板: the standard nodes and their offsets from completion, in days."""

    serializer_class = MilestoneTemplateSerializer
    queryset = MilestoneTemplate.objects.prefetch_related("nodes")
