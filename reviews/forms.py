from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lib.fields import MoneyFormField
from org.choices import UnitKind
from org.models import Person, Unit
from org.pickers import person_picker
from progress.forms import MultipleFileInput, MultiplePhotoField
from projects.choices import ProjectStatus
from projects.forms import DATE_WIDGET
from projects.models import Project
from projects.pickers import project_picker
from reviews.choices import Half
from reviews.models import Criterion, Round, Sheet, Stop


class RoundForm(forms.ModelForm):
    """观摩点评活动: the half-year, the day, the panel and the projects visited."""

    project_choices = forms.ModelMultipleChoiceField(
        label=_("观摩项目"),
        queryset=Project.objects.none(),
        widget=project_picker(multiple=True, open_only=True, size=12),
        help_text=_("按住 Ctrl（Mac 上为 ⌘）可多选。移出已评分的项目会一并删除其评分。"),
    )

    class Meta:
        model = Round
        fields = ["year", "half", "held_on", "title", "reviewers", "trim_extremes", "note"]
        widgets = {
            "held_on": DATE_WIDGET,
            "reviewers": person_picker(
                Q(unit__in=Unit.objects.filter(kind=UnitKind.GOVERNMENT)), multiple=True
            ),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("不填则为“某年上/下半年重点项目观摩点评”。")
        projects = Project.objects.visible_to(user).exclude(status=ProjectStatus.CANCELLED).order_by("name")
        cast(forms.ModelMultipleChoiceField, self.fields["project_choices"]).queryset = projects
        reviewers = cast(forms.ModelMultipleChoiceField, self.fields["reviewers"])
        reviewers.queryset = Person.objects.active().select_related("unit").order_by("name_key")
        reviewers.label_from_instance = lambda person: person.label  # type: ignore[assignment]  # labels for this form only
        if self.instance.pk:
            self.fields["project_choices"].initial = list(
                self.instance.stops.values_list("project_id", flat=True)
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("title") or "").strip() and data.get("year") and data.get("half"):
            data["title"] = _t("%(year)s年%(half)s重点项目观摩点评") % {
                "year": data["year"],
                "half": Half(data["half"]).label,
            }
            self.instance.title = data["title"]
        return data

    def clean_reviewers(self) -> Any:
        reviewers = self.cleaned_data["reviewers"]
        if self.instance.pk:
            scoring = set(
                Sheet.objects.filter(stop__round=self.instance).values_list("reviewer_id", flat=True)
            )
            kept = {person.pk for person in reviewers}
            if scoring - kept:
                raise forms.ValidationError(_t("已评分的点评人员不能移出，请先删除其评分。"))
        return reviewers


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "max_points", "sort_order"]


class BaseCriterionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("name")
        ]
        if not kept:
            raise forms.ValidationError(_t("请至少设置一个评分项。"))
        names = [row["name"].strip() for row in kept]
        if len(names) != len(set(names)):
            raise forms.ValidationError(_t("评分项名称重复。"))


CriterionFormSet = inlineformset_factory(
    Round, Criterion, form=CriterionForm, formset=BaseCriterionFormSet, extra=2, can_delete=True
)


class StopForm(forms.ModelForm):
    """观摩项目: the town that showed it, its place in the route, the panel's remarks, photos."""

    photos = MultiplePhotoField(
        label=_("观摩照片"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/heic,image/heif,.heic"}),
        help_text=_("可多选；JPEG/PNG/HEIC，每张不超过20MB。"),
    )

    class Meta:
        model = Stop
        fields = ["town", "sort_order", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        towns = cast(forms.ModelChoiceField, self.fields["town"])
        towns.queryset = Unit.objects.filter(kind=UnitKind.TOWN)


class ScoreSheetForm(forms.Form):
    """评分录入: a row per reviewer of the round, a score per criterion and a remark. A row left empty
    is no sheet (an existing one is removed); a row begun must be complete."""

    def __init__(self, *args: Any, stop: Stop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stop = stop
        self.criteria = list(stop.round.criteria.all())
        self.reviewers = list(stop.round.reviewers.select_related("unit").order_by("name_key"))
        sheets = {sheet.reviewer_id: sheet for sheet in stop.sheets.prefetch_related("scores")}
        for person in self.reviewers:
            sheet = sheets.get(person.pk)
            given = {score.criterion_id: score.points for score in sheet.scores.all()} if sheet else {}
            for criterion in self.criteria:
                self.fields[self.key(person.pk, criterion.pk)] = MoneyFormField(
                    label=f"{person.name} · {criterion.name}",
                    required=False,
                    min_value=Decimal(0),
                    max_value=criterion.max_points,
                    max_digits=5,
                    decimal_places=1,
                    initial=given.get(criterion.pk),
                    widget=forms.TextInput(attrs={"class": "form-control form-control-sm num", "size": 5}),
                )
            self.fields[f"comment_{person.pk}"] = forms.CharField(
                label=f"{person.name} · {_t('评语')}",
                required=False,
                max_length=300,
                initial=sheet.comment if sheet else "",
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    @staticmethod
    def key(person_id: int, criterion_id: int) -> str:
        return f"score_{person_id}_{criterion_id}"

    def rows(self) -> list[tuple[Person, list[forms.BoundField], forms.BoundField]]:
        """Each reviewer with the boxes of the row, for the template."""
        return [
            (
                person,
                [self[self.key(person.pk, criterion.pk)] for criterion in self.criteria],
                self[f"comment_{person.pk}"],
            )
            for person in self.reviewers
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for person in self.reviewers:
            keys = [self.key(person.pk, criterion.pk) for criterion in self.criteria]
            filled = [key for key in keys if data.get(key) is not None]
            if not filled and (data.get(f"comment_{person.pk}") or "").strip():
                self.add_error(f"comment_{person.pk}", _t("请先为%(name)s填写评分。") % {"name": person.name})
            if filled and len(filled) != len(keys):
                for key in keys:
                    if data.get(key) is None and key not in self.errors:
                        self.add_error(key, _t("请填写%(name)s的全部评分项。") % {"name": person.name})
        return data

    def sheets(self) -> dict[int, tuple[dict[int, Decimal], str] | None]:
        """Per reviewer: the scores by criterion and the remark, or None for an empty row."""
        result: dict[int, tuple[dict[int, Decimal], str] | None] = {}
        for person in self.reviewers:
            points = {c.pk: self.cleaned_data[self.key(person.pk, c.pk)] for c in self.criteria}
            comment = (self.cleaned_data.get(f"comment_{person.pk}") or "").strip()
            result[person.pk] = None if any(v is None for v in points.values()) else (points, comment)
        return result
