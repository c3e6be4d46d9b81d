from typing import Any

from django import forms
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from notifications.channels import channel_setup
from notifications.models import NotificationPreference


class PreferenceForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("除站内消息外，还通过以下渠道通知我"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = NotificationPreference
        fields = ["channels", "quiet_start", "quiet_end"]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {"quiet_end": _("免打扰时段内的短信、邮件推迟到结束时发送，不会丢失。")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channels = self.fields["channels"]
        assert isinstance(channels, forms.ChoiceField)
        channels.choices = [
            (
                setup.channel,
                setup.label
                if setup.configured
                else _t("%(label)s（未配置，暂不发送）") % {"label": setup.label},
            )
            for setup in channel_setup()
        ]
