"""One FilterSet for the post-evaluation list and its export."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import Category, IndustryField
from evaluation.choices import Grade
from evaluation.models import Evaluation
from lib.params import YearFilter
from projects.choices import SizeBucket, in_size_bucket


class EvaluationFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("项目名称或代码"), method="filter_q")
    category = filters.ModelChoiceFilter(
        label=_("项目类别"), field_name="project__category", queryset=Category.objects.all()
    )
    industry = filters.ModelChoiceFilter(
        label=_("行业领域"), field_name="project__industry", queryset=IndustryField.objects.all()
    )
    size = filters.ChoiceFilter(label=_("投资规模"), choices=SizeBucket.choices, method="filter_size")
    grade = filters.ChoiceFilter(label=_("综合评价"), choices=Grade.choices)
    is_case = filters.BooleanFilter(label=_("典型案例"))
    year = YearFilter(label=_("评价年度"), field_name="evaluated_on__year")

    class Meta:
        model = Evaluation
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Evaluation], name: str, value: str) -> QuerySet[Evaluation]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(project__name__icontains=value) | Q(project__code__icontains=value))

    def filter_size(self, queryset: QuerySet[Evaluation], name: str, value: str) -> QuerySet[Evaluation]:
        return queryset.filter(in_size_bucket(value, "project__total_investment")) if value else queryset
