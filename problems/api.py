"""/api/problems/, /api/problem-comments/, /api/meetings/ and /api/matters/, within the data scope."""

from typing import Any, cast

from django.db import transaction
from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api import LoggedWritesMixin
from audit.changes import record
from audit.models import OperationLog
from lib.api import CleanModelSerializer, ReadOnlyOrCoordinator, ScopedObjectMixin
from lib.officedoc import docx_response
from org.choices import Role
from org.models import User
from problems.choices import MatterAction, ProblemAction, ProblemStatus
from problems.documents import minutes_docx
from problems.filtersets import MatterFilterSet, MeetingFilterSet, ProblemFilterSet
from problems.forms import responsible_units as assignable_units
from problems.models import Matter, Meeting, Problem, ProblemComment
from problems.querysets import ProblemQuerySet, problem_thresholds
from progress.models import Report
from projects.api import EditableProjectField
from projects.models import Project


class RelationsCleanSerializer(CleanModelSerializer):
    """CleanModelSerializer for models with many-to-many fields: those are checked by their fields and
    saved by the serializer, the rest goes through the model's full_clean."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        model: type[Model] = self.Meta.model
        meta = model._meta
        many = {name: attrs.pop(name) for name in list(attrs) if meta.get_field(name).many_to_many}
        attrs = super().validate(attrs)
        attrs.update(many)
        return attrs


def related(queryset: QuerySet, **kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    """A foreign key or many-to-many field whose wrong ids read, in Chinese, as missing or out of reach."""
    kwargs.setdefault("error_messages", {"does_not_exist": _("所选对象不存在或无权使用。")})
    return serializers.PrimaryKeyRelatedField(queryset=queryset, **kwargs)


class MoveSerializer(serializers.Serializer):
    """A move on a problem or a decided matter, with its note (销号说明, 上报事由, 完成情况 …)."""

    action = serializers.CharField(label=_("操作"))
    note = serializers.CharField(label=_("说明"), required=False, allow_blank=True, default="")


class ProblemSerializer(RelationsCleanSerializer):
    project = EditableProjectField()
    project_name = serializers.CharField(source="project.name", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    responsible_units = related(assignable_units(), many=True, required=False)
    responsible_unit_names = serializers.SerializerMethodField()
    leader = related(User.objects.filter(role=Role.LEADER, is_active=True), required=False, allow_null=True)
    report = related(Report.objects.all(), required=False, allow_null=True)
    raised_by_name = serializers.CharField(source="raised_by.get_full_name", read_only=True, allow_null=True)
    days_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Problem
        fields = [
            "id",
            "project",
            "project_name",
            "report",
            "category",
            "category_display",
            "description",
            "responsible_units",
            "responsible_unit_names",
            "leader",
            "measures",
            "deadline",
            "status",
            "status_display",
            "days_overdue",
            "escalation_note",
            "resolution",
            "settled_by",
            "raised_by",
            "raised_by_name",
            "raised_at",
            "escalated_at",
            "resolved_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "escalation_note",
            "resolution",
            "settled_by",
            "raised_by",
            "raised_at",
            "escalated_at",
            "resolved_at",
            "updated_at",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            report = cast(serializers.RelatedField, fields["report"])
            report.queryset = Report.objects.visible_to(request.user)
        return fields

    def get_responsible_unit_names(self, problem: Problem) -> list[str]:
        return [unit.name for unit in problem.responsible_units.all()]

    def get_days_overdue(self, problem: Problem) -> int:
        return problem.days_overdue()

    def validate_project(self, project: Project) -> Project:
        if self.instance is not None and project.pk != self.instance.project_id:
            raise serializers.ValidationError(_("问题不能改挂到其他项目。"))
        return project


class OverdueProblemSerializer(ProblemSerializer):
    """A problem past its deadline, with how far: yellow, or red after the red threshold."""

    level = serializers.CharField(label=_("超期程度"), read_only=True)

    class Meta(ProblemSerializer.Meta):
        fields = [*ProblemSerializer.Meta.fields, "level"]


class ProblemViewSet(
    ScopedObjectMixin,
    LoggedWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """问题台账: problems of the projects one sees or assigned to one's unit; moves through `move`."""

    serializer_class = ProblemSerializer
    filterset_class = ProblemFilterSet
    ordering_fields = ["raised_at", "deadline", "status", "category"]
    denied_message = _("您无权修改该问题。")

    def get_queryset(self) -> ProblemQuerySet:
        return Problem.objects.visible_to(self.request.user).with_list_relations()

    def log_project(self, instance: Problem) -> Project:
        return instance.project

    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        super().perform_create(serializer, raised_by=self.request.user, **fields)

    def perform_update(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        assert serializer.instance is not None  # an update serializer is built on the row it changes
        if serializer.instance.is_solved:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("已销号的问题不能修改，如需继续办理请重新打开。")]}
            )
        super().perform_update(serializer, **fields)

    @extend_schema(
        request=MoveSerializer,
        responses=ProblemSerializer,
        summary="问题办理：开始办理、销号、确认销号、退回销号、上报、退回办理、重新打开",
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        problem = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        name = data.validated_data["action"]
        if name not in ProblemAction.values:
            raise exceptions.ValidationError({"action": [_("未知的操作。")]})
        old = problem.get_status_display()
        with transaction.atomic():
            event = problem.move(name, by=request.user, note=data.validated_data["note"])
            record(
                request,
                OperationLog.Action.STATUS,
                problem,
                changes={str(_("状态")): [old, problem.get_status_display()]},
                project=problem.project,
                note=event.note,
            )
        return Response(ProblemSerializer(problem, context=self.get_serializer_context()).data)

    @extend_schema(responses=OverdueProblemSerializer(many=True), summary="超期问题（问题超期预警的依据）")
    @action(detail=False, methods=["get"])
    def overdue(self, request: Request) -> Response:
        today = timezone.localdate()
        # The filter backends hand back the queryset they were given, narrowed.
        filtered = cast(ProblemQuerySet, self.filter_queryset(self.get_queryset()))
        problems = filtered.with_overdue_level(today, problem_thresholds()).exclude(level="")
        page = self.paginate_queryset(problems)
        rows = OverdueProblemSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(rows)


class CommentSerializer(CleanModelSerializer):
    author_name = serializers.CharField(source="author.get_full_name", read_only=True, allow_null=True)

    class Meta:
        model = ProblemComment
        fields = ["id", "problem", "text", "author", "author_name", "created_at"]
        read_only_fields = ["author", "created_at"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            problem = cast(serializers.RelatedField, fields["problem"])
            problem.queryset = Problem.objects.visible_to(request.user)
        return fields


class CommentViewSet(
    LoggedWritesMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """问题评论: everyone who sees a problem reads and writes its thread (`?problem=`)."""

    serializer_class = CommentSerializer
    filterset_fields = ["problem"]

    def get_queryset(self) -> QuerySet[ProblemComment]:
        visible = Problem.objects.visible_to(self.request.user)
        return ProblemComment.objects.filter(problem__in=visible).select_related("author")

    def log_project(self, instance: ProblemComment) -> Project:
        return instance.problem.project

    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        super().perform_create(serializer, author=self.request.user, **fields)


class MatterSerializer(CleanModelSerializer):
    meeting_title = serializers.CharField(source="meeting.title", read_only=True)
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    owner_unit = related(assignable_units())
    days_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Matter
        fields = [
            "id",
            "meeting",
            "meeting_title",
            "content",
            "project",
            "project_name",
            "problem",
            "owner_unit",
            "owner_unit_name",
            "deadline",
            "status",
            "status_display",
            "days_overdue",
            "closes_problem",
            "completion_note",
            "completed_at",
            "sort_order",
            "updated_at",
        ]
        read_only_fields = ["status", "completion_note", "completed_at", "updated_at"]

    def get_days_overdue(self, matter: Matter) -> int:
        return matter.days_overdue()

    def validate_meeting(self, meeting: Meeting) -> Meeting:
        if self.instance is not None and meeting.pk != self.instance.meeting_id:
            raise serializers.ValidationError(_("议定事项不能改挂到其他会议。"))
        return meeting


class MeetingSerializer(RelationsCleanSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    chair_name = serializers.CharField(source="chair.get_full_name", read_only=True, allow_null=True)
    attendees = related(
        User.objects.filter(is_active=True).exclude(role=Role.OWNER), many=True, required=False
    )
    agenda = related(Problem.objects.all(), many=True, required=False)
    matters = MatterSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "kind",
            "kind_display",
            "date",
            "place",
            "chair",
            "chair_name",
            "attendees",
            "other_attendees",
            "agenda",
            "summary",
            "is_held",
            "matters",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_by", "created_at", "updated_at"]

    def validate_agenda(self, problems: list[Problem]) -> list[Problem]:
        """Only escalated problems join an agenda; those already on it stay whatever became of them."""
        current = set(self.instance.agenda.values_list("pk", flat=True)) if self.instance else set()
        for problem in problems:
            if problem.status != ProblemStatus.ESCALATED and problem.pk not in current:
                raise serializers.ValidationError(_("只能将已上报调度会的问题列入会议议题。"))
        return problems


class MeetingViewSet(
    ScopedObjectMixin,
    LoggedWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """调度会议: called and minuted by the coordinator's office; read by those it concerns."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    permission_classes = [permissions.IsAuthenticated, ReadOnlyOrCoordinator]
    ordering_fields = ["date", "title"]

    def get_queryset(self) -> QuerySet[Meeting]:
        user = self.request.user
        matters = Matter.objects.visible_to(user).select_related("meeting", "owner_unit", "project")
        return (
            Meeting.objects.visible_to(user)
            .select_related("chair")
            .prefetch_related("attendees", "agenda", Prefetch("matters", queryset=matters))
        )

    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        super().perform_create(serializer, created_by=self.request.user, **fields)

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, summary="会议纪要（Word）")
    @action(detail=True, methods=["get"])
    def minutes(self, request: Request, pk: str | None = None) -> HttpResponse:
        meeting = self.get_object()
        user = request.user
        assert user.is_authenticated  # IsAuthenticated lets only signed-in users through
        attended = meeting.chair_id == user.pk or meeting.attendees.filter(pk=user.pk).exists()
        if not (user.sees_everything or attended):
            raise exceptions.PermissionDenied(_("会议纪要只提供给参会人员和统筹协调、领导、督查人员。"))
        record(request, OperationLog.Action.EXPORT, meeting, note=str(_("会议纪要")))
        return docx_response(f"{meeting.title}纪要-{meeting.date:%Y%m%d}.docx", minutes_docx(meeting))


class MatterWrites(permissions.BasePermission):
    """Matters are recorded by the coordinator's office; their owner units move them along (`move`)."""

    message = _("议定事项由重点办（统筹协调）记录。")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS or view.action == "move":
            return True
        user = request.user  # signed in: IsAuthenticated comes first
        return bool(user.is_authenticated and user.edits_everything)


class MatterViewSet(
    ScopedObjectMixin,
    LoggedWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """议定事项: tracked like problems; finishing one on an escalated problem closes the problem."""

    serializer_class = MatterSerializer
    filterset_class = MatterFilterSet
    permission_classes = [permissions.IsAuthenticated, MatterWrites]
    ordering_fields = ["deadline", "status"]
    denied_message = _("您无权办理该议定事项。")

    def get_queryset(self) -> QuerySet[Matter]:
        return Matter.objects.visible_to(self.request.user).select_related(
            "meeting", "owner_unit", "project", "problem"
        )

    def log_project(self, instance: Matter) -> Project | None:
        return instance.project

    @transaction.atomic
    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        super().perform_create(serializer, **fields)
        matter = serializer.instance
        assert matter is not None  # save() set it
        if matter.problem_id:
            matter.meeting.agenda.add(matter.problem_id)

    @extend_schema(
        request=MoveSerializer, responses=MatterSerializer, summary="议定事项办理：开始办理、办结、重新打开"
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        matter = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        name = data.validated_data["action"]
        if name not in MatterAction.values:
            raise exceptions.ValidationError({"action": [_("未知的操作。")]})
        old = matter.get_status_display()
        problem_before = matter.problem.status if matter.problem else None
        with transaction.atomic():
            matter.move(name, by=request.user, note=data.validated_data["note"])
            record(
                request,
                OperationLog.Action.STATUS,
                matter,
                changes={str(_("状态")): [old, matter.get_status_display()]},
                project=matter.project,
                note=data.validated_data["note"],
            )
            if problem_before is not None:
                matter.problem.refresh_from_db()
                if matter.problem.status != problem_before:
                    record(
                        request,
                        OperationLog.Action.STATUS,
                        matter.problem,
                        changes={
                            str(_("状态")): [
                                str(ProblemStatus(problem_before).label),
                                matter.problem.get_status_display(),
                            ]
                        },
                        project=matter.project,
                        note=matter.problem.resolution,
                    )
        return Response(MatterSerializer(matter, context=self.get_serializer_context()).data)
