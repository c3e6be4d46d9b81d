from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from kiosk.models import ScreenLink
from org.choices import UnitKind
from org.models import Unit
from plans.choices import PlanLevel


class ScreenLinkForm(forms.ModelForm):
    """A new screen link: its name and, optionally, the part of the plans it shows."""

    class Meta:
        model = ScreenLink
        fields = ["name", "level", "unit", "town", "category"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = cast(dict[str, Any], self.fields)
        fields["level"].choices = [("", _("全部级别")), *PlanLevel.choices]
        units = Unit.objects.filter(is_active=True).order_by("path")
        fields["unit"].queryset = units.exclude(kind=UnitKind.OWNER)
        fields["unit"].empty_label = _("全部责任单位")
        fields["town"].queryset = units.filter(kind=UnitKind.TOWN)
        fields["town"].empty_label = _("全部乡镇/街道")
        fields["category"].queryset = Category.objects.filter(is_active=True)
        fields["category"].empty_label = _("全部类别")
