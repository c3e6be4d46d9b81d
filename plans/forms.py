from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _t

from org.models import User
from plans.models import Plan, PlanEntry
from projects.models import Project


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["year", "level", "title", "document_number", "issued_on", "note"]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        year, level = data.get("year"), data.get("level")
        if not self.instance.pk and year and level and Plan.objects.filter(year=year, level=level).exists():
            raise ValidationError(
                _t("%(year)s年的该级别计划已存在；如需调整，请在原计划上“生成调整方案”。") % {"year": year}
            )
        return data

    def save(self, commit: bool = True) -> Plan:
        plan: Plan = super().save(commit=False)
        if not plan.pk:
            plan.version = 1
        if commit:
            plan.save()
        return plan


class PlanEntryForm(forms.ModelForm):
    class Meta:
        model = PlanEntry
        fields = [
            "project",
            "plan_type",
            "annual_investment",
            "target",
            "planned_start_month",
            "planned_completion_month",
            "note",
        ]

    def __init__(self, *args: Any, plan: Plan, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        listed = plan.entries.exclude(pk=self.instance.pk).values("project_id")
        project = self.fields["project"]
        assert isinstance(project, forms.ModelChoiceField)
        project.queryset = (
            Project.objects.visible_to(user)
            .exclude(pk__in=listed)
            .exclude(status="cancelled")
            .order_by("name")
        )
        if self.instance.pk:
            self.fields["project"].disabled = True
        self.fields["annual_investment"].error_messages["invalid"] = _t("请输入数字（单位：万元）。")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        project, annual = data.get("project"), data.get("annual_investment")
        if project and annual is not None and annual > project.total_investment:
            self.add_error(
                "annual_investment",
                _t("年度计划投资不能超过项目总投资（%(t)s 万元）。") % {"t": project.total_investment},
            )
        return data
