"""The filters of the named lists' page."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from portfolios.choices import ListKind
from portfolios.models import ProjectList


class ProjectListFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("清单名称"), field_name="name", lookup_expr="icontains")
    kind = filters.ChoiceFilter(label=_("清单类别"), choices=ListKind.choices)

    class Meta:
        model = ProjectList
        fields: list[str] = []
