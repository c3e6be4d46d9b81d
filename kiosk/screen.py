"""The big screen opened with a screen link's token (/screen/<token>/): for the PC that drives the
hall's LED screen, without signing in (org.menu.PUBLIC_PATH_PREFIXES).

Everything here is read only (GET and HEAD; anything else is 405), counts what the link's scope says
(never a session's user: nothing reads the session or sets a cookie), names no person and gives no
telephone number. A token unknown or revoked is a 404, which makes the screen reload and say so.
Nothing is cached, so that a revoked link stops at the screen's next request; the token, being in
the address, is kept out of Referer headers.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from figures.screen_cards import card_labels, cards_after, cards_per_turn, project_cards, with_latest_progress
from figures.views import latest_reported_month, picked_period
from figures.views_screen import (
    map_collection,
    rotate_seconds,
    screen_figures,
    screen_labels,
    screen_scope,
)
from kiosk.models import ScreenLink
from lib.numbers import elapsed_of_year
from plans.scope import Scope, scope_entries
from progress.choices import ReportState
from progress.models import Report, ReportPhoto, period_seq
from progress.photos import photo_response
from projects.models import Project

Screen = Callable[..., HttpResponseBase]


def gone() -> HttpResponse:
    """The answer to a token unknown or revoked: a page the LED screen can show."""
    html = render_to_string("kiosk/gone.html", {"REGION_NAME": settings.REGION_NAME})
    return HttpResponse(html, status=404)


def screen_view(view: Screen) -> Screen:
    """A page or data of a screen link: GET or HEAD only, the link found by its token (else 404),
    never cached, its token never sent on as a referrer."""

    @require_safe
    @wraps(view)
    def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        link = ScreenLink.objects.by_token(token)
        response = gone() if link is None else view(request, link, token, *args, **kwargs)
        add_never_cache_headers(response)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def screen_period(request: HttpRequest, scope: Scope) -> tuple[int, int]:
    """The month the screen shows: `?period=YYYY-MM`, else the latest with a report accepted among the
    link's projects, else the latest whose reporting deadline has passed."""
    picked = picked_period(request)
    if picked is not None:
        return picked
    today = timezone.localdate()
    latest = (
        scope.narrow(
            Report.objects.filter(state=ReportState.ACCEPTED, seq__lte=period_seq(today.year, today.month, 9))
        )
        .order_by("-seq")
        .values_list("year", "month")
        .first()
    )
    return (latest[0], latest[1]) if latest else latest_reported_month(today)


def json(data: dict[str, Any]) -> JsonResponse:
    return JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False})


@screen_view
def show(request: HttpRequest, link: ScreenLink, token: str) -> HttpResponse:
    """The big screen of the link's scope, as the signed-in big screen shows it."""
    link.mark_used()
    scope = link.scope()
    year, month = screen_period(request, scope)
    query = urlencode({"period": f"{year:04d}-{month:02d}"})
    html = render_to_string(
        "figures/bigscreen.html",
        {
            "REGION_NAME": settings.REGION_NAME,
            "kiosk": True,
            "year": year,
            "month": month,
            "by_day": elapsed_of_year(year, month, timezone.localdate())[1] != 12,
            "labels": screen_labels(),
            "card_labels": card_labels(),
            "scope_note": screen_scope(year, scope),
            "config": {
                "kiosk": True,
                "data_url": f"{reverse('screen:data', args=[token])}?{query}",
                "map_url": f"{reverse('screen:map_data', args=[token])}?{query}",
                "cards_url": f"{reverse('screen:cards', args=[token])}?{query}",
                "card_pages": cards_per_turn(),
                "refresh_seconds": max(settings.BIGSCREEN_REFRESH_SECONDS, 10),
                "rotate_seconds": rotate_seconds(request),
                "time_zone": settings.TIME_ZONE,
            },
        },
    )
    return HttpResponse(html)


@screen_view
def data(request: HttpRequest, link: ScreenLink, token: str) -> JsonResponse:
    """The screen's figures for the link's scope (as figures:bigscreen_data gives them)."""
    link.mark_used()
    scope = link.scope()
    year, month = screen_period(request, scope)
    return json(screen_figures(year, month, request, scope=scope))


@screen_view
def cards(request: HttpRequest, link: ScreenLink, token: str) -> JsonResponse:
    """The next page of project cards of the link's scope, their photos served through the link."""
    scope = link.scope()
    year, month = screen_period(request, scope)
    return json(
        project_cards(
            year,
            month,
            scope,
            cards_after(request),
            photo_url=lambda pk: reverse("screen:photo", args=[token, pk]),
            today=timezone.localdate(),
        )
    )


@screen_view
def map_data(request: HttpRequest, link: ScreenLink, token: str) -> JsonResponse:
    """The located projects of the link's plans in the map's view, as figures:map_data answers the
    signed-in big screen (points, or clusters counted in the database when the view holds many)."""
    scope = link.scope()
    year, _month = screen_period(request, scope)
    collection = map_collection(
        request, Project.objects.filter(pk__in=scope_entries(year, scope).values("project_id"))
    )
    # The project pages are behind the sign-in: the screen's markers link nowhere.
    for feature in collection["features"]:
        feature["properties"].pop("url", None)
    return json(collection)


@screen_view
def photo(request: HttpRequest, link: ScreenLink, token: str, pk: int) -> HttpResponseBase:
    """The thumbnail (re-encoded on upload, without the camera's EXIF) of a photo a card of the screen
    shows: the latest accepted photo of a project of the link's scope; any other is a 404."""
    scope = link.scope()
    year, _month = screen_period(request, scope)
    projects = Project.objects.filter(pk__in=scope_entries(year, scope).values("project_id"))
    # The stubs do not see the annotations of with_latest_progress() among the fields.
    shown = with_latest_progress(projects).filter(latest_photo=pk).exists()  # type: ignore[misc]
    found = ReportPhoto.objects.filter(pk=pk).first() if shown else None
    if found is None or not found.thumbnail:
        return gone()
    return photo_response(found.thumbnail)
