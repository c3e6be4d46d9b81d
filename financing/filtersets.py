"""FilterSets shared by the financing pages, their exports and the API."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from financing.choices import FinancingKind, NeedState
from financing.models import Bank, FinancingNeed, MatchEvent
from lib.params import IdFilter, YearFilter


def search_projects(queryset: QuerySet, name: str, value: str) -> QuerySet:
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(Q(project__name__icontains=value) | Q(project__code__icontains=value))


class FinancingNeedFilterSet(filters.FilterSet):
    """Needs by project, year, state (an annotation of with_outcome()), means and bank signed with."""

    q = filters.CharFilter(label=_("项目名称或代码"), method=search_projects)
    year = YearFilter(label=_("需求年度"))
    state = filters.ChoiceFilter(label=_("对接状态"), choices=NeedState.choices, field_name="state")
    kind = filters.ChoiceFilter(label=_("融资方式"), choices=FinancingKind.choices)
    bank = filters.ModelChoiceFilter(
        label=_("签约银行"), queryset=Bank.objects.all(), field_name="signings__bank", distinct=True
    )
    project = IdFilter(label=_("项目"), field_name="project_id")

    class Meta:
        model = FinancingNeed
        fields: list[str] = []


class MatchEventFilterSet(filters.FilterSet):
    year = YearFilter(label=_("年度"))
    q = filters.CharFilter(label=_("活动名称"), field_name="title", lookup_expr="icontains")
    bank = filters.ModelChoiceFilter(
        label=_("金融机构"), queryset=Bank.objects.all(), field_name="banks", distinct=True
    )

    class Meta:
        model = MatchEvent
        fields: list[str] = []
