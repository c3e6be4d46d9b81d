"""Filters of the login and operation logs, shared by the pages and their .xlsx exports."""

from datetime import date

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from audit.models import LoginLog, OperationLog


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LogFilterSet(filters.FilterSet):
    """Who, from where, and between which dates (both inclusive, local time)."""

    user = filters.CharFilter(label=_("用户"), method="filter_user")
    ip_address = filters.CharFilter(label=_("IP地址"), method="filter_ip_address")
    date_from = filters.DateFilter(label=_("开始日期"), method="filter_date_from", widget=date_widget())
    date_to = filters.DateFilter(label=_("结束日期"), method="filter_date_to", widget=date_widget())

    user_lookups: tuple[str, ...] = ("user__username", "user__name")

    def filter_user(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for lookup in self.user_lookups:
            condition |= Q(**{f"{lookup}__icontains": value})
        return queryset.filter(condition)

    def filter_ip_address(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(ip_address__contains=value) if value else queryset

    def filter_date_from(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(at__date__gte=value)

    def filter_date_to(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(at__date__lte=value)


class LoginLogFilterSet(LogFilterSet):
    event = filters.ChoiceFilter(label=_("事件"), choices=LoginLog.Event.choices, empty_label=_("全部"))

    user_lookups = ("username", "user__name")

    class Meta:
        model = LoginLog
        fields: list[str] = []


class OperationLogFilterSet(LogFilterSet):
    action = filters.ChoiceFilter(label=_("操作"), choices=OperationLog.Action.choices, empty_label=_("全部"))
    object = filters.CharFilter(label=_("对象"), method="filter_object")

    class Meta:
        model = OperationLog
        fields: list[str] = []

    def filter_object(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(object_repr__icontains=value) | Q(object_type__icontains=value) | Q(note__icontains=value)
        )
