"""Forms of the table exchange page: export, blank template per unit, upload."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from exchange.tables import TABLES
from org.choices import UnitKind
from org.models import Unit, User
from org.pickers import unit_picker
from plans.choices import PlanLevel
from progress.periods import Period

TABLE_CHOICES = [(number, table.label) for number, table in TABLES.items()]


class PlanChoiceForm(forms.Form):
    """Which table, for which (year, level) plan and which period."""

    table = forms.TypedChoiceField(label=_("表格"), choices=TABLE_CHOICES, coerce=int)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("计划级别"), choices=PlanLevel.choices, initial=PlanLevel.LOCAL)
    period = forms.CharField(
        label=_("报送期"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
        help_text=_("附件3的本月、累计、年度完成投资取自该月的报告。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault(
            "initial", {"year": today.year, "level": PlanLevel.LOCAL, "period": f"{today:%Y-%m}"}
        )
        super().__init__(*args, **kwargs)

    def clean_period(self) -> Period | None:
        text = self.cleaned_data.get("period", "").strip()
        if not text:
            return None
        try:
            return Period.parse(text)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        period, year = data.get("period"), data.get("year")
        if period and year and period.year != year:
            self.add_error("period", _t("报送期应在所选年度内。"))
        return data


class ExportForm(PlanChoiceForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("table") == 3 and not data.get("period") and "period" not in self.errors:
            self.add_error("period", _t("导出附件3须选择报送期。"))
        return data


class TemplateForm(PlanChoiceForm):
    unit = forms.ModelChoiceField(
        label=_("填报单位"),
        queryset=Unit.objects.none(),
        widget=unit_picker(UnitKind.DEPARTMENT, UnitKind.TOWN, UnitKind.OWNER, mine=True),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("period")
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = (
            Unit.objects.visible_to(user)
            .filter(is_active=True)
            .exclude(kind=UnitKind.GOVERNMENT)
            .order_by("path")
        )


class UploadForm(PlanChoiceForm):
    table = forms.TypedChoiceField(
        label=_("表格"),
        choices=[("", _("按表头自动识别")), *TABLE_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
    )
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                _t("文件过大：超过 %(mb)d MB 的上限。") % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload
