"""/api/observation-rounds/: the half-yearly review rounds (观摩点评) and their rankings, read only."""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from lib.jsondata import plain
from org.models import Person
from reviews.filtersets import RoundFilterSet
from reviews.models import Criterion, Round


class ObservationCriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "name", "max_points", "sort_order"]
        read_only_fields = fields


class ObservationRoundSerializer(serializers.ModelSerializer):
    criteria = ObservationCriterionSerializer(many=True, read_only=True)
    reviewers: "serializers.SlugRelatedField[Person]" = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name"
    )
    stop_count = serializers.IntegerField(read_only=True, label="观摩项目数")
    town_count = serializers.IntegerField(read_only=True, label="乡镇/街道数")
    sheet_count = serializers.IntegerField(read_only=True, label="评分表数")

    class Meta:
        model = Round
        fields = [
            "id",
            "year",
            "half",
            "title",
            "held_on",
            "trim_extremes",
            "note",
            "criteria",
            "reviewers",
            "stop_count",
            "town_count",
            "sheet_count",
        ]
        read_only_fields = fields


class ObservationRoundViewSet(viewsets.ReadOnlyModelViewSet):
    """观摩点评活动: rounds that visited a project the user may see (every round for those who see all)."""

    serializer_class = ObservationRoundSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = RoundFilterSet
    ordering_fields = ["held_on", "year"]

    def get_queryset(self) -> QuerySet[Round]:
        return (
            Round.objects.visible_to(self.request.user)
            .with_counts()
            .prefetch_related("criteria", "reviewers")
            .order_by("-held_on", "-id")
        )

    @extend_schema(responses=OpenApiTypes.OBJECT, filters=False, summary="观摩点评得分排名")
    @action(detail=True, methods=["get"])
    def ranking(self, request: Request, pk: str | None = None) -> Response:
        """The projects by score and the towns by mean score, the rows the user may read."""
        ranking = self.get_object().ranking().seen_by(request.user)
        projects = [{k: v for k, v in row.items() if k != "town_path"} for row in ranking.projects]
        towns = [{k: v for k, v in row.items() if k != "path"} for row in ranking.towns]
        return Response(plain({"projects": projects, "towns": towns}))
