"""The server error page (500): rendered from its template alone, never from the database or the session,
which may be what failed."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)

# What is left when even the template cannot be rendered (a static file missing from the manifest).
PLAIN = (
    '<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>服务器出错</title>'
    '<h1>服务器出错</h1><p>请稍后重试；如果一再出现，请告诉系统管理员。</p><p><a href="/">返回首页</a></p></html>'
)


def server_error(request: HttpRequest) -> HttpResponseServerError:
    """500 in Chinese in the site's look, with the way back to the home page."""
    try:
        html = loader.get_template("500.html").render({"SITE_NAME": settings.SITE_NAME})
    except Exception:
        logger.exception("The 500 page could not be rendered")
        html = PLAIN
    return HttpResponseServerError(html)
