from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from org.choices import UnitKind
from org.models import Person, Unit
from org.pickers import person_picker
from projects.models import Project
from service.models import ServiceRecord, TeamMember

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def person_choices(field: forms.Field, people: Any) -> None:
    """A person picker showing 姓名（单位 职务）, so that two people of one name can be told apart."""
    chooser = cast(forms.ModelChoiceField, field)
    chooser.queryset = people.select_related("unit")
    chooser.label_from_instance = lambda person: person.label  # type: ignore[assignment]  # labels for this form only


class TeamMemberForm(forms.ModelForm):
    """专班成员: someone from the people directory, the role on the team and the work given."""

    class Meta:
        model = TeamMember
        fields = ["person", "role", "duty", "sort_order"]
        # The district's leaders are listed; anyone else in the people directory is found by name.
        widgets = {"person": person_picker(Q(unit__in=Unit.objects.filter(kind=UnitKind.GOVERNMENT)))}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        # The active people, and whoever is on the team already though no longer in post.
        current = self.instance.person_id if self.instance.pk else None
        person_choices(self.fields["person"], Person.objects.filter(Q(is_active=True) | Q(pk=current)))
        self.fields["person"].help_text = _("从人员名录中选择；名录中没有的人员请先请重点办添加。")

    def clean_person(self) -> Person:
        # The constraint names the project, which the form does not show: the form checks it itself.
        person: Person = self.cleaned_data["person"]
        others = TeamMember.objects.filter(project=self.instance.project, person=person).exclude(
            pk=self.instance.pk
        )
        if others.exists():
            raise ValidationError(_t("此人已在该项目的专班中。"))
        return person


class ServiceRecordForm(forms.ModelForm):
    """服务台账的一条: the date, the matter, what was done, the result, and who served."""

    class Meta:
        model = ServiceRecord
        fields = ["served_on", "matter", "action", "result", "result_note", "served_by"]
        widgets = {
            "served_on": DATE_WIDGET,
            "action": forms.Textarea(attrs={"rows": 4}),
            "result_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        # The team: the chief officer and the members (and whoever served before leaving it).
        team = Q(pk__in=TeamMember.objects.filter(project=project).values("person_id"))
        if project.chief_officer_id:
            team |= Q(pk=project.chief_officer_id)
        if self.instance.served_by_id:
            team |= Q(pk=self.instance.served_by_id)
        person_choices(self.fields["served_by"], Person.objects.filter(team))
        self.fields["served_by"].help_text = _("首席服务员或专班成员。")
