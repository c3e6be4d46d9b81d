"""/api/industries/, /api/categories/, /api/procedure-types/, /api/funding-sources/: the dictionaries."""

from django.db.models import QuerySet
from rest_framework import permissions, viewsets

from audit.api import LoggedWritesMixin
from catalog.models import Category, DictionaryItem, FundingSource, IndustryField, ProcedureType
from lib.api import CleanModelSerializer, ReadOnlyOrAdmin

DICTIONARY_FIELDS = ["id", "code", "name", "sort_order", "is_active"]


class IndustryFieldSerializer(CleanModelSerializer):
    class Meta:
        model = IndustryField
        fields = DICTIONARY_FIELDS


class CategorySerializer(CleanModelSerializer):
    class Meta:
        model = Category
        fields = DICTIONARY_FIELDS


class ProcedureTypeSerializer(CleanModelSerializer):
    class Meta:
        model = ProcedureType
        fields = [
            *DICTIONARY_FIELDS,
            "time_limit_days",
            "table_column",
            "department",
            "stage",
            "applies_to",
            "joint_approval",
        ]


class FundingSourceSerializer(CleanModelSerializer):
    class Meta:
        model = FundingSource
        fields = DICTIONARY_FIELDS


class DictionaryViewSet(LoggedWritesMixin, viewsets.ModelViewSet):
    """字典: read by everyone signed in, changed by administrators only."""

    serializer_class: type[CleanModelSerializer]
    permission_classes = [permissions.IsAuthenticated, ReadOnlyOrAdmin]
    filterset_fields = ["is_active"]
    ordering_fields = ["sort_order", "code", "name"]

    def get_queryset(self) -> QuerySet[DictionaryItem]:
        model: type[DictionaryItem] = self.serializer_class.Meta.model
        return model.objects.all()


class IndustryFieldViewSet(DictionaryViewSet):
    """行业领域."""

    serializer_class = IndustryFieldSerializer


class CategoryViewSet(DictionaryViewSet):
    """项目类别."""

    serializer_class = CategorySerializer


class ProcedureTypeViewSet(DictionaryViewSet):
    """手续类型."""

    serializer_class = ProcedureTypeSerializer


class FundingSourceViewSet(DictionaryViewSet):
    """资金来源."""

    serializer_class = FundingSourceSerializer
