"""重点建设项目信息公开: the public site, open without signing in (org.menu.PUBLIC_PATH_PREFIXES).

Its pages are the same for everyone who opens the same address: the language is the address's
(`?lang=en`; Chinese without it, whatever a cookie or the browser says), they are rendered
without the request's context processors (nothing reads the session, nothing sets a cookie),
and they carry `Cache-Control: public`, an ETag and answer 304 to a matching If-None-Match.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, Sum
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from disclosure import public
from disclosure.filtersets import PublicProjectFilterSet
from disclosure.oc4ids import package_projects, package_stream
from figures.views_screen import STATUS_COLOURS
from lib.listing import ListPage, swaps_table
from lib.params import YEARS, query_int
from progress.photos import photo_response

SORTS = {
    "name": "name",
    "total_investment": "total_investment",
    "status": "status",
    "build_years": "start_year",
}
LANGUAGES = {code for code, _name in settings.LANGUAGES}
# Photos change less often than figures; a photo taken off the public page may stay in caches this long.
PHOTO_CACHE_SECONDS = 3600

View = Callable[..., HttpResponseBase]


def public_language(request: HttpRequest) -> str:
    """The page's language: `?lang=` when it names one of ours, else the site's (Chinese)."""
    language = request.GET.get("lang", "")
    return (
        language if language in LANGUAGES and language != settings.LANGUAGE_CODE else settings.LANGUAGE_CODE
    )


def public_page(view: View) -> View:
    """A page of the public site: GET or HEAD only, in the address's language, cacheable by anyone."""

    @require_safe
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        language = public_language(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response["Content-Language"] = language
        if response.status_code != 200:
            return response
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
        if not response.streaming and not response.has_header("ETag"):
            set_response_etag(response)
        # A harvester that has the package already is answered before it is written.
        modified = parse_http_date_safe(response.get("Last-Modified", ""))
        # A streamed response too lends its headers to the 304 (the stubs name HttpResponse alone).
        conditional = get_conditional_response(
            request, etag=response.get("ETag"), last_modified=modified, response=cast(HttpResponse, response)
        )
        return conditional if conditional is not None else response

    return wrapped


def language_context(request: HttpRequest) -> dict[str, str]:
    """The query strings of this page in the other language, and the suffix links keep the language by."""
    language = translation.get_language()
    query = request.GET.copy()
    query.pop("lang", None)
    chinese = query.urlencode()
    query["lang"] = "en"
    return {
        "chinese_query": chinese,
        "english_query": query.urlencode(),
        "lang_query": "?lang=en" if language == "en" else "",
        "lang_param": "&lang=en" if language == "en" else "",
        "language": language,
    }


def render_public(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A public page rendered without the request's context processors: no session, no CSRF cookie."""
    shown = {
        **context,
        **language_context(request),
        "request": request,
        "SITE_NAME": settings.SITE_NAME,
        "REGION_NAME": settings.REGION_NAME,
    }
    return HttpResponse(render_to_string(template, shown), status=status)


def not_found(request: HttpRequest) -> HttpResponse:
    return render_public(request, "disclosure/not_found.html", {}, status=404)


@public_page
def index(request: HttpRequest) -> HttpResponse:
    """信息公开首页: the plans in force with their totals, and the public projects (searchable, sortable)."""
    year = public.disclosure_year()
    month = public.latest_accepted_month(year)
    listing = ListPage(request, public.public_projects(), PublicProjectFilterSet, sorts=SORTS)
    page = listing.paginate()
    plans = public.annual_plans([project.pk for project in page], year)
    context = {
        "page": page,
        "sort": listing.sort,
        "per_page": "" if listing.per_page == listing.default_per_page else listing.per_page,
        "page_sizes": listing.page_sizes,
        "filterset": listing.filterset,
        "rows": [(project, plans.get(project.pk)) for project in page],
        "year": year,
        "month": month,
    }
    if swaps_table(request):
        response = render_public(
            request, "disclosure/includes/project_table.html", {**context, "table_only": True}
        )
    else:
        context["plans"] = public.plan_summaries(year, month)
        # Unfiltered, the page's list is every public project, counted already by its paginator.
        unfiltered = listing.filters_set == set()
        context["public_count"] = page.paginator.count if unfiltered else public.public_projects().count()
        response = render_public(request, "disclosure/index.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@public_page
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A public project's page: what it is, where, its money and progress this year, its public photos."""
    project = public.public_projects().filter(pk=pk).first()
    if project is None:
        return not_found(request)
    year = public.disclosure_year()
    entry = public.annual_plans([pk], year).get(pk)
    months = {row.month: row for row in public.monthly_completed([pk], year).get(pk, [])}
    last = max(months) if months else 0
    chart = {
        "months": [_("%(m)d月") % {"m": m} for m in range(1, last + 1)],
        "amounts": [str(months[m].amount) if m in months else "0.00" for m in range(1, last + 1)],
        "year_to_date": [str(months[m].year_to_date) if m in months else None for m in range(1, last + 1)],
        "labels": {"amount": _("当月完成投资"), "year_to_date": _("年度累计完成投资"), "unit": _("万元")},
    }
    completed = months[last].year_to_date if months else None
    latitude, longitude = project.latitude, project.longitude
    located = latitude is not None and longitude is not None
    place = {
        "latitude": float(latitude) if latitude is not None else None,
        "longitude": float(longitude) if longitude is not None else None,
        "name": project.name,
        "colour": STATUS_COLOURS.get(project.status, "#868e96"),
    }
    return render_public(
        request,
        "disclosure/project_detail.html",
        {
            "project": project,
            "year": year,
            "entry": entry,
            "completed": completed,
            "completed_month": last,
            "progress": public.latest_progress(project),
            "photos": public.public_photos(project),
            "located": located,
            "chart": chart,
            "place": place,
        },
    )


@require_safe
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A public photo's thumbnail (re-encoded when uploaded, so without the camera's EXIF data)."""
    found = public.public_photo(pk)
    if found is None or not found.thumbnail:
        return not_found(request)
    response: FileResponse = photo_response(found.thumbnail)
    patch_cache_control(response, public=True, max_age=PHOTO_CACHE_SECONDS)
    return response


@public_page
def oc4ids(request: HttpRequest) -> HttpResponseBase:
    """开放数据: the public projects as an OC4IDS project package; `?year=` for one year's plans."""
    year = query_int(request.GET, "year", 0, *YEARS) or None
    projects = package_projects(year)
    if not projects.exists():
        return JsonResponse(
            {"detail": _("暂无公开项目。")}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    # Written as it is read, a batch of projects at a time (a province's package is hundreds of
    # megabytes); published when what it holds last changed.
    published = public.last_changed(projects) or datetime.now(UTC)
    # What the package holds, named without writing it: which projects, and when they last changed.
    held = projects.aggregate(count=Count("pk"), ids=Sum("pk"))
    response = StreamingHttpResponse(
        package_stream(
            projects,
            uri=request.build_absolute_uri(),
            year=year,
            changed=published,
            today=timezone.localdate(),
        ),
        content_type="application/json",
    )
    response["Last-Modified"] = http_date(published.timestamp())
    response["ETag"] = quote_etag(f"{held['count']}-{held['ids']}-{published.timestamp():.0f}-{year or ''}")
    return response
