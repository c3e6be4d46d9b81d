from django import forms
from django.utils.translation import gettext_lazy as _


class DismissForm(forms.Form):
    """排除疑点: why the flag is not a problem (核实无误的理由)."""

    reason = forms.CharField(
        label=_("排除理由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：经现场核实，本月集中支付设备款，数据属实。"),
    )
