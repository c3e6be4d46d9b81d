"""One FilterSet for the review rounds' page, its export and /api/observation-rounds/."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from lib.params import YearFilter
from reviews.choices import Half
from reviews.models import Round


class RoundFilterSet(filters.FilterSet):
    year = YearFilter(label=_("年度"))
    half = filters.ChoiceFilter(label=_("半年"), choices=Half.choices)
    q = filters.CharFilter(label=_("活动名称"), field_name="title", lookup_expr="icontains")

    class Meta:
        model = Round
        fields: list[str] = []
