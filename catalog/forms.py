from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.choices import ProcedureApplies
from catalog.models import DictionaryItem

# The five 联审联批 columns of 附件3 (DOMAIN §10) a procedure type can fill.
ATTACHMENT3_PROCEDURE_COLUMNS = [
    "用地审批手续",
    "审批核准备案手续",
    "用地规划手续",
    "建设规划手续",
    "环评审批手续",
]

BASE_FIELDS = ["code", "name", "sort_order", "is_active"]


class DictionaryItemForm(forms.ModelForm):
    """字典项: the code is fixed once created, since imports and seeds find items by it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("英文字母、数字、下划线或连字符，创建后不可修改。")
        if self.instance.pk:
            self.fields["code"].disabled = True
        if "applies_to" in self.fields:
            # Left out, an item concerns every project, as the model's default says.
            self.fields["applies_to"].required = False
        if "table_column" in self.fields:
            self.fields["table_column"] = forms.ChoiceField(
                label=self.fields["table_column"].label,
                required=False,
                choices=[("", _("（不填入附件3）"))] + [(c, c) for c in ATTACHMENT3_PROCEDURE_COLUMNS],
                help_text=_("导出附件3“联审联批手续”时，本类手续填入哪一列。"),
            )

    def clean_applies_to(self) -> str:
        return self.cleaned_data.get("applies_to") or ProcedureApplies.ALL


def dictionary_form_class(model: type[DictionaryItem]) -> type[forms.ModelForm[DictionaryItem]]:
    # A dictionary's own fields (a procedure type's time limit, an element type's unit …) follow the common ones.
    fields = BASE_FIELDS + [
        field.name
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in BASE_FIELDS
    ]
    return forms.modelform_factory(
        model, form=DictionaryItemForm, fields=fields, field_classes={"code": forms.SlugField}
    )
