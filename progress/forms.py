from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from catalog.models import ProcedureType
from lib.versioning import VersionConflict
from progress.models import FORM_FIELDS, Report
from projects.choices import ProcedureStatus
from projects.models import Project

MONEY_ERROR = _("请输入数字（单位：万元），不要带“约”“万元”等文字。")
STALE = _("该报告在您打开后已被他人修改或报送，本次未保存。您填写的内容仍在下方，请复制后刷新页面再填。")


@dataclass
class ReportChecks:
    """填报检查: what saving would say about the figures typed so far."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]


class ReportForm(forms.ModelForm):
    """月报填报: this period's amount, progress, problems, procedure states and photos."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    photos = MultiplePhotoField(
        label=_("现场照片"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/heic,image/heif,.heic"}),
        help_text=_("可多选；JPEG/PNG/HEIC，每张不超过20MB。"),
    )

    class Meta:
        model = Report
        fields = ["amount", "progress_text", "progress_percent", "problems_text"]
        widgets = {
            "progress_text": forms.Textarea(attrs={"rows": 3}),
            "problems_text": forms.Textarea(attrs={"rows": 3}),
            "amount": forms.TextInput(attrs={"inputmode": "decimal"}),
            "progress_percent": forms.TextInput(attrs={"inputmode": "decimal"}),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["amount"].error_messages["invalid"] = MONEY_ERROR
        self.fields["amount"].required = True
        self.fields["progress_text"].required = True
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        states = self.instance.procedure_states or {}
        current = {p.type.code: p.status for p in project.procedures.select_related("type")}
        self.procedure_fields: list[str] = []
        for procedure_type in ProcedureType.objects.filter(is_active=True):
            name = f"proc_{procedure_type.code}"
            self.fields[name] = forms.ChoiceField(
                label=procedure_type.name,
                choices=[("", "—")] + list(ProcedureStatus.choices),
                required=False,
                initial=states.get(procedure_type.code, current.get(procedure_type.code, "")),
            )
            self.fields[name].widget.attrs["class"] = "form-select-sm"
            self.procedure_fields.append(name)

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < 0:
            raise ValidationError(_t("本期完成投资不能为负数。"))
        return amount

    def clean_version(self) -> int | None:
        # Tells early, next to any other mistakes; save() is what holds when two people save at once.
        version = self.cleaned_data.get("version")
        if self.instance.pk:
            current = Report.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if version != current:
                raise ValidationError(STALE, code="stale")
        return version

    def save(self, commit: bool = True) -> Report:
        """Write the report apply() filled in: an edit only at the version the page was opened at.

        VersionConflict, with nothing written, when someone saved or submitted it in between.
        """
        report: Report = self.instance
        if not commit:
            return report
        if report.pk is None:
            try:
                with transaction.atomic():
                    report.save(force_insert=True)
            except IntegrityError as error:
                # Someone created this period's report since the page was opened. The page showed
                # no report at all, which is a version older than the one now stored: refused like
                # any stale save (the input stays on the page), not turned into an edit that would
                # replace a report this writer has never seen.
                if Report.objects.filter(
                    project_id=report.project_id, year=report.year, month=report.month, part=report.part
                ).exists():
                    raise VersionConflict(STALE, code="stale") from error
                raise
            return report
        read_at = self.cleaned_data.get("version")
        if read_at is None:  # opened before the report existed; it has been created since
            raise VersionConflict(STALE, code="stale")
        try:
            report.save_at_version(read_at, FORM_FIELDS)
        except VersionConflict as conflict:
            raise VersionConflict(STALE, code="stale") from conflict
        return report

    def procedure_rows(self) -> list[Any]:
        return [self[name] for name in self.procedure_fields]

    def checks(self) -> ReportChecks:
        """The field mistakes, rule errors and warnings of what is typed so far, with nothing saved.

        The rules are the ones apply() holds a save to (Report.check_rules); a field not filled in
        yet is not a mistake while the user is still typing.
        """
        self.is_valid()
        result = ReportChecks()
        for name, field_errors in self.errors.as_data().items():
            label = self.fields[name].label if name in self.fields else ""
            for error in field_errors:
                if error.code != "required":
                    result.errors.extend(f"{label}：{m}" if label else m for m in error.messages)
        if self.cleaned_data.get("amount") is None:
            return result
        report: Report = self.instance
        report.recompute_totals()
        errors, warnings = report.check_rules()
        result.errors.extend(errors)
        result.warnings.extend(warnings)
        return result

    def apply(self) -> Report:
        """Copy the cleaned values onto the report (not saved) and check the rules."""
        report: Report = self.instance
        report.procedure_states = {
            name.removeprefix("proc_"): self.cleaned_data[name]
            for name in self.procedure_fields
            if self.cleaned_data.get(name)
        }
        try:
            report.validate_and_store_warnings()
        except ValidationError as error:
            for message in error.messages:
                self.add_error(None, message)
            raise
        return report


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(forms.ModelForm):
    """审核后更正: new figures and the reason for the change."""

    reason = forms.CharField(label=_("更正原因"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Report
        fields = ["amount", "progress_text", "progress_percent", "problems_text"]
        widgets = {
            "progress_text": forms.Textarea(attrs={"rows": 2}),
            "problems_text": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].error_messages["invalid"] = MONEY_ERROR
        self.fields["version"].initial = self.instance.version

    def clean_version(self) -> int:
        version = self.cleaned_data["version"]
        if Report.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first() != version:
            raise ValidationError(_t("该报告已被他人修改，本次更正未保存，请刷新后重试。"))
        return version
