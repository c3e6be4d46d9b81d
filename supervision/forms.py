from typing import Any, cast

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from lib.attachments import validate_attachment
from lib.pickers import SearchSelectMultiple
from org.choices import Role
from org.models import Unit, User
from org.pickers import unit_picker
from problems.choices import UNSOLVED
from problems.models import Problem
from progress.forms import MultipleFileInput, MultiplePhotoField
from projects.forms import DATE_WIDGET
from projects.models import Project
from projects.pickers import project_picker
from supervision.models import Inspection, Notice


class NoticeForm(forms.ModelForm):
    """督办通知单: to which unit, about what, by when, and what reply is required."""

    class Meta:
        model = Notice
        fields = [
            "title",
            "target_unit",
            "projects",
            "problems",
            "content",
            "deadline",
            "reply_requirement",
            "issuing_office",
            "issued_on",
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 5}),
            "reply_requirement": forms.Textarea(attrs={"rows": 2}),
            "deadline": DATE_WIDGET,
            "issued_on": DATE_WIDGET,
            "target_unit": unit_picker(),
            "projects": project_picker(multiple=True, size=6),
            "problems": SearchSelectMultiple(url=reverse_lazy("problems:options"), attrs={"size": 6}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_fields = cast(dict[str, forms.ModelChoiceField], self.fields)
        choice_fields["target_unit"].queryset = Unit.objects.filter(is_active=True)
        choice_fields["projects"].queryset = Project.objects.only("pk", "name").order_by("name")
        problems = Problem.objects.filter(status__in=UNSOLVED)
        if self.instance.pk:
            problems = problems | Problem.objects.filter(supervision_notices=self.instance)
        choice_fields["problems"].queryset = problems.distinct().select_related("project")
        choice_fields["problems"].label_from_instance = lambda problem: f"{problem.project} · {problem}"  # type: ignore[assignment]  # labels for this form only
        if not self.instance.pk:
            office = settings.SUPERVISION_OFFICE or (user.unit.name if user.unit is not None else "")
            self.fields["issuing_office"].initial = office


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("办理情况"), widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(
        label=_("附件"), required=False, help_text=_("PDF、Word、Excel、图片等，单个文件不超过20MB。")
    )

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if upload:
            validate_attachment(upload)
        return upload


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class InspectionForm(forms.ModelForm):
    """现场督导: the project visited, when, by whom, what was found and required, with photos."""

    photos = MultiplePhotoField(
        label=_("现场照片"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/heic,image/heif,.heic"}),
        help_text=_("可多选；JPEG/PNG/HEIC，每张不超过20MB。"),
    )

    class Meta:
        model = Inspection
        fields = ["project", "date", "inspectors", "findings", "requirements"]
        widgets = {
            "date": DATE_WIDGET,
            "project": project_picker(),
            "inspectors": forms.SelectMultiple(attrs={"size": 5}),
            "findings": forms.Textarea(attrs={"rows": 4}),
            "requirements": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_fields = cast(dict[str, forms.ModelChoiceField], self.fields)
        choice_fields["project"].queryset = Project.objects.only("pk", "name").order_by("name")
        choice_fields["inspectors"].queryset = (
            User.objects.filter(is_active=True).exclude(role=Role.OWNER).select_related("unit")
        )
        choice_fields["inspectors"].label_from_instance = lambda user: f"{user}（{user.unit or '—'}）"  # type: ignore[assignment]  # labels for this form only
