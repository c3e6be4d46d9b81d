"""Session rules: idle timeout, the forced password change of admin-created accounts, the role–page table;
and the unit subtrees a reading request remembers."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from lib.params import ignored_values
from org.menu import is_public_path, may_open
from org.models import subtrees_remembered

SESSION_LAST_SEEN = "last_seen"


class RememberSubtreesMiddleware:
    """A request that reads (GET, HEAD) reads each unit subtree once (org.models.subtree())."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with subtrees_remembered():
            return self.get_response(request)


class IdleTimeoutMiddleware:
    """Log a user out after SESSION_IDLE_TIMEOUT_MINUTES without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_public_path(request.path_info):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and SESSION_LAST_SEEN in request.session:
            idle = time.time() - float(request.session[SESSION_LAST_SEEN])
            if idle > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                messages.info(request, _("您已长时间未操作，请重新登录。"))
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("会话已超时，请重新登录。")}, status=401)
                return redirect(f"{reverse('login')}?next={request.path}")
        if user is not None and user.is_authenticated:
            request.session[SESSION_LAST_SEEN] = time.time()
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """Until a user with must_change_password sets a new password, only that page opens."""

    allowed_names = ("password_change", "logout", "set_language")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_public_path(request.path_info):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = [reverse(name) for name in self.allowed_names]
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("请先修改初始密码。")}, status=403)
                return redirect("password_change")
        return self.get_response(request)


class DefaultLanguageMiddleware:
    """Chinese unless the user chose another language: the browser's Accept-Language is ignored.

    Goes before LocaleMiddleware, so a page never mixes Django's English with our Chinese.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META["HTTP_ACCEPT_LANGUAGE"] = settings.LANGUAGE_CODE
        return self.get_response(request)


class RolePageMiddleware:
    """A page the role–page table (org.menu) keeps from the user's role is refused by URL (403)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable, args: Any, kwargs: Any) -> None:
        if is_public_path(request.path_info):
            return None
        user = getattr(request, "user", None)
        match = request.resolver_match
        if user is None or not user.is_authenticated or match is None:
            return None
        if not may_open(user, match.view_name):
            raise PermissionDenied(_("您的角色不能打开此页面。"))
        return None


class QueryNoticeMiddleware:
    """A page given an out-of-range number in its query string (year=10000) says it showed the default."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "GET"
            and not request.path.startswith("/api/")
            and not is_public_path(request.path_info)
            and request.GET
        ):
            ignored = ignored_values(request.GET)
            if ignored and getattr(request, "user", None) is not None and request.user.is_authenticated:
                messages.warning(
                    request, _("查询条件 %(v)s 超出范围，已按默认显示。") % {"v": "、".join(ignored)}
                )
        return self.get_response(request)
