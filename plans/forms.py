import hashlib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from org.models import User
from plans.models import PROJECT_DATE_FIELDS, Plan, PlanEntry, entry_date_warnings
from projects.models import Project
from projects.pickers import project_picker


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
        widgets = {"project": project_picker(open_only=True)}
        error_messages = {"project": {"invalid_choice": _("该项目已在本计划中、已取消，或不在您的范围内。")}}

    # The confirmation a save with date warnings needs: the digest of the warnings the user saw.
    CONFIRM = "confirm_warnings"

    def __init__(self, *args: Any, plan: Plan, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.date_warnings: list[str] = []
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
        plan_type = data.get("plan_type")
        if project and plan_type:
            self.date_warnings = entry_date_warnings(
                self.instance.plan.year,
                plan_type,
                {field: getattr(project, field) for field in PROJECT_DATE_FIELDS},
                start_month=data.get("planned_start_month"),
                completion_month=data.get("planned_completion_month"),
            )
        return data

    @property
    def warnings_digest(self) -> str:
        """What the confirmation carries: these warnings and no others were shown."""
        return hashlib.sha256("\n".join(self.date_warnings).encode()).hexdigest()[:16]

    @property
    def needs_confirmation(self) -> bool:
        """A valid entry with date warnings the user has not yet seen and chosen to save anyway."""
        return bool(self.date_warnings) and self.data.get(self.CONFIRM) != self.warnings_digest
