"""One FilterSet for the warnings board and its .xlsx export."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from alerts.choices import AlertState, Colour
from alerts.models import Alert
from alerts.rules import registry
from org.models import Unit, in_subtree


def rule_choices() -> list[tuple[str, str]]:
    return [(code, str(rule.name)) for code, rule in registry().items()]


class AlertFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("项目名称"), method="filter_q")
    rule = filters.ChoiceFilter(label=_("预警规则"), choices=[])
    colour = filters.ChoiceFilter(label=_("灯色"), choices=Colour.choices)
    state = filters.ChoiceFilter(label=_("状态"), choices=AlertState.choices)
    unit = filters.ModelChoiceFilter(
        label=_("责任单位（含下级）"), queryset=Unit.objects.all(), method="filter_unit_subtree"
    )

    class Meta:
        model = Alert
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Other apps register rules at start-up: read the registry when the form is built.
        self.filters["rule"].extra["choices"] = rule_choices()

    def filter_q(self, queryset: QuerySet[Alert], name: str, value: str) -> QuerySet[Alert]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(project__name__icontains=value) | Q(project__code__icontains=value))

    def filter_unit_subtree(self, queryset: QuerySet[Alert], name: str, value: Unit) -> QuerySet[Alert]:
        return queryset.filter(in_subtree("project__responsible_unit", value.path))
