"""FilterSets shared by the funding and element pages, their exports and the API."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import FundingSource
from elements.choices import WAITING_STATUSES, ElementStatus
from elements.models import ElementNeed, ElementType, FundingRecord
from lib.params import IdFilter, YearFilter
from org.choices import UnitKind
from org.models import Unit


def search_projects(queryset: QuerySet, name: str, value: str) -> QuerySet:
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(Q(project__name__icontains=value) | Q(project__code__icontains=value))


class FundingRecordFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("项目名称或代码"), method=search_projects)
    year = YearFilter(label=_("资金年度"))
    source = filters.ModelChoiceFilter(label=_("资金来源"), queryset=FundingSource.objects.all())
    # A plain number, so an id out of reach gives an empty list exactly like one that does not exist.
    project = IdFilter(label=_("项目"), field_name="project_id")

    class Meta:
        model = FundingRecord
        fields: list[str] = []


class ElementNeedFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("项目名称或代码"), method=search_projects)
    type = filters.ModelChoiceFilter(label=_("要素类型"), queryset=ElementType.objects.all())
    department = filters.ModelChoiceFilter(
        label=_("保障部门"), queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT)
    )
    status = filters.ChoiceFilter(label=_("保障状态"), choices=ElementStatus.choices)
    waiting = filters.BooleanFilter(label=_("待保障"), method="filter_waiting")
    project = IdFilter(label=_("项目"), field_name="project_id")

    class Meta:
        model = ElementNeed
        fields: list[str] = []

    def filter_waiting(
        self, queryset: QuerySet[ElementNeed], name: str, value: bool | None
    ) -> QuerySet[ElementNeed]:
        if value is None:
            return queryset
        waiting = Q(status__in=WAITING_STATUSES)
        return queryset.filter(waiting) if value else queryset.exclude(waiting)
