"""The site's URLs plus one page that fails, for the server error page's test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from keyprojects.urls import handler500
from keyprojects.urls import urlpatterns as site_urlpatterns


def failing_page(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a page that fails")


urlpatterns = [path("failing-page/", failing_page), *site_urlpatterns]
__all__ = ["handler500", "urlpatterns"]
