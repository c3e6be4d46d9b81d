from django import forms

from evaluation.models import Evaluation
from projects.forms import DATE_WIDGET


class EvaluationForm(forms.ModelForm):
    """项目后评价: the figures, the dates and the findings of one completed project."""

    class Meta:
        model = Evaluation
        fields = [
            "budget",
            "final_cost",
            "planned_start_date",
            "planned_completion_date",
            "actual_start_date",
            "actual_completion_date",
            "quality_incidents",
            "safety_incidents",
            "incidents_note",
            "appearance",
            "operating_results",
            "annual_revenue",
            "jobs",
            "grade",
            "evaluator",
            "evaluated_on",
            "is_case",
            "case_summary",
        ]
        widgets = {
            "planned_start_date": DATE_WIDGET,
            "planned_completion_date": DATE_WIDGET,
            "actual_start_date": DATE_WIDGET,
            "actual_completion_date": DATE_WIDGET,
            "evaluated_on": DATE_WIDGET,
            "incidents_note": forms.Textarea(attrs={"rows": 2}),
            "appearance": forms.Textarea(attrs={"rows": 2}),
            "operating_results": forms.Textarea(attrs={"rows": 3}),
            "case_summary": forms.Textarea(attrs={"rows": 3}),
        }
