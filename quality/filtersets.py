"""One FilterSet for the data-quality board and its export."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from lib.params import YearFilter
from org.models import Unit, in_subtree
from quality.choices import FlagKind, FlagState
from quality.models import Flag


class FlagFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("项目名称或代码"), method="filter_q")
    kind = filters.ChoiceFilter(label=_("疑点类型"), choices=FlagKind.choices)
    state = filters.ChoiceFilter(label=_("状态"), choices=FlagState.choices)
    year = YearFilter(label=_("年度"), field_name="year")
    month = filters.NumberFilter(label=_("月份"), field_name="month", min_value=1, max_value=12)
    unit = filters.ModelChoiceFilter(
        label=_("责任单位（含下级）"), queryset=Unit.objects.all(), method="filter_unit"
    )

    class Meta:
        model = Flag
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Flag], name: str, value: str) -> QuerySet[Flag]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(project__name__icontains=value) | Q(project__code__icontains=value))

    def filter_unit(self, queryset: QuerySet[Flag], name: str, value: Unit) -> QuerySet[Flag]:
        return queryset.filter(in_subtree("project__responsible_unit", value.path))
