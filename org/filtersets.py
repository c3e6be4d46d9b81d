"""Filters of the user list."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from org.choices import Role
from org.forms import tree_choices
from org.models import Unit, User
from org.pickers import unit_picker

ACTIVE_CHOICES = [("yes", _("启用")), ("no", _("停用"))]


class UserFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("搜索"), method="filter_q")
    role = filters.ChoiceFilter(label=_("角色"), choices=Role.choices, empty_label=_("全部角色"))
    unit = filters.ModelChoiceFilter(
        label=_("单位（含下级）"),
        queryset=Unit.objects.all(),
        method="filter_unit",
        empty_label=_("全部单位"),
        widget=unit_picker(),
    )
    active = filters.ChoiceFilter(
        label=_("状态"), choices=ACTIVE_CHOICES, method="filter_active", empty_label=_("全部")
    )

    class Meta:
        model = User
        fields: list[str] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        tree_choices(self.form.fields["unit"])

    def filter_q(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value) | Q(name__icontains=value) | Q(unit__name__icontains=value)
        )

    def filter_unit(self, queryset: QuerySet[User], name: str, value: Unit) -> QuerySet[User]:
        return queryset.filter(unit__path__startswith=value.path)

    def filter_active(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(is_active=value == "yes")
