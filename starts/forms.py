from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.choices import ProjectStatus
from projects.forms import DATE_WIDGET
from projects.models import Project
from projects.pickers import project_picker
from starts.models import StartEvent


class StartEventForm(forms.ModelForm):
    """集中开工活动: the day, the batch, and the projects started."""

    project_choices = forms.ModelMultipleChoiceField(
        label=_("开工项目"),
        queryset=Project.objects.none(),
        widget=project_picker(multiple=True, open_only=True, size=12),
        help_text=_("按住 Ctrl（Mac 上为 ⌘）可多选。"),
    )

    class Meta:
        model = StartEvent
        fields = ["held_on", "batch", "place", "note"]
        widgets = {"held_on": DATE_WIDGET, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        projects = Project.objects.visible_to(user).exclude(status=ProjectStatus.CANCELLED).order_by("name")
        cast(forms.ModelMultipleChoiceField, self.fields["project_choices"]).queryset = projects
        if self.instance.pk:
            self.fields["project_choices"].initial = list(
                self.instance.members.values_list("project_id", flat=True)
            )
