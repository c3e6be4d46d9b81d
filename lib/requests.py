"""The request a view behind login receives: its `user` is the project's User, never AnonymousUser."""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from org.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """已登录请求: what `login_required` and the role decorators in lib.decorators let through."""

    user: "User"
    # Set on every request by django-htmx's middleware.
    htmx: HtmxDetails
