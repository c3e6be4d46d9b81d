from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, IndustryField, ProcedureType
from lib.validators import validate_phone
from lib.versioning import VersionConflict
from org.choices import Role, UnitKind
from org.models import Person, Unit, User
from org.pickers import person_picker, unit_picker
from projects.models import Procedure, Project

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.ModelForm):
    """项目登记/编辑; `version` refuses a save over someone else's newer change."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # 责任人 and 联系人 are typed as people write them; saving finds or adds them in the people directory.
    responsible_person = forms.CharField(label=_("责任人"), max_length=40, required=False)
    responsible_phone = forms.CharField(
        label=_("责任人电话"), max_length=30, required=False, validators=[validate_phone]
    )
    owner_contact = forms.CharField(label=_("项目单位联系人"), max_length=40, required=False)
    owner_phone = forms.CharField(
        label=_("项目单位联系电话"), max_length=30, required=False, validators=[validate_phone]
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "code",
            "category",
            "industry",
            "investment_nature",
            "construction_nature",
            "content",
            "total_investment",
            "build_years",
            "planned_start_date",
            "planned_completion_date",
            "actual_start_date",
            "actual_completion_date",
            "address",
            "town",
            "latitude",
            "longitude",
            "responsible_unit",
            "owner_unit",
            "leader_in_charge",
            "chief_officer",
            "signing_status",
            "demolition_progress",
            "green_channel",
            "is_ppp",
            "has_special_bond",
            "in_statistics",
            "is_public",
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "planned_start_date": DATE_WIDGET,
            "planned_completion_date": DATE_WIDGET,
            "actual_start_date": DATE_WIDGET,
            "actual_completion_date": DATE_WIDGET,
            "owner_unit": unit_picker(UnitKind.OWNER),
            # The district's leaders and those already in charge of a project are listed; anyone else
            # is found by name. The two as one set of ids: asked as an OR, PostgreSQL read each of a
            # province's 190,000 people (127 ms) to find the dozen.
            "leader_in_charge": person_picker(
                Q(
                    pk__in=Person.objects.filter(unit__kind=UnitKind.GOVERNMENT)
                    .order_by()
                    .values("pk")
                    .union(Project.objects.order_by().values("leader_in_charge_id"), all=True)
                )
            ),
            "chief_officer": person_picker(Q(pk__in=Project.objects.values("chief_officer_id"))),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        units = Unit.objects.filter(is_active=True)
        if not user.edits_everything and user.role != Role.OWNER:
            units = units.subtree_of(user.unit) if user.unit is not None else units.none()
        choice_fields = cast(dict[str, forms.ModelChoiceField], self.fields)
        choice_fields["responsible_unit"].queryset = units.exclude(kind=UnitKind.OWNER)
        choice_fields["owner_unit"].queryset = Unit.objects.filter(is_active=True, kind=UnitKind.OWNER)
        choice_fields["town"].queryset = Unit.objects.filter(is_active=True, kind=UnitKind.TOWN)
        people = Person.objects.active().select_related("unit")
        choice_fields["leader_in_charge"].queryset = people
        choice_fields["chief_officer"].queryset = people
        for name in ("leader_in_charge", "chief_officer"):
            choice_fields[name].label_from_instance = lambda person: person.label  # type: ignore[assignment]  # labels for this form only
        self.fields["responsible_unit"].required = True
        for key, phone in (("responsible_person", "responsible_phone"), ("owner_contact", "owner_phone")):
            person = getattr(self.instance, key) if self.instance.pk else None
            if person is not None:
                self.fields[key].initial = person.name
                self.fields[phone].initial = person.phone
        choice_fields["category"].queryset = Category.objects.filter(is_active=True)
        choice_fields["industry"].queryset = IndustryField.objects.filter(is_active=True)
        if user.role == Role.OWNER:
            # Owners keep their project's place in the unit tree as the coordinator set it.
            for name in ("responsible_unit", "owner_unit", "leader_in_charge", "chief_officer", "is_public"):
                self.fields[name].disabled = True
        if not user.edits_everything:
            # 信息公开: what the public sees is the coordinator's office's decision.
            self.fields["is_public"].disabled = True
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        self.fields["total_investment"].error_messages["invalid"] = _(
            "请输入数字（单位：万元），不要带“约”“万元”等文字。"
        )
        self.fields["latitude"].help_text = _("WGS-84 坐标，经纬度须同时填写。")

    def clean_version(self) -> int | None:
        # Tells early, next to any other mistakes; save() is what holds when two people save at once.
        version = self.cleaned_data.get("version")
        if self.instance.pk:
            current = Project.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if version != current:
                raise ValidationError(Project.conflict_message, code="stale")
        return version

    def save(self, commit: bool = True) -> Project:
        """Register a project, or save an edit only at the version the page was opened at.

        An edit writes just the fields the form shows and may change, in one conditional UPDATE;
        VersionConflict, with nothing written, when someone saved the project in between.
        """
        project: Project = super().save(commit=False)
        if not project.pk:
            project.created_by = self.user
        data = self.cleaned_data
        project.responsible_person = Person.objects.named(
            data.get("responsible_person", ""), data.get("responsible_phone", ""), project.responsible_unit
        )
        project.owner_contact = Person.objects.named(
            data.get("owner_contact", ""), data.get("owner_phone", ""), project.owner_unit
        )
        if not commit:
            return project
        if not project.pk:
            project.save()
            return project
        read_at = data.get("version")
        if read_at is None:  # an edit page always carries the version it showed
            raise VersionConflict(Project.conflict_message, code="stale")
        editable = [name for name in self.Meta.fields if not self.fields[name].disabled]
        project.save_at_version(read_at, [*editable, "responsible_person", "owner_contact"])
        return project


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"))
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)
    effective_date = forms.DateField(label=_("生效日期"), widget=DATE_WIDGET, required=False)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = project.allowed_statuses()
        self.fields["effective_date"].initial = timezone.localdate()

    def clean_effective_date(self) -> Any:
        value = self.cleaned_data.get("effective_date")
        if value and value > timezone.localdate():
            raise ValidationError(_t("生效日期不能晚于今天。"))
        return value


class ProcedureForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = [
            "type",
            "status",
            "submitted_on",
            "approved_on",
            "document_number",
            "department",
            "green_channel",
            "note",
        ]
        widgets = {"submitted_on": DATE_WIDGET, "approved_on": DATE_WIDGET}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        choice_fields = cast(dict[str, forms.ModelChoiceField], self.fields)
        choice_fields["type"].queryset = ProcedureType.objects.filter(is_active=True)
        choice_fields["department"].queryset = Unit.objects.filter(is_active=True, kind=UnitKind.DEPARTMENT)

    def clean_type(self) -> ProcedureType:
        procedure_type = self.cleaned_data["type"]
        clash = Procedure.objects.filter(project=self.instance.project, type=procedure_type).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise ValidationError(_t("该项目已有“%(t)s”手续记录，请直接修改那一条。") % {"t": procedure_type})
        return procedure_type
