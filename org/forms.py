from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    SetPasswordForm,
    UserCreationForm,
)
from django.db.models import QuerySet
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lib.passwords import refuse_current
from org.choices import Role
from org.models import Person, Unit, User
from org.pickers import unit_picker


def password_policy_text() -> str:
    """The configured password rules as one plain sentence, for a help text."""
    return " ".join(password_validation.password_validators_help_texts())


def label_active(field: forms.Field) -> None:
    field.help_text = _("停用的账号不能登录；人员调离时请停用账号，而不是删除。")


def tree_label(unit: Unit) -> str:
    """A unit as a choice of the unit tree: indented by its depth, and marked when it is not active."""
    label = "\u3000" * unit.depth + unit.name
    return label + _t("（已停用）") if not unit.is_active else label


def tree_choices(field: forms.Field, units: QuerySet[Unit] | None = None) -> None:
    """A unit field (with a unit_picker) offering `units` (every unit) in tree order, indented."""
    chooser = cast(forms.ModelChoiceField, field)
    chooser.queryset = (Unit.objects.all() if units is None else units).order_by("path")
    chooser.label_from_instance = tree_label  # type: ignore[assignment]  # labels for these forms only


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = [
            "name",
            "short_name",
            "kind",
            "parent",
            "credit_code",
            "contact_name",
            "contact_phone",
            "sort_order",
            "is_active",
        ]
        widgets = {"parent": unit_picker()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A unit cannot move below itself: its own subtree is not offered as a parent.
        units = Unit.objects.exclude(path__startswith=self.instance.path) if self.instance.pk else None
        tree_choices(self.fields["parent"], units)
        if self.instance.pk:
            self.fields["parent"].error_messages["invalid_choice"] = _t("上级单位不能是本单位或其下级单位。")
        self.fields["credit_code"].help_text = _("18位，末位为校验码；可留空。")
        self.fields["contact_phone"].help_text = _("手机号或带区号的固定电话，如 0375-1234567。")


class UserCreateForm(UserCreationForm):
    """新建用户: the administrator sets an initial password the user must change at first login."""

    password1 = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]  # the stubs leave out this Meta
        model = User
        fields = ("username", "name", "unit", "role", "phone", "is_active")
        widgets = {"unit": unit_picker()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tree_choices(self.fields["unit"])
        self.fields["name"].required = True
        self.fields["password1"].help_text = password_policy_text()
        label_active(self.fields["is_active"])
        self.fields["username"].help_text = _("登录用的账号，字母、数字或 @ . + - _，不超过150个字符。")

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.must_change_password = True
        if commit:
            user.save()
        return user


class UserEditForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "unit", "role", "phone", "is_active"]
        widgets = {"unit": unit_picker()}

    def __init__(self, *args: Any, editor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editor = editor
        tree_choices(self.fields["unit"])
        self.fields["name"].required = True
        label_active(self.fields["is_active"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.instance.pk == self.editor.pk:
            # An administrator who demotes or disables themself may leave nobody able to undo it.
            if cleaned.get("is_active") is False:
                self.add_error("is_active", _t("不能停用自己的账号。"))
            if cleaned.get("role") and cleaned["role"] != Role.ADMIN and not self.editor.is_superuser:
                self.add_error("role", _t("不能取消自己的系统管理员角色。"))
        return cleaned


class PasswordResetByAdminForm(SetPasswordForm):
    """重置密码: a new initial password, to be changed at the next login."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("新的初始密码")
        self.fields["new_password1"].help_text = password_policy_text()
        self.fields["new_password2"].label = _("确认新的初始密码")

    def save(self, commit: bool = True) -> User:
        self.user.must_change_password = True
        return super().save(commit=commit)


class OwnPasswordChangeForm(PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _("当前密码不正确，请重新输入。"),
        "password_mismatch": _("两次输入的新密码不一致。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = password_policy_text()

    def clean_new_password1(self) -> str:
        password = self.cleaned_data.get("new_password1", "")
        refuse_current(self.user, password)
        return password


class LoginForm(AuthenticationForm):
    def clean_username(self) -> str:
        # Checked before authentication, so an over-long name never reaches the lockout records.
        username = self.cleaned_data.get("username") or ""
        limit = User._meta.get_field("username").max_length or 150
        if len(username) > limit:
            raise forms.ValidationError(_t("用户名不能超过%(n)d个字符。") % {"n": limit})
        return username


class PersonForm(forms.ModelForm):
    """人员: a person named on projects; linking an account lets notifications reach it in the system."""

    class Meta:
        model = Person
        fields = ["name", "unit", "post", "phone", "user", "is_active"]
        widgets = {"unit": unit_picker()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit, user = self.fields["unit"], self.fields["user"]
        assert isinstance(unit, forms.ModelChoiceField) and isinstance(user, forms.ModelChoiceField)
        unit.queryset = Unit.objects.filter(is_active=True).order_by("path")
        linked = Person.objects.exclude(pk=self.instance.pk).exclude(user=None).values("user_id")
        user.queryset = User.objects.filter(is_active=True).exclude(pk__in=linked)
        self.fields["user"].help_text = _("可选。关联后，该人员的站内通知发到此账号。")
