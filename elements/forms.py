from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _t

from catalog.models import FundingSource
from elements.models import ElementNeed, ElementType, FundingRecord
from org.choices import UnitKind
from org.models import Unit
from projects.forms import DATE_WIDGET
from projects.models import Project

# What the supplying department may change on a need it was asked to supply.
SUPPLIER_FIELDS = ("secured", "cultivated_secured", "indicator_source", "status", "note")


class FundingRecordForm(forms.ModelForm):
    """资金记录 of a project: one source, one year, with the bond details for 专项债."""

    class Meta:
        model = FundingRecord
        fields = [
            "source",
            "year",
            "planned",
            "approved",
            "arrived",
            "spent",
            "document_number",
            "approved_on",
            "arrived_on",
            "issue_batch",
            "issued_on",
            "note",
        ]
        widgets = {"approved_on": DATE_WIDGET, "arrived_on": DATE_WIDGET, "issued_on": DATE_WIDGET}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        sources = FundingSource.objects.filter(is_active=True)
        if self.instance.pk:
            sources = sources | FundingSource.objects.filter(pk=self.instance.source_id)
        cast(forms.ModelChoiceField, self.fields["source"]).queryset = sources
        self.fields["year"].initial = timezone.localdate().year


class ElementNeedForm(forms.ModelForm):
    """要素需求 of a project; the supplying department (supplier=True) changes only how far it has got."""

    class Meta:
        model = ElementNeed
        fields = [
            "type",
            "needed",
            "secured",
            "cultivated_needed",
            "cultivated_secured",
            "indicator_source",
            "status",
            "department",
            "needed_by",
            "note",
        ]
        widgets = {"needed_by": DATE_WIDGET}

    def __init__(self, *args: Any, project: Project, supplier: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        types = ElementType.objects.filter(is_active=True)
        if self.instance.pk:
            types = types | ElementType.objects.filter(pk=self.instance.type_id)
        choice_fields = cast(dict[str, forms.ModelChoiceField], self.fields)
        choice_fields["type"].queryset = types
        choice_fields["department"].queryset = Unit.objects.filter(is_active=True, kind=UnitKind.DEPARTMENT)
        self.fields["department"].help_text = _t("留空时取该要素类型的默认保障部门。")
        self.fields["department"].required = False
        if supplier:
            for name in self.fields:
                if name not in SUPPLIER_FIELDS:
                    self.fields[name].disabled = True

    def clean_type(self) -> ElementType:
        element_type = self.cleaned_data["type"]
        clash = ElementNeed.objects.filter(project=self.instance.project, type=element_type).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise ValidationError(_t("该项目已登记“%(t)s”需求，请直接修改那一条。") % {"t": element_type})
        return element_type

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("department") and data.get("type"):
            data["department"] = data["type"].department
            self.instance.department = data["department"]
            if data["department"] is None:
                self.add_error("department", _t("请选择保障部门（该要素类型没有默认保障部门）。"))
        return data
