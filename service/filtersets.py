"""One FilterSet for a 分包领导's page of projects."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from projects.choices import ProjectStatus
from projects.models import Project


class LedProjectFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("项目名称或代码"), method="filter_q")
    status = filters.ChoiceFilter(label=_("项目状态"), choices=ProjectStatus.choices)

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))
