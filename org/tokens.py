"""API tokens that expire when idle, and are refused with 401 and a WWW-Authenticate header."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from org.models import TokenUse

# Recording every request's use would be a write per API call; a minute's precision is enough.
USE_PRECISION = timedelta(minutes=1)


def last_used(token: Token) -> datetime:
    use = TokenUse.objects.filter(token=token).values_list("last_used_at", flat=True).first()
    return use or token.created


def expires_at(token: Token) -> datetime:
    return last_used(token) + timedelta(days=settings.API_TOKEN_IDLE_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`; a token idle for API_TOKEN_IDLE_DAYS is deleted and refused."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        try:
            token = Token.objects.select_related("user").get(key=key)
        except Token.DoesNotExist as error:
            raise exceptions.AuthenticationFailed(_("令牌无效，请重新获取令牌。")) from error
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("账号已停用。"))
        now = timezone.now()
        used = last_used(token)
        if now - used > timedelta(days=settings.API_TOKEN_IDLE_DAYS):
            token.delete()
            raise exceptions.AuthenticationFailed(
                _("令牌已过期（超过%(n)d天未使用），请重新获取令牌。") % {"n": settings.API_TOKEN_IDLE_DAYS}
            )
        if now - used >= USE_PRECISION:
            TokenUse.objects.update_or_create(token=token, defaults={"last_used_at": now})
        return token.user, token
