"""The public project list's filters (信息公开): search, category, industry, status, town and plan."""

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import Category, IndustryField
from org.choices import UnitKind
from org.models import Unit
from plans.models import Plan
from projects.choices import ProjectStatus
from projects.models import Project


def plans_in_force(request: HttpRequest | None) -> QuerySet[Plan]:
    """年度计划 choices: the plans in force, the same for every visitor."""
    return Plan.objects.in_force()


class PublicProjectFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("搜索"), method="filter_q")
    category = filters.ModelChoiceFilter(
        label=_("项目类别"), queryset=Category.objects.filter(is_active=True)
    )
    industry = filters.ModelChoiceFilter(
        label=_("行业领域"), queryset=IndustryField.objects.filter(is_active=True)
    )
    status = filters.ChoiceFilter(label=_("项目状态"), choices=ProjectStatus.choices)
    town = filters.ModelChoiceFilter(
        label=_("乡镇/街道"), queryset=Unit.objects.filter(kind=UnitKind.TOWN, is_active=True)
    )
    plan = filters.ModelChoiceFilter(label=_("年度计划"), queryset=plans_in_force, method="filter_plan")

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))

    def filter_plan(self, queryset: QuerySet[Project], name: str, value: Plan) -> QuerySet[Project]:
        return queryset.filter(plan_entries__plan=value)
