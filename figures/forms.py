"""The scope (口径) a person picks for the figures: plan level, responsible unit, town, category,
投资性质, size and named list (清单). One form for the dashboard, the rankings, the API and the bulletins."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from org.choices import UnitKind
from org.models import Unit
from plans.choices import PlanLevel
from plans.scope import Scope
from projects import page
from projects.choices import InvestmentNature

# The query-string names of the scope's fields, in the order the filters show them.
SCOPE_FIELDS = ("level", "unit", "town", "category", "nature", "min_total", "list")
# 万元 in 亿元: "亿元以上" is a least 总投资 of 10000 万元.
YI = Decimal(10000)


class ScopeForm(forms.Form):
    """统计口径: every field optional; an empty form is the whole of what the user sees."""

    level = forms.ChoiceField(
        label=_("计划级别"), choices=[("", _("全部级别")), *PlanLevel.choices], required=False
    )
    unit = forms.ModelChoiceField(
        label=_("责任单位"), queryset=Unit.objects.none(), required=False, empty_label=_("全部责任单位")
    )
    town = forms.ModelChoiceField(
        label=_("乡镇/街道"),
        queryset=Unit.objects.filter(kind=UnitKind.TOWN).order_by("path"),
        required=False,
        empty_label=_("全部乡镇/街道"),
    )
    category = forms.ModelChoiceField(
        label=_("项目类别"), queryset=Category.objects.all(), required=False, empty_label=_("全部类别")
    )
    nature = forms.ChoiceField(
        label=_("投资性质"), choices=[("", _("全部投资性质")), *InvestmentNature.choices], required=False
    )
    min_total = forms.DecimalField(
        label=_("总投资不低于（万元）"),
        required=False,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=2,
        help_text=_("如 10000 即亿元以上项目"),
        widget=forms.NumberInput(attrs={"placeholder": _("不限"), "step": "any", "min": "0"}),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # The responsible units the user may see (a unit's own subtree for a department or town).
        units = Unit.objects.filter_choices_for(user) if user is not None else Unit.objects.all()
        self.fields["unit"].queryset = units.exclude(kind=UnitKind.OWNER).order_by("path")  # type: ignore[attr-defined]  # a ModelChoiceField
        # 清单 are kept by an app above figures; the field is there when one keeps them.
        lists = page.project_lists()
        if lists is not None:
            self.fields["list"] = forms.ModelChoiceField(
                label=_("项目清单"), queryset=lists, required=False, empty_label=_("全部项目")
            )

    def scope(self) -> Scope:
        """The scope of the fields that are valid (an invalid one narrows nothing), for the form's user."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        data = self.cleaned_data
        return Scope(
            level=data.get("level") or None,
            unit=data.get("unit"),
            town=data.get("town"),
            category=data.get("category"),
            nature=data.get("nature") or None,
            min_total=data.get("min_total"),
            project_list=data.get("list"),
            user=self.user,
        )

    @property
    def narrowed(self) -> bool:
        """Whether a field other than the plan level is set (the filters open with it shown)."""
        return any(self.data.get(name) for name in SCOPE_FIELDS if name != "level")


def scope_query(scope: Scope) -> dict[str, Any]:
    """The query-string values that give `scope` back through ScopeForm (empty ones left out)."""
    values = {
        "level": scope.level,
        "unit": scope.unit.pk if scope.unit else None,
        "town": scope.town.pk if scope.town else None,
        "category": scope.category.pk if scope.category else None,
        "nature": scope.nature,
        "min_total": scope.min_total,
        "list": scope.project_list.pk if scope.project_list else None,
    }
    return {name: value for name, value in values.items() if value not in (None, "")}


def scope_words(scope: Scope) -> str:
    """The scope in words for titles and sentences: "政府投资亿元以上", "企业投资总投资5000万元以上",
    "关键项目清单" …"""
    words = []
    if scope.project_list is not None:
        name = scope.project_list.name
        words.append(name if name.endswith("清单") else f"{name}清单")
    if scope.nature:
        words.append(str(InvestmentNature(scope.nature).label))
    if scope.min_total:
        if scope.min_total == YI:
            words.append("亿元以上")
        elif scope.min_total % YI == 0:
            words.append(f"{scope.min_total / YI:.0f}亿元以上")
        else:
            words.append(f"总投资{scope.min_total.normalize():f}万元以上")
    return "".join(words)
