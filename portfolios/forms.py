from typing import Any, cast

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from lib.fields import MoneyFormField
from portfolios.choices import DisposalMethod
from portfolios.models import ListItem, ProjectList
from projects.choices import ProjectStatus
from projects.models import Project
from projects.pickers import project_picker


class ProjectListForm(forms.ModelForm):
    """项目清单: its name, kind and description."""

    class Meta:
        model = ProjectList
        fields = ["name", "kind", "description", "sort_order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class AddItemsForm(forms.Form):
    """加入项目: one or more projects, with the list's note for each (and on a 存量资产 list, the
    disposal method; the asset value only when one project is added, as it is the project's own)."""

    projects = forms.ModelMultipleChoiceField(
        label=_("项目"),
        queryset=Project.objects.none(),
        widget=project_picker(multiple=True, open_only=True, size=12),
        error_messages={"invalid_choice": _("所选项目有的已在本清单中、已取消，或不在您的范围内。")},
        help_text=_("按住 Ctrl（Mac 上为 ⌘）可多选；已在本清单中的项目不再列出。"),
    )
    note = forms.CharField(label=_("清单备注"), max_length=300, required=False)
    asset_value = MoneyFormField(
        label=_("资产价值（万元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    disposal_method = forms.ChoiceField(
        label=_("盘活方式"), choices=[("", "—"), *DisposalMethod.choices], required=False
    )

    def __init__(self, *args: Any, project_list: ProjectList, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project_list = project_list
        choices = (
            Project.objects.visible_to(user)
            .exclude(status=ProjectStatus.CANCELLED)
            .exclude(pk__in=project_list.project_ids())
            .order_by("name")
        )
        cast(forms.ModelMultipleChoiceField, self.fields["projects"]).queryset = choices
        if not project_list.has_assets:
            del self.fields["asset_value"]
            del self.fields["disposal_method"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        projects = data.get("projects")
        if data.get("asset_value") is not None and projects is not None and len(projects) > 1:
            self.add_error("asset_value", _("资产价值须逐个项目填写：一次只选一个项目，或加入后再逐个修改。"))
        return data

    def items(self, by: Any) -> list[ListItem]:
        """The memberships to create for the chosen projects."""
        data = self.cleaned_data
        return [
            ListItem(
                project_list=self.project_list,
                project=project,
                note=data["note"].strip(),
                asset_value=data.get("asset_value"),
                disposal_method=data.get("disposal_method") or "",
                added_by=by,
            )
            for project in data["projects"]
        ]


class ItemForm(forms.ModelForm):
    """A project's line on a list: the note, and on a 存量资产 list the asset value and method."""

    class Meta:
        model = ListItem
        fields = ["note", "asset_value", "disposal_method"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.project_list.has_assets:
            del self.fields["asset_value"]
            del self.fields["disposal_method"]
        else:
            self.fields["asset_value"].validators.append(MinValueValidator(0))
