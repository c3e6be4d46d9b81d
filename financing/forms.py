from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from financing.models import Bank, FinancingNeed, MatchEvent, Signing
from org.choices import UnitKind
from org.models import Unit
from projects.forms import DATE_WIDGET


class FinancingNeedForm(forms.ModelForm):
    """融资需求: how much the project asks for, for what, over how long, and by what means."""

    class Meta:
        model = FinancingNeed
        fields = [
            "year",
            "amount",
            "purpose",
            "term_months",
            "kind",
            "contact",
            "note",
            "closed",
            "closed_reason",
        ]

    def __init__(self, *args: Any, project: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project


class SigningForm(forms.ModelForm):
    """签约结果: the bank, the amount signed and the day, and the event it was signed at."""

    class Meta:
        model = Signing
        fields = ["bank", "amount", "signed_on", "event", "note"]
        widgets = {"signed_on": DATE_WIDGET}

    def __init__(self, *args: Any, need: FinancingNeed, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.need = need
        cast(forms.ModelChoiceField, self.fields["bank"]).queryset = Bank.objects.filter(is_active=True)
        cast(forms.ModelChoiceField, self.fields["event"]).queryset = MatchEvent.objects.order_by("-held_on")


class MatchEventForm(forms.ModelForm):
    """政银企对接活动: the day, the banks and the projects' needs recommended to them."""

    class Meta:
        model = MatchEvent
        fields = ["held_on", "title", "place", "organizer", "banks", "needs", "note"]
        widgets = {
            "held_on": DATE_WIDGET,
            "banks": forms.SelectMultiple(attrs={"size": 8}),
            "needs": forms.SelectMultiple(attrs={"size": 10}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"needs": _("按住 Ctrl（Mac 上为 ⌘）可多选。")}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organizer"]).queryset = Unit.objects.exclude(
            kind=UnitKind.OWNER
        )
        cast(forms.ModelMultipleChoiceField, self.fields["banks"]).queryset = Bank.objects.filter(
            is_active=True
        )
        needs = cast(forms.ModelMultipleChoiceField, self.fields["needs"])
        needs.queryset = (
            FinancingNeed.objects.visible_to(user)
            .select_related("project")
            .order_by("-year", "project__name")
        )
        needs.label_from_instance = lambda need: f"{need.project.name}（{need.year}年，{need.amount}万元）"  # type: ignore[assignment]  # labels for this form only
