from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from milestones.models import Milestone, MilestoneTemplate, MilestoneTemplateNode
from org.models import Unit
from org.pickers import unit_picker
from projects.forms import DATE_WIDGET
from projects.models import Project


class MilestoneForm(forms.ModelForm):
    """项目节点: name, planned and actual dates, who answers for it."""

    class Meta:
        model = Milestone
        fields = [
            "name",
            "planned_date",
            "actual_date",
            "responsible_unit",
            "responsible_person",
            "note",
            "sort_order",
        ]
        widgets = {"planned_date": DATE_WIDGET, "actual_date": DATE_WIDGET, "responsible_unit": unit_picker()}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        cast(forms.ModelChoiceField, self.fields["responsible_unit"]).queryset = Unit.objects.filter(
            is_active=True
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Milestone.objects.filter(project=self.instance.project, name=name).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise ValidationError(_t("该项目已有名为“%(n)s”的节点。") % {"n": name})
        return name


class ApplyTemplateForm(forms.Form):
    template = forms.ModelChoiceField(label=_("节点计划模板"), queryset=MilestoneTemplate.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["template"]).queryset = MilestoneTemplate.objects.filter(
            is_active=True
        )


class TemplateForm(forms.ModelForm):
    class Meta:
        model = MilestoneTemplate
        fields = ["name", "project_kind", "description", "sort_order", "is_active"]


class NodeForm(forms.ModelForm):
    class Meta:
        model = MilestoneTemplateNode
        fields = ["name", "offset_days", "sort_order"]


NodeFormSet = inlineformset_factory(
    MilestoneTemplate, MilestoneTemplateNode, form=NodeForm, extra=3, can_delete=True
)
