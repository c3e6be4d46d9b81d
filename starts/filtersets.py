"""One FilterSet for the collective start pages, their export and /api/start-events/."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from lib.params import YearFilter
from starts.models import StartEvent


class StartEventFilterSet(filters.FilterSet):
    year = YearFilter(label=_("年度"))
    q = filters.CharFilter(label=_("批次名称"), field_name="batch", lookup_expr="icontains")

    class Meta:
        model = StartEvent
        fields: list[str] = []
