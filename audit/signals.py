"""Login log: successful logins, failures and logouts, with address and browser."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from audit.changes import client_ip
from audit.models import LoginLog


def _log(event: str, request: HttpRequest | None, username: str, user: Any = None) -> None:
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    LoginLog.objects.create(
        user=user, username=username[:150], event=event, ip_address=client_ip(request), user_agent=agent
    )


@receiver(user_logged_in)
def log_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _log(LoginLog.Event.LOGIN, request, user.get_username(), user)


@receiver(user_logged_out)
def log_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _log(LoginLog.Event.LOGOUT, request, user.get_username(), user)


@receiver(user_login_failed)
def log_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))
    user = get_user_model().objects.filter(username=username).first()
    _log(LoginLog.Event.FAILED, request, username, user)


@receiver(user_locked_out)
def log_lockout(sender: Any, request: HttpRequest | None, username: str | None = None, **kwargs: Any) -> None:
    name = str(username or "")
    user = get_user_model().objects.filter(username=name).first() if name else None
    _log(LoginLog.Event.LOCKED, request, name, user)
