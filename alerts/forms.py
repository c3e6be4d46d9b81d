from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import AlertRuleConfig


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("销号原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：已协调解决，经现场核实。"),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("人工销号须填写原因。"))
        return reason


class RuleConfigForm(forms.ModelForm):
    class Meta:
        model = AlertRuleConfig
        fields = ["enabled", "yellow_threshold", "red_threshold", "min_total_investment"]
