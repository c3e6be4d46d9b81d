import re

from django import forms

from lib.forms import TablerBoundField


class SampleForm(forms.Form):
    name = forms.CharField(label="名称", help_text="不超过20个字")
    kind = forms.ChoiceField(label="类型", choices=[("a", "甲"), ("b", "乙")])
    units = forms.MultipleChoiceField(label="单位", choices=[("1", "一"), ("2", "二")], required=False)
    channels = forms.MultipleChoiceField(
        label="渠道", choices=[("sms", "短信")], required=False, widget=forms.CheckboxSelectMultiple
    )
    active = forms.BooleanField(label="启用", required=False)
    photo = forms.FileField(label="照片", required=False)
    size = forms.ChoiceField(
        label="大小",
        choices=[("s", "小")],
        required=False,
        widget=forms.Select(attrs={"class": "form-select-sm"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def classes(html: str, name: str) -> set[str]:
    tag = re.search(rf'<(?:input|select|textarea)\b[^>]*name="{name}"[^>]*>', html)
    assert tag is not None, name
    found = re.search(r'class="([^"]*)"', tag.group(0))
    return set(found.group(1).split()) if found else set()


def test_every_form_of_the_site_gets_tabler_fields():
    assert isinstance(SampleForm()["name"], TablerBoundField)


def test_each_widget_carries_its_tabler_class():
    form = SampleForm()
    assert classes(str(form["name"]), "name") == {"form-control"}
    assert classes(str(form["kind"]), "kind") == {"form-select"}
    assert classes(str(form["units"]), "units") == {"form-select"}
    assert classes(str(form["channels"]), "channels") == {"form-check-input"}
    assert classes(str(form["active"]), "active") == {"form-check-input"}
    assert classes(str(form["photo"]), "photo") == {"form-control"}


def test_a_class_the_form_names_is_kept_and_written_once():
    html = str(SampleForm()["size"])
    assert classes(html, "size") == {"form-select-sm", "form-select"}
    assert html.count("form-select ") + html.count('form-select"') == 1


def test_a_hidden_field_gets_no_class():
    assert classes(str(SampleForm(data={})["version"]), "version") == set()


def test_only_fields_with_errors_are_marked_invalid():
    form = SampleForm(data={"name": "", "kind": "a"})
    assert not form.is_valid()
    assert classes(str(form["name"]), "name") == {"form-control", "is-invalid"}
    assert classes(str(form["kind"]), "kind") == {"form-select"}


def test_an_error_added_after_validation_marks_the_field_too():
    form = SampleForm(data={"name": "项目", "kind": "a"})
    assert form.is_valid()
    form.add_error("kind", "已被他人修改")
    assert "is-invalid" in classes(str(form["kind"]), "kind")


def test_a_field_group_shows_label_errors_and_help_text_the_tabler_way():
    form = SampleForm(data={"name": "", "kind": "a"})
    html = form["name"].as_field_group()
    assert '<label class="form-label required" for="id_name">名称</label>' in html
    assert '<div class="invalid-feedback d-block" id="id_name_error">' in html
    assert '<small class="form-hint" id="id_name_helptext">不超过20个字</small>' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html


def test_a_check_box_sits_inside_its_label():
    html = SampleForm()["active"].as_field_group()
    assert re.search(r'<label class="form-check"><input type="checkbox"[^>]*>', html)
    assert '<span class="form-check-label">启用</span>' in html


def test_a_whole_form_renders_its_fields_and_hidden_fields():
    html = str(SampleForm(data={"kind": "a"}))
    assert 'data-testid="form-errors"' in html
    assert html.count('<div class="mb-3">') == 7
    assert '<input type="hidden" name="version"' in html
