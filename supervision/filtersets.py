"""One FilterSet per list, shared by the page, its .xlsx export and the API."""

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from lib.params import IdFilter, YearFilter
from org.models import Unit
from org.pickers import unit_picker
from supervision.choices import NoticeStatus
from supervision.models import Inspection, Notice


class NoticeFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("搜索"), method="filter_q")
    status = filters.MultipleChoiceFilter(label=_("状态"), choices=NoticeStatus.choices)
    target_unit = filters.ModelChoiceFilter(
        label=_("主送单位（含下级）"),
        queryset=lambda request: (
            Unit.objects.none()
            if request is None or not request.user.is_authenticated
            else Unit.objects.visible_to(request.user)
        ),
        method="filter_unit",
        widget=unit_picker(mine=True),
        empty_label=_("全部"),
    )
    project = IdFilter(label=_("项目"), field_name="projects")
    problem = filters.NumberFilter(label=_("问题"), field_name="problems")
    year = YearFilter(label=_("年度"), field_name="year")
    overdue = filters.BooleanFilter(label=_("逾期未回复"), method="filter_overdue")

    class Meta:
        model = Notice
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Notice], name: str, value: str) -> QuerySet[Notice]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(content__icontains=value))

    def filter_unit(self, queryset: QuerySet[Notice], name: str, value: Unit) -> QuerySet[Notice]:
        return queryset.filter(target_unit__path__startswith=value.path)

    def filter_overdue(self, queryset: QuerySet[Notice], name: str, value: bool | None) -> QuerySet[Notice]:
        if value is None:
            return queryset
        late = Q(status=NoticeStatus.SENT, deadline__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class InspectionFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("项目名称"), field_name="project__name", lookup_expr="icontains")
    project = IdFilter(label=_("项目"), field_name="project_id")
    year = YearFilter(label=_("年度"), field_name="date__year")
    date_from = filters.DateFilter(label=_("起始日期"), field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(label=_("截止日期"), field_name="date", lookup_expr="lte")

    class Meta:
        model = Inspection
        fields: list[str] = []
