"""The site's form renderer (settings.FORM_RENDERER): Tabler's classes on every widget, and each
field's label, errors and help text laid out by templates/forms/field.html."""

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting


def widget_class(widget: forms.Widget) -> str:
    """Tabler's class for a widget: check boxes and radios, selects, or any other control."""
    # CheckboxSelectMultiple is a RadioSelect: each of its choices is a check box.
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class TablerBoundField(forms.BoundField):
    """A visible field whose widget carries Tabler's class, and is-invalid when the field has errors."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            return attrs
        classes = [
            *str(widget.attrs.get("class", "")).split(),
            *str(attrs.get("class", "")).split(),
            widget_class(widget),
        ]
        if self.errors:
            classes.append("is-invalid")
        # A form may already name the class (form-select form-select-sm); each class is written once.
        attrs["class"] = " ".join(dict.fromkeys(classes))
        return attrs


class TablerFormRenderer(TemplatesSetting):
    """Every form of the site: TablerBoundFields, rendered by the project's templates/forms/."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"
    bound_field_class = TablerBoundField
