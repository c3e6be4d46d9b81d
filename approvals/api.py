"""/api/approvals/: approval efficiency (审批效能) and the procedures past their time limit (审批超时)."""

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from approvals.figures import approval_efficiency, overdue_procedures
from approvals.filtersets import OverdueFilterSet
from lib.jsondata import plain
from lib.params import api_year
from plans.scope import Scope
from projects.api import ProcedureSerializer
from projects.models import Procedure


class OverdueProcedureSerializer(ProcedureSerializer):
    time_limit_days = serializers.IntegerField(source="type.time_limit_days", read_only=True)
    elapsed_days = serializers.SerializerMethodField()

    class Meta(ProcedureSerializer.Meta):
        fields = [*ProcedureSerializer.Meta.fields, "time_limit_days", "elapsed_days"]

    def get_elapsed_days(self, procedure: Procedure) -> int:
        """Days since submission."""
        assert procedure.submitted_on is not None  # overdue_procedures() keeps only submitted ones
        return (timezone.localdate() - procedure.submitted_on).days


class ApprovalViewSet(viewsets.GenericViewSet):
    """审批效能 and 审批超时 over the procedures of the projects the user can see."""

    filterset_class = OverdueFilterSet
    serializer_class = OverdueProcedureSerializer

    def get_queryset(self) -> QuerySet[Procedure]:
        procedures = Procedure.objects.visible_to(self.request.user)
        return (
            overdue_procedures(procedures)
            .select_related("project", "type", "department")
            .order_by("submitted_on", "id")
        )

    @extend_schema(
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="年度（默认今年）")],
        responses=OpenApiTypes.OBJECT,
        filters=False,
        summary="审批效能",
    )
    @action(detail=False, methods=["get"])
    def efficiency(self, request: Request) -> Response:
        year_value = api_year(request.query_params)
        return Response(plain(approval_efficiency(year_value, Scope(user=request.user))))

    @extend_schema(responses=OverdueProcedureSerializer(many=True), summary="超出办理时限的手续")
    @action(detail=False, methods=["get"])
    def overdue(self, request: Request) -> Response:
        procedures = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(procedures)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
