"""FilterSets of the plans and their entries, for the pages and /api/plans/, /api/plan-entries/."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from lib.params import IdFilter
from plans.models import Plan, PlanEntry


class PlanFilterSet(filters.FilterSet):
    in_force = filters.BooleanFilter(label=_("现行版本"), method="filter_in_force")

    class Meta:
        model = Plan
        fields = ["year", "level", "version", "kind"]

    def filter_in_force(self, queryset: QuerySet[Plan], name: str, value: bool | None) -> QuerySet[Plan]:
        if value is None:
            return queryset
        in_force = Plan.objects.in_force().values("pk")
        return queryset.filter(pk__in=in_force) if value else queryset.exclude(pk__in=in_force)


class PlanEntryFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("项目名称或代码"), method="filter_q")
    # A plain number, so an id out of reach gives an empty list exactly like one that does not exist.
    project = IdFilter(label=_("项目"), field_name="project_id")

    class Meta:
        model = PlanEntry
        fields = ["plan", "plan__year", "plan__level", "plan_type", "project"]

    def filter_q(self, queryset: QuerySet[PlanEntry], name: str, value: str) -> QuerySet[PlanEntry]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(project__name__icontains=value) | Q(project__code__icontains=value))
