from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from org.choices import UnitKind
from org.models import Unit, User
from org.pickers import unit_picker
from pipeline.choices import PROMOTION_PLAN_TYPES, Decision
from pipeline.models import PIPELINE_STATUSES, PipelineEntry, ReviewRound
from plans.choices import PlanLevel
from projects.forms import DATE_WIDGET
from projects.models import Project
from projects.pickers import project_picker


class PipelineEntryForm(forms.ModelForm):
    """谋划项目登记: a project of one's own proposed for a coming year's plans."""

    class Meta:
        model = PipelineEntry
        fields = [
            "project",
            "proposed_year",
            "estimated_investment",
            "proposed_annual_investment",
            "to_province",
            "to_city",
            "to_local",
            "readiness",
            "proposing_unit",
            "planned_start_month",
            "note",
        ]
        widgets = {
            "project": project_picker(editable=True, statuses=PIPELINE_STATUSES),
            "proposing_unit": unit_picker(UnitKind.DEPARTMENT, UnitKind.TOWN, UnitKind.OWNER),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        projects = Project.objects.editable_by(user).order_by("name")
        if self.instance.pk:
            # The project of an entry is fixed: a different project is a different entry.
            self.fields["project"].disabled = True
            projects = Project.objects.filter(pk=self.instance.project_id)
        else:
            projects = projects.filter(status__in=PIPELINE_STATUSES)
            self.fields["proposed_year"].initial = timezone.localdate().year + 1
            self.fields["proposing_unit"].initial = user.unit_id
        choice_fields = cast(dict[str, forms.ModelChoiceField], self.fields)
        choice_fields["project"].queryset = projects
        choice_fields["proposing_unit"].queryset = Unit.objects.filter(is_active=True).exclude(
            kind=UnitKind.GOVERNMENT
        )
        self.fields["project"].help_text = _("只列出您可修改的谋划/储备、前期项目。")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        project, year = data.get("project"), data.get("proposed_year")
        duplicate = (
            not self.instance.pk
            and project
            and year
            and PipelineEntry.objects.filter(project=project, proposed_year=year).exists()
        )
        if duplicate:
            raise ValidationError({"proposed_year": _t("该项目已列入%(y)s年的谋划库。") % {"y": year}})
        return data


class ReviewRoundForm(forms.ModelForm):
    """谋划轮次: the next round of review of a year's pipeline."""

    class Meta:
        model = ReviewRound
        fields = ["year", "number", "held_on", "note"]
        widgets = {"held_on": DATE_WIDGET, "note": forms.Textarea(attrs={"rows": 2})}


class PromoteForm(forms.Form):
    """纳入年度计划: which entries, onto which level's plan, as 新开工 or 预备."""

    entries = forms.ModelMultipleChoiceField(
        label=_("谋划项目"), queryset=PipelineEntry.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    level = forms.ChoiceField(label=_("纳入计划级别"), choices=PlanLevel.choices, initial=PlanLevel.LOCAL)
    plan_type = forms.ChoiceField(label=_("计划类型"), choices=PROMOTION_PLAN_TYPES)

    def __init__(self, *args: Any, entries: QuerySet[PipelineEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["entries"]).queryset = entries
        self.fields["entries"].error_messages["required"] = _("请至少勾选一个项目。")
        self.fields["entries"].error_messages["invalid_choice"] = _("所选项目不存在或无权操作。")


DECISION_CHOICES = [("", _("（不变）")), *Decision.choices]
