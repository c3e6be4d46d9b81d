"""One FilterSet per list, shared by the page, its .xlsx export and the API."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from lib.params import IdFilter, YearFilter
from org.models import Unit
from problems.choices import MatterStatus, MeetingKind, ProblemCategory, ProblemStatus
from problems.models import Matter, Meeting, Problem
from problems.querysets import problem_thresholds


class ProblemFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("搜索"), method="filter_q")
    status = filters.MultipleChoiceFilter(label=_("状态"), choices=ProblemStatus.choices)
    category = filters.ChoiceFilter(label=_("问题类别"), choices=ProblemCategory.choices)
    # A plain number: an id out of reach gives an empty list exactly like one that does not exist.
    project = IdFilter(label=_("项目"), field_name="project_id")
    unit = filters.ModelChoiceFilter(
        label=_("责任单位（含下级）"), queryset=Unit.objects.all(), method="filter_unit"
    )
    overdue = filters.BooleanFilter(label=_("超期"), method="filter_overdue")
    year = YearFilter(label=_("提出年度"), field_name="raised_at__year")

    class Meta:
        model = Problem
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Problem], name: str, value: str) -> QuerySet[Problem]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(description__icontains=value) | Q(project__name__icontains=value))

    def filter_unit(self, queryset: QuerySet[Problem], name: str, value: Unit) -> QuerySet[Problem]:
        through = Problem.responsible_units.through
        assigned = through.objects.filter(unit__path__startswith=value.path).values("problem_id")
        return queryset.filter(pk__in=assigned)

    def filter_overdue(self, queryset: QuerySet[Problem], name: str, value: bool | None) -> QuerySet[Problem]:
        if value is None:
            return queryset
        yellow, _red = problem_thresholds()
        overdue = Problem.objects.overdue(timezone.localdate() - timedelta(days=yellow)).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


class MeetingFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("会议名称"), field_name="title", lookup_expr="icontains")
    kind = filters.ChoiceFilter(label=_("会议类型"), choices=MeetingKind.choices)
    year = YearFilter(label=_("年度"), field_name="date__year")

    class Meta:
        model = Meeting
        fields: list[str] = []


class MatterFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("搜索"), method="filter_q")
    status = filters.MultipleChoiceFilter(label=_("状态"), choices=MatterStatus.choices)
    meeting = filters.NumberFilter(label=_("会议"), field_name="meeting_id")
    project = IdFilter(label=_("项目"), field_name="project_id")
    problem = filters.NumberFilter(label=_("关联问题"), field_name="problem_id")
    owner_unit = filters.ModelChoiceFilter(
        label=_("牵头单位（含下级）"), queryset=Unit.objects.all(), method="filter_unit"
    )
    overdue = filters.BooleanFilter(label=_("超期"), method="filter_overdue")
    year = YearFilter(label=_("会议年度"), field_name="meeting__date__year")

    class Meta:
        model = Matter
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Matter], name: str, value: str) -> QuerySet[Matter]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(content__icontains=value) | Q(project__name__icontains=value))

    def filter_unit(self, queryset: QuerySet[Matter], name: str, value: Unit) -> QuerySet[Matter]:
        return queryset.filter(owner_unit__path__startswith=value.path)

    def filter_overdue(self, queryset: QuerySet[Matter], name: str, value: bool | None) -> QuerySet[Matter]:
        if value is None:
            return queryset
        overdue = Q(deadline__lt=timezone.localdate()) & ~Q(status=MatterStatus.DONE)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
