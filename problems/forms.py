from typing import Any, cast

from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from lib.attachments import validate_attachment
from lib.pickers import SearchSelect, SearchSelectMultiple
from org.choices import Role, UnitKind
from org.models import Unit, UnitQuerySet, User
from problems.choices import ProblemStatus
from problems.models import Matter, Meeting, Problem, ProblemComment
from projects.forms import DATE_WIDGET
from projects.models import Project
from projects.pickers import project_picker

# The escalated problems the user may see, found by description or project (problems:options).
ESCALATED_OPTIONS = format_lazy("{}?escalated=1", reverse_lazy("problems:options"))


def responsible_units() -> UnitQuerySet:
    """Units a problem or a matter can be given to: departments, towns and the government."""
    return Unit.objects.filter(is_active=True).exclude(kind=UnitKind.OWNER)


class ProblemForm(forms.ModelForm):
    """问题登记/编辑: what the problem is, who handles it, how and by when."""

    class Meta:
        model = Problem
        fields = ["category", "description", "responsible_units", "leader", "measures", "deadline"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "measures": forms.Textarea(attrs={"rows": 3}),
            "deadline": DATE_WIDGET,
            "responsible_units": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        choice_fields = cast(dict[str, forms.ModelChoiceField], self.fields)
        choice_fields["responsible_units"].queryset = responsible_units()
        self.fields["responsible_units"].help_text = _(
            "可多选（按住 Ctrl 键）；负责协调解决的部门或乡镇/街道。"
        )
        choice_fields["leader"].queryset = User.objects.filter(is_active=True, role=Role.LEADER)
        self.fields["deadline"].help_text = _("开始办理前须明确责任单位和办理时限。")


class MoveForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.ModelForm):
    class Meta:
        model = ProblemComment
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "placeholder": _("批示、办理进展或补充说明")})}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        validate_attachment(upload)
        return upload


class MeetingForm(forms.ModelForm):
    """调度会议: when, who, where, and the escalated problems on its agenda."""

    class Meta:
        model = Meeting
        fields = [
            "title",
            "kind",
            "date",
            "place",
            "chair",
            "attendees",
            "other_attendees",
            "agenda",
            "summary",
        ]
        widgets = {
            "date": DATE_WIDGET,
            "attendees": forms.SelectMultiple(attrs={"size": 6}),
            "agenda": SearchSelectMultiple(url=ESCALATED_OPTIONS, attrs={"size": 6}),
            "summary": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).exclude(role=Role.OWNER).select_related("unit")
        choice_fields = cast(dict[str, forms.ModelChoiceField], self.fields)
        choice_fields["chair"].queryset = people.filter(role__in=[Role.LEADER, Role.COORDINATOR])
        choice_fields["attendees"].queryset = people
        choice_fields["attendees"].label_from_instance = lambda user: f"{user}（{user.unit or '—'}）"  # type: ignore[assignment]  # labels for this form only
        # The agenda: problems escalated to a meeting, and those already on this one.
        agenda = Problem.objects.filter(status=ProblemStatus.ESCALATED)
        if self.instance.pk:
            agenda = agenda | Problem.objects.filter(meetings=self.instance)
        choice_fields["agenda"].queryset = agenda.distinct().select_related("project")
        choice_fields["agenda"].label_from_instance = lambda problem: f"{problem.project} · {problem}"  # type: ignore[assignment]  # labels for this form only
        self.fields["agenda"].help_text = _("列出已上报调度会的问题。")


class MatterForm(forms.ModelForm):
    """议定事项: what was decided, on which problem or project, who leads, by when."""

    class Meta:
        model = Matter
        fields = ["content", "problem", "project", "owner_unit", "deadline", "closes_problem", "sort_order"]
        # A province's 100,000 projects are found by name or code, not sent with the meeting's page.
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "deadline": DATE_WIDGET,
            "problem": SearchSelect(url=ESCALATED_OPTIONS),
            "project": project_picker(),
        }

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        problems = Problem.objects.filter(status=ProblemStatus.ESCALATED)
        if self.instance.problem_id:
            problems = problems | Problem.objects.filter(pk=self.instance.problem_id)
        choice_fields = cast(dict[str, forms.ModelChoiceField], self.fields)
        choice_fields["problem"].queryset = problems.distinct().select_related("project")
        choice_fields["problem"].label_from_instance = lambda problem: f"{problem.project} · {problem}"  # type: ignore[assignment]  # labels for this form only
        self.fields["problem"].help_text = _("就上报问题议定的事项，办结后该问题随之销号。")
        choice_fields["project"].queryset = Project.objects.only("pk", "name").order_by("name")
        self.fields["project"].help_text = _("选择了关联问题时自动取该问题的项目。")
        choice_fields["owner_unit"].queryset = responsible_units()
