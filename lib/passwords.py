"""Password policy in Chinese: length, not common, not like the user's name, three character classes, not the current one."""

import re
from typing import TYPE_CHECKING

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from org.models import User

CLASSES = (
    re.compile(r"[a-z]"),
    re.compile(r"[A-Z]"),
    re.compile(r"\d"),
    re.compile(r"[^a-zA-Z\d]"),
)


class CharacterClassValidator:
    """密码复杂度: lower case, upper case, digits, symbols — at least `min_classes` of them."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: object = None) -> None:
        present = sum(1 for pattern in CLASSES if pattern.search(password))
        if present < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类。") % {"n": self.min_classes}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """密码长度, said in Chinese whatever the page's language catalog holds."""

    def validate(self, password: str, user: object = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(self.get_help_text(), code="password_too_short")

    def get_help_text(self) -> str:
        return _("密码至少%(n)d位。") % {"n": self.min_length}


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def validate(self, password: str, user: object = None) -> None:
        if password.lower().strip() in self.passwords:
            raise ValidationError(_("该密码过于常见，容易被猜中。"), code="password_too_common")

    def get_help_text(self) -> str:
        return _("不能使用常见密码。")


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def validate(self, password: str, user: "User | None" = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError as error:
            raise ValidationError(
                _("密码与用户名、姓名等个人信息过于相似。"), code="password_too_similar"
            ) from error

    def get_help_text(self) -> str:
        return _("密码不能与用户名、姓名等个人信息相似。")


def refuse_current(user: "AbstractBaseUser | None", password: str) -> None:
    """A new password must differ from the current one."""
    if user is not None and password and user.check_password(password):
        raise ValidationError(_("新密码不能与当前密码相同。"), code="password_unchanged")
