"""One FilterSet for the project list page, its .xlsx export and /api/projects/."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import Category, IndustryField
from lib.params import IdFilter, YearFilter
from org.choices import UnitKind
from org.models import Unit, in_subtree
from projects import page
from projects.choices import InvestmentNature, PlanLevel, ProjectStatus, SizeBucket, in_size_bucket
from projects.models import Procedure, Project


def units_for_request(request: HttpRequest | None) -> QuerySet[Unit]:
    """责任单位 choices: the units the user may see, as on every list page (the API's filter form too)."""
    if request is None or not request.user.is_authenticated:
        return Unit.objects.none()
    return Unit.objects.filter_choices_for(request.user)


class ProjectFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("搜索"), method="filter_q")
    status = filters.MultipleChoiceFilter(label=_("项目状态"), choices=ProjectStatus.choices)
    category = filters.ModelChoiceFilter(label=_("项目类别"), queryset=Category.objects.all())
    industry = filters.ModelChoiceFilter(label=_("行业领域"), queryset=IndustryField.objects.all())
    investment_nature = filters.ChoiceFilter(label=_("投资性质"), choices=InvestmentNature.choices)
    plan_year = YearFilter(label=_("计划年度"), method="filter_plan")
    plan_level = filters.ChoiceFilter(label=_("计划级别"), choices=PlanLevel.choices, method="filter_plan")
    responsible_unit = filters.ModelChoiceFilter(
        label=_("责任单位（含下级）"), queryset=units_for_request, method="filter_unit_subtree"
    )
    town = filters.ModelChoiceFilter(label=_("乡镇/街道"), queryset=Unit.objects.filter(kind=UnitKind.TOWN))
    size = filters.ChoiceFilter(label=_("投资规模"), choices=SizeBucket.choices, method="filter_size")
    min_total = filters.NumberFilter(
        label=_("总投资不低于（万元）"),
        field_name="total_investment",
        lookup_expr="gte",
        min_value=0,
        max_digits=16,
        decimal_places=2,
    )
    # 分包领导, a person of the directory: a plain id, so that one out of sight gives an empty list
    # exactly like one that does not exist.
    leader_in_charge = IdFilter(label=_("分包领导"), field_name="leader_in_charge_id")
    green_channel = filters.BooleanFilter(label=_("绿色通道"))
    # Projects imported from a table that names no 责任单位 (附件2) wait here for one.
    unassigned = filters.BooleanFilter(
        label=_("责任单位待明确"), field_name="responsible_unit", lookup_expr="isnull"
    )
    # 清单 (关键项目, 百个前期 …), kept by an app above; the filter is dropped when none keeps them.
    project_list = filters.ModelChoiceFilter(
        label=_("项目清单"), queryset=lambda request: page.project_lists(), method="filter_project_list"
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def filter_plan(self, queryset: QuerySet[Project], name: str, value: object) -> QuerySet[Project]:
        # Year and level are applied together against the plan entries, once.
        return queryset

    def filter_unit_subtree(self, queryset: QuerySet[Project], name: str, value: Unit) -> QuerySet[Project]:
        return queryset.filter(in_subtree("responsible_unit", value.path))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if page.project_lists() is None:
            del self.filters["project_list"]

    def filter_project_list(self, queryset: QuerySet[Project], name: str, value: Any) -> QuerySet[Project]:
        return queryset.filter(pk__in=value.project_ids())

    def filter_size(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return queryset.filter(in_size_bucket(value, "total_investment"))

    def filter_queryset(self, queryset: QuerySet[Project]) -> QuerySet[Project]:
        queryset = super().filter_queryset(queryset)
        year = self.form.cleaned_data.get("plan_year")
        level = self.form.cleaned_data.get("plan_level")
        if year or level:
            queryset = queryset.filter(pk__in=page.on_plans(year, level))
        return queryset


class ProcedureFilterSet(filters.FilterSet):
    # A plain number, so an id out of reach gives an empty list exactly like one that does not exist.
    project = IdFilter(label=_("项目"), field_name="project_id")

    class Meta:
        model = Procedure
        fields = ["project", "type", "status", "green_channel"]
