"""One FilterSet for the milestones list and /api/milestones/."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from lib.params import IdFilter
from milestones.models import Milestone


class MilestoneFilterSet(filters.FilterSet):
    project = IdFilter(label=_("项目"), field_name="project_id")
    overdue = filters.BooleanFilter(label=_("超期"), method="filter_overdue")
    done = filters.BooleanFilter(
        label=_("已完成"), field_name="actual_date", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Milestone
        fields: list[str] = []

    def filter_overdue(
        self, queryset: QuerySet[Milestone], name: str, value: bool | None
    ) -> QuerySet[Milestone]:
        if value is None:
            return queryset
        overdue = Milestone.objects.overdue(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)
