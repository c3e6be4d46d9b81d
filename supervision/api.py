"""/api/notices/ and /api/inspections/: supervision notices with their replies, and site inspections."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api import LoggedWritesMixin
from audit.changes import record
from audit.models import OperationLog
from lib.api import ScopedObjectMixin
from lib.attachments import validate_attachment
from lib.officedoc import docx_response
from org.choices import Role
from org.models import Unit, User
from problems.api import RelationsCleanSerializer, related
from problems.choices import UNSOLVED
from problems.models import Problem
from progress.photos import inspect_photo, save_photo
from projects.api import EditableProjectField
from projects.models import Project
from supervision.choices import NoticeStatus
from supervision.documents import notice_docx
from supervision.filtersets import InspectionFilterSet, NoticeFilterSet
from supervision.models import Inspection, InspectionPhoto, Notice, NoticeReply
from supervision.querysets import is_supervisor


class SupervisorWrites(permissions.BasePermission):
    """Notices and inspections are written by 督查 and the coordinator's office; a notice's addressed
    unit writes only its reply."""

    message = _("督办通知和现场督导由督查人员或重点办记录。")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS or getattr(view, "action", "") == "reply":
            return True
        return is_supervisor(request.user)


class ReplySerializer(serializers.ModelSerializer):
    replied_by_name = serializers.CharField(
        source="replied_by.get_full_name", read_only=True, allow_null=True
    )
    attachment_url = serializers.SerializerMethodField()

    class Meta:
        model = NoticeReply
        fields = [
            "id",
            "text",
            "attachment_name",
            "attachment_url",
            "replied_by",
            "replied_by_name",
            "replied_at",
            "returned_reason",
        ]
        read_only_fields = fields

    def get_attachment_url(self, reply: NoticeReply) -> str | None:
        return reverse("supervision:reply_file", args=[reply.pk]) if reply.attachment else None


class NoticeSerializer(RelationsCleanSerializer):
    number = serializers.CharField(read_only=True)
    target_unit = related(Unit.objects.filter(is_active=True))
    target_unit_name = serializers.CharField(source="target_unit.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    projects = related(Project.objects.all(), many=True, required=False)
    problems = related(Problem.objects.all(), many=True, required=False)
    replies = ReplySerializer(many=True, read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "number",
            "year",
            "seq",
            "title",
            "target_unit",
            "target_unit_name",
            "projects",
            "problems",
            "content",
            "deadline",
            "reply_requirement",
            "issuing_office",
            "issued_on",
            "issued_by",
            "status",
            "status_display",
            "close_note",
            "closed_at",
            "replies",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "year",
            "seq",
            "issued_by",
            "status",
            "close_note",
            "closed_at",
            "created_at",
            "updated_at",
        ]

    def validate_problems(self, problems: list[Problem]) -> list[Problem]:
        current = set(self.instance.problems.values_list("pk", flat=True)) if self.instance else set()
        for problem in problems:
            if problem.status not in UNSOLVED and problem.pk not in current:
                raise serializers.ValidationError(_("只能督办尚未解决的问题。"))
        return problems


class ReplyInputSerializer(serializers.Serializer):
    text = serializers.CharField(label=_("办理情况"))
    attachment = serializers.FileField(label=_("附件"), required=False, allow_null=True)

    def validate_attachment(self, upload: Any) -> Any:
        if upload:
            try:
                validate_attachment(upload)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages) from error
        return upload


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("说明"), required=False, allow_blank=True, default="")


class NoticeViewSet(
    ScopedObjectMixin,
    LoggedWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """督办通知单: numbered per year; the addressed unit replies, the supervisor closes or sends back."""

    serializer_class = NoticeSerializer
    filterset_class = NoticeFilterSet
    permission_classes = [permissions.IsAuthenticated, SupervisorWrites]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    ordering_fields = ["issued_on", "deadline", "status"]

    def get_queryset(self) -> QuerySet[Notice]:
        return (
            Notice.objects.visible_to(self.request.user)
            .select_related("target_unit")
            .prefetch_related("projects", "problems", "replies__replied_by")
        )

    def check_object_permissions(self, request: Request, obj: Model) -> None:
        # A reply is the addressed unit's move, which the model checks; it does not change the notice.
        if getattr(self, "action", "") == "reply":
            return
        super().check_object_permissions(request, obj)

    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        super().perform_create(serializer, issued_by=self.request.user, **fields)

    def perform_update(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        notice = serializer.instance
        assert notice is not None  # an update serializer is built on the row it changes
        if notice.status != NoticeStatus.SENT or notice.replies.exists():
            raise exceptions.ValidationError(
                {"non_field_errors": [_("已回复或已办结的督办通知单不能修改。")]}
            )
        super().perform_update(serializer, **fields)

    def _moved(self, request: Request, notice: Notice, old: str, note: str) -> Response:
        record(
            request,
            OperationLog.Action.STATUS,
            notice,
            changes={str(_("状态")): [old, notice.get_status_display()]},
            note=note,
        )
        notice.refresh_from_db()
        return Response(NoticeSerializer(notice, context=self.get_serializer_context()).data)

    @extend_schema(request=ReplyInputSerializer, responses=NoticeSerializer, summary="主送单位回复办理情况")
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        notice = self.get_object()
        data = ReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        old = notice.get_status_display()
        with transaction.atomic():
            reply = notice.reply(
                request.user, data.validated_data["text"], data.validated_data.get("attachment")
            )
            return self._moved(request, notice, old, reply.text)

    @extend_schema(request=NoteSerializer, responses=NoticeSerializer, summary="退回重办")
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, pk: str | None = None) -> Response:
        notice = self.get_object()
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        old = notice.get_status_display()
        with transaction.atomic():
            notice.send_back(request.user, data.validated_data["note"])
            return self._moved(request, notice, old, data.validated_data["note"])

    @extend_schema(request=NoteSerializer, responses=NoticeSerializer, summary="办结")
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        notice = self.get_object()
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        old = notice.get_status_display()
        with transaction.atomic():
            notice.close(request.user, data.validated_data["note"])
            return self._moved(request, notice, old, data.validated_data["note"])

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, summary="督办通知单（Word）")
    @action(detail=True, methods=["get"])
    def document(self, request: Request, pk: str | None = None) -> HttpResponse:
        notice = self.get_object()
        record(request, OperationLog.Action.EXPORT, notice, note=str(_("督办通知单（Word）")))
        return docx_response(f"{notice.number}.docx", notice_docx(notice))


class InspectionPhotoSerializer(serializers.ModelSerializer):
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = InspectionPhoto
        fields = [
            "id",
            "caption",
            "taken_at",
            "latitude",
            "longitude",
            "image_url",
            "thumbnail_url",
            "uploaded_at",
        ]
        read_only_fields = fields

    def get_image_url(self, photo: InspectionPhoto) -> str:
        return reverse("supervision:inspection_photo", args=[photo.pk, "image"])

    def get_thumbnail_url(self, photo: InspectionPhoto) -> str:
        return reverse("supervision:inspection_photo", args=[photo.pk, "thumb"])


class VisibleProjectField(EditableProjectField):
    """A project id the requesting user can see: supervisors inspect projects they do not manage."""

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.visible_to(self.context["request"].user)


class InspectionSerializer(RelationsCleanSerializer):
    project = VisibleProjectField()
    project_name = serializers.CharField(source="project.name", read_only=True)
    inspectors = related(User.objects.filter(is_active=True).exclude(role=Role.OWNER), many=True)
    photos = InspectionPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "project",
            "project_name",
            "date",
            "inspectors",
            "findings",
            "requirements",
            "photos",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_by", "created_at", "updated_at"]


class PhotoInputSerializer(serializers.Serializer):
    image = serializers.ImageField(label=_("照片"))
    caption = serializers.CharField(label=_("说明"), required=False, allow_blank=True, default="")


class InspectionViewSet(
    ScopedObjectMixin,
    LoggedWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """现场督导: visits to the projects one sees, recorded by supervisors, with photos."""

    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet
    permission_classes = [permissions.IsAuthenticated, SupervisorWrites]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    ordering_fields = ["date"]

    def get_queryset(self) -> QuerySet[Inspection]:
        return (
            Inspection.objects.visible_to(self.request.user)
            .select_related("project")
            .prefetch_related("inspectors", "photos")
        )

    def log_project(self, instance: Inspection) -> Project:
        return instance.project

    def perform_create(self, serializer: serializers.BaseSerializer, **fields: Any) -> None:
        super().perform_create(serializer, created_by=self.request.user, **fields)

    @extend_schema(request=PhotoInputSerializer, responses=InspectionPhotoSerializer, summary="上传督导照片")
    @action(detail=True, methods=["post"])
    def photos(self, request: Request, pk: str | None = None) -> Response:
        user = request.user
        assert user.is_authenticated  # IsAuthenticated lets only signed-in users through
        inspection = self.get_object()
        data = PhotoInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["image"]
        try:
            facts = inspect_photo(upload)
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"image": error.messages}) from error
        with transaction.atomic():
            photo = save_photo(
                InspectionPhoto(
                    inspection=inspection, caption=data.validated_data["caption"], uploaded_by=user
                ),
                upload,
                facts,
            )
            record(
                request,
                OperationLog.Action.UPDATE,
                inspection,
                changes={str(_("现场照片")): ["", photo.caption]},
                project=inspection.project,
            )
        return Response(InspectionPhotoSerializer(photo).data, status=201)
