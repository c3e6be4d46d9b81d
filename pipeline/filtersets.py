"""One FilterSet for the pipeline list page, its .xlsx export and /api/pipeline-entries/."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import Category
from lib.params import YearFilter
from org.models import Unit, in_subtree
from pipeline.choices import Decision, Readiness
from pipeline.models import PipelineEntry
from pipeline.querysets import LEVEL_FLAGS
from plans.choices import PlanLevel
from projects.choices import SizeBucket, in_size_bucket

UNREVIEWED = "none"


class PipelineFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("搜索"), method="filter_q")
    year = YearFilter(label=_("拟实施年度"), field_name="proposed_year")
    level = filters.ChoiceFilter(label=_("拟申报级别"), choices=PlanLevel.choices, method="filter_level")
    above_county = filters.BooleanFilter(label=_("拟申报市级以上"), method="filter_above_county")
    readiness = filters.ChoiceFilter(label=_("前期工作深度"), choices=Readiness.choices)
    decision = filters.ChoiceFilter(
        label=_("审查结论"), choices=[(UNREVIEWED, _("待审查")), *Decision.choices], method="filter_decision"
    )
    category = filters.ModelChoiceFilter(
        label=_("项目类别"), field_name="project__category", queryset=Category.objects.all()
    )
    responsible_unit = filters.ModelChoiceFilter(
        label=_("责任单位（含下级）"), queryset=Unit.objects.all(), method="filter_unit_subtree"
    )
    proposing_unit = filters.ModelChoiceFilter(label=_("申报单位"), queryset=Unit.objects.all())
    size = filters.ChoiceFilter(label=_("投资规模"), choices=SizeBucket.choices, method="filter_size")

    class Meta:
        model = PipelineEntry
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[PipelineEntry], name: str, value: str) -> QuerySet[PipelineEntry]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(project__name__icontains=value) | Q(project__code__icontains=value))

    def filter_level(
        self, queryset: QuerySet[PipelineEntry], name: str, value: str
    ) -> QuerySet[PipelineEntry]:
        return queryset.filter(**{LEVEL_FLAGS[PlanLevel(value)]: True})

    def filter_above_county(
        self, queryset: QuerySet[PipelineEntry], name: str, value: bool | None
    ) -> QuerySet[PipelineEntry]:
        above = Q(to_city=True) | Q(to_province=True)
        if value is None:
            return queryset
        return queryset.filter(above) if value else queryset.exclude(above)

    def filter_decision(
        self, queryset: QuerySet[PipelineEntry], name: str, value: str
    ) -> QuerySet[PipelineEntry]:
        return queryset.filter(decision="" if value == UNREVIEWED else value)

    def filter_unit_subtree(
        self, queryset: QuerySet[PipelineEntry], name: str, value: Unit
    ) -> QuerySet[PipelineEntry]:
        return queryset.filter(in_subtree("project__responsible_unit", value.path))

    def filter_size(
        self, queryset: QuerySet[PipelineEntry], name: str, value: str
    ) -> QuerySet[PipelineEntry]:
        return queryset.filter(in_size_bucket(value, "estimated_investment"))
