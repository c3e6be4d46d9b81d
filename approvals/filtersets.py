"""One FilterSet for the overdue-procedure page, its export and /api/approvals/overdue/."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import ProcedureType
from org.choices import UnitKind
from org.models import Unit
from projects.models import Procedure


class OverdueFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("项目名称或代码"), method="filter_q")
    type = filters.ModelChoiceFilter(label=_("手续类型"), queryset=ProcedureType.objects.all())
    department = filters.ModelChoiceFilter(
        label=_("审批部门"), queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT)
    )
    green_channel = filters.BooleanFilter(label=_("绿色通道"))

    class Meta:
        model = Procedure
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Procedure], name: str, value: str) -> QuerySet[Procedure]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(project__name__icontains=value) | Q(project__code__icontains=value))
