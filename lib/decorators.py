"""Access rules for pages by role: they read the role properties of the signed-in user (org.User)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from lib.requests import AuthenticatedHttpRequest

View = Callable[..., HttpResponse]


def admin_required(view: View) -> View:
    """Only a signed-in 系统管理员 passes; anyone else signed in gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_admin:
            raise PermissionDenied(_("只有系统管理员可以进行此操作。"))
        return view(request, *args, **kwargs)

    return wrapped


def directory_required(view: View) -> View:
    """The people directory and the aliases: 系统管理员 and the coordinating office keep them."""

    @login_required
    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_admin or user.is_coordinator):
            raise PermissionDenied(_("只有系统管理员和重点办可以维护人员名录和别名。"))
        return view(request, *args, **kwargs)

    return wrapped


def require_coordinator(request: AuthenticatedHttpRequest, message: Any = None) -> None:
    """统筹协调（重点办） and administrators pass; anyone else gets 403 with `message`, which says who may."""
    if not request.user.is_coordinator:
        raise PermissionDenied(message or _("只有统筹协调（重点办）可以进行此操作。"))


def coordinator_required(message: Any = None) -> Callable[[View], View]:
    """A view only 统筹协调（重点办） and administrators may open (see require_coordinator)."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_coordinator(request, message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
