"""大屏 (the LED big screen of the seeds) and 一张图 (projects on a map), each a page and its data."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, F, FloatField, Max, Min, QuerySet, Sum, Value
from django.db.models.functions import Cast, Floor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from figures import map_cells, registry
from figures.compute import behind_time_progress, compute
from figures.screen_cards import card_labels, cards_per_turn
from figures.views import period_of, scope_of
from lib.listing import filters_given
from lib.mapgrid import grid_times, zoom_cell
from lib.numbers import elapsed_of_year
from lib.params import query_int
from lib.requests import AuthenticatedHttpRequest
from org.models import Unit
from plans.scope import Scope
from projects.choices import PlanLevel, ProjectStatus
from projects.filtersets import ProjectFilterSet
from projects.models import Project

# Marker and legend colours of the project statuses, shared by the map and the big screen.
STATUS_COLOURS: dict[str, str] = {
    ProjectStatus.RESERVE: "#ae3ec9",
    ProjectStatus.PRELIMINARY: "#f59f00",
    ProjectStatus.CONSTRUCTION: "#206bc4",
    ProjectStatus.COMPLETED: "#2fb344",
    ProjectStatus.OPERATING: "#17a2b8",  # teal-blue: set apart from the green of 竣工 on the map
    ProjectStatus.SUSPENDED: "#d63939",
    ProjectStatus.CANCELLED: "#868e96",
}
RANKING_NAMED = 5
BEHIND_LISTED = 15


def map_settings() -> dict[str, Any]:
    """What every Leaflet map of the site is configured with (tiles, centre, zoom, colours)."""
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": settings.MAP_CENTER,
        "zoom": settings.MAP_ZOOM,
        "projects_url": reverse("figures:map_data"),
        "statuses": [
            {"key": value, "label": str(label), "colour": STATUS_COLOURS[value]}
            for value, label in ProjectStatus.choices
        ],
        "labels": {
            "total_investment": _("总投资："),
            "wan": _("万元"),
            "no_tiles": _("未配置地图底图，仅显示项目位置"),
            "in_view": _("当前视野内 {} 个项目"),
            "truncated": _("当前视野内 {} 个项目，仅显示总投资最大的 {} 个，放大地图可看到其余项目"),
        },
    }


def screen_labels() -> dict[str, str]:
    """The words bigscreen.js puts around numbers; {} marks where a number goes."""
    return {
        "yi": _("亿元"),
        "completed": _("累计完成投资"),
        "planned": _("按时间进度应完成"),
        "rate": _("完成率"),
        "time_progress": _("时间进度"),
        "ahead": _("快于时间进度{}个百分点"),
        "behind": _("慢于时间进度{}个百分点"),
        "points": _("{}个百分点"),
        "yoy_up": _("同比增长{}%"),
        "yoy_down": _("同比减少{}%"),
        "yi_share": _("亿元以上项目占{}%"),
        "starts": _("已开工{}个 / 应开工{}个"),
        "ranking_note": _("共{}个责任单位，按年度计划完成率排名，完成率相同时按完成投资额"),
        "behind_note": _("（金额单位：万元；时间进度{}%，按差距排序，前{}个）"),
        "month": _("{}月"),
        "none": _("暂无"),
    }


def rotate_seconds(request: HttpRequest) -> int:
    """How long a panel stays: ?rotate=N (2–3600 seconds) for a rehearsal, else the setting."""
    try:
        seconds = int(request.GET.get("rotate", ""))
    except ValueError:
        return settings.BIGSCREEN_ROTATE_SECONDS
    return min(max(seconds, 2), 3600)


def screen_figures(year: int, month: int, request: HttpRequest, scope: Scope | None = None) -> dict[str, Any]:
    """The big screen's figures: the scope's KPIs, monthly series, ranking ends and laggards; the
    month under way has its time progress by days. The scope is the page's filters for the user,
    unless given (a screen link's, kiosk)."""
    scope = scope or scope_of(request)
    today = timezone.localdate()
    data = compute(year, month, scope, work=False, today=today)
    ranking = data["ranking_units"]
    return {
        "region": settings.REGION_NAME,
        "period": data["period"],
        "scope": data["scope"],
        "generated_at": timezone.localtime(),
        "plan": data["plan"],
        "year_on_year": {key: data["year_on_year"][key] for key in ("count", "annual_plan", "completed")},
        "starts": data["starts"],
        "sizes": {key: data["sizes"][key] for key in ("yi_and_above", "yi_and_above_share")},
        "by_status": data["by_status"],
        "by_category": data["by_category"],
        "monthly": data["monthly"],
        "ranking": {
            "units": len(ranking),
            "praise": ranking[:RANKING_NAMED],
            # With fewer than ten units nobody is named both for praise and for pressure.
            "pressure": ranking[max(RANKING_NAMED, len(ranking) - RANKING_NAMED) :],
        },
        "behind": behind_time_progress(
            year, month, scope, limit=BEHIND_LISTED, today=today, entry_count=data["plan"]["count"]
        ),
    }


def screen_scope(year: int, scope: Scope) -> str:
    """What the big screen counts, said on it: the projects on the year's plans (of one level when
    chosen), where the map page counts every project of its filters."""
    if scope.level:
        level = PlanLevel(scope.level).label
        return _("统计范围：%(year)s年%(level)s计划内的项目") % {"year": year, "level": level}
    return _("统计范围：%(year)s年各级计划内的项目") % {"year": year}


def map_scope(filterset: ProjectFilterSet) -> str:
    """What the map page counts, said on it: the projects of its filters, on a year's plans only when
    the filters ask for one, unlike the dashboard and the big screen."""
    values = filterset.form.cleaned_data if filterset.is_bound and filterset.is_valid() else {}
    if values.get("plan_year"):
        return _("统计范围：列入%(year)s年计划、符合筛选条件的项目。") % {"year": values["plan_year"]}
    return _(
        "统计范围：项目库中符合筛选条件的项目，不限年度计划；"
        "首页看板和大屏只统计当年年度计划内的项目，所以项目数可能不同。"
    )


@login_required
def bigscreen(request: AuthenticatedHttpRequest) -> HttpResponse:
    """大屏: a full-screen rotation of the user's figures for a wall display."""
    year, month = period_of(request)
    scope = scope_of(request)
    query = request.GET.copy()
    query.pop("rotate", None)
    on_plans = {"plan_year": year, **({"plan_level": scope.level} if scope.level else {})}
    return render(
        request,
        "figures/bigscreen.html",
        {
            "year": year,
            "month": month,
            # The month under way: its time progress is by days (see screen_figures).
            "by_day": elapsed_of_year(year, month, timezone.localdate())[1] != 12,
            "labels": screen_labels(),
            "card_labels": card_labels(),
            "scope_note": screen_scope(year, scope),
            "config": {
                "data_url": f"{reverse('figures:bigscreen_data')}?{query.urlencode()}",
                "map_url": f"{reverse('figures:map_data')}?{urlencode(on_plans)}",
                "cards_url": f"{reverse('figures:bigscreen_cards')}?{query.urlencode()}",
                "card_pages": cards_per_turn(),
                "refresh_seconds": max(settings.BIGSCREEN_REFRESH_SECONDS, 10),
                "rotate_seconds": rotate_seconds(request),
                # The wall clock tells the deployment's time, whatever the browser's own zone.
                "time_zone": settings.TIME_ZONE,
            },
        },
    )


@login_required
def bigscreen_data(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The big screen's figures as JSON (amounts in 万元 as decimal strings)."""
    year, month = period_of(request)
    return JsonResponse(
        screen_figures(year, month, request),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False},
    )


def filtered_projects(request: HttpRequest) -> tuple[ProjectFilterSet, Any]:
    """The projects of the list page's filters (same GET parameters) within what the user may see."""
    visible = Project.objects.visible_to(request.user)
    filterset = ProjectFilterSet(request.GET or None, queryset=visible, request=request)
    return filterset, filterset.qs if filterset.is_bound else visible


@login_required
def project_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    """一张图: the user's projects on a map, filtered as on the project list. How many of them the map
    can place is the total of the map's data, which counts them as it places them."""
    filterset, projects = filtered_projects(request)
    # Unfiltered, the user's projects are counted from the units' indexes (count_visible).
    unfiltered = filters_given(filterset) == set()
    return render(
        request,
        "figures/map.html",
        {
            "filterset": filterset,
            "scope_note": map_scope(filterset),
            "project_count": Project.objects.count_visible(request.user) if unfiltered else projects.count(),
            "unit_choices": Unit.objects.filter_choices_for(request.user),
            "config": {
                "data_url": f"{reverse('figures:map_data')}?{request.GET.urlencode()}",
            },
        },
    )


# At most this many projects are sent as points; a view that holds more gets clusters.
MAP_POINTS = 1000
# From this zoom on (a few streets across) a view gets points even when it holds more than
# MAP_POINTS, the first of them by total investment.
POINTS_ZOOM = 15
# A cluster's cell is lib.mapgrid.CELL_PIXELS across, and a view is cut into at most this many
# cells either way, whatever bounds and zoom a request names.
MAX_CELLS = 40


@dataclass(frozen=True)
class View:
    """What a map shows: a box of longitudes and latitudes, and its zoom."""

    west: float
    south: float
    east: float
    north: float
    zoom: int

    @classmethod
    def of(cls, request: HttpRequest) -> "View | None":
        """The view of `?bbox=west,south,east,north&zoom=z` (Leaflet's toBBoxString()), clamped to
        the globe; None when absent or malformed."""
        try:
            west, south, east, north = (float(part) for part in request.GET.get("bbox", "").split(","))
        except ValueError:
            return None
        if not all(math.isfinite(value) for value in (west, south, east, north)):
            return None
        west, east = max(west, -180.0), min(east, 180.0)
        south, north = max(south, -90.0), min(north, 90.0)
        if west >= east or south >= north:
            return None
        return cls(west, south, east, north, query_int(request.GET, "zoom", 3, 0, 22))

    def within(self, projects: QuerySet[Project]) -> QuerySet[Project]:
        return projects.filter(
            longitude__gte=self.west,
            longitude__lte=self.east,
            latitude__gte=self.south,
            latitude__lte=self.north,
        )

    @property
    def cell(self) -> float:
        """A cluster's side in degrees: CELL_PIXELS at the view's zoom, never so small that the view
        holds more than MAX_CELLS across or down."""
        return max(
            zoom_cell(self.zoom), (self.east - self.west) / MAX_CELLS, (self.north - self.south) / MAX_CELLS
        )


def located(projects: QuerySet[Project]) -> QuerySet[Project]:
    return projects.filter(latitude__isnull=False, longitude__isnull=False)


def extent(projects: QuerySet[Project]) -> View | None:
    """The box around the located projects, at the zoom of the site's map; None when none is located."""
    box = located(projects).aggregate(
        west=Min("longitude"), south=Min("latitude"), east=Max("longitude"), north=Max("latitude")
    )
    if box["west"] is None:
        return None
    return site_view(box["west"], box["south"], box["east"], box["north"])


def site_view(west: Decimal, south: Decimal, east: Decimal, north: Decimal) -> View:
    """The box of these bounds at the zoom of the site's map; a box around a single point still has
    a size, so that a cell can be cut from it."""
    pad = 0.001
    return View(
        float(west) - pad, float(south) - pad, float(east) + pad, float(north) + pad, settings.MAP_ZOOM
    )


def point_features(projects: QuerySet[Project], limit: int) -> list[dict[str, Any]]:
    """The first `limit` projects by total investment, as GeoJSON points with what the popup says."""
    projects, marks = registry.marked(projects)
    rows = projects.order_by("-total_investment", "id").values(
        "id",
        "name",
        "status",
        "total_investment",
        "responsible_unit__name",
        "latitude",
        "longitude",
        *marks,
    )[:limit]
    labels = dict(ProjectStatus.choices)
    prefix, suffix = reverse("projects:detail", args=[0]).rsplit("0", 1)
    return [
        {
            "type": "Feature",
            "id": row["id"],
            "geometry": {"type": "Point", "coordinates": [float(row["longitude"]), float(row["latitude"])]},
            "properties": {
                "name": row["name"],
                "status": row["status"],
                "status_label": str(labels.get(row["status"], row["status"])),
                "total_investment": row["total_investment"],
                "unit": row["responsible_unit__name"],
                "url": f"{prefix}{row['id']}{suffix}",
                # The registered marks, such as the worst open warning (红黄灯): "red", "yellow" or null.
                **{mark: row[mark] for mark in marks},
            },
        }
        for row in rows
    ]


@dataclass
class Cell:
    """The located projects of one square cell of the map: how many, the sums of their positions
    (for their mean) and the box around them."""

    count: int
    latitudes: float
    longitudes: float
    south: Decimal
    north: Decimal
    west: Decimal
    east: Decimal

    def add(self, other: "Cell") -> None:
        """Add the projects of `other`, of this cell or within it."""
        self.count += other.count
        self.latitudes += other.latitudes
        self.longitudes += other.longitudes
        self.south, self.north = min(self.south, other.south), max(self.north, other.north)
        self.west, self.east = min(self.west, other.west), max(self.east, other.east)

    @property
    def feature(self) -> dict[str, Any]:
        """The cell as a cluster: a point at its projects' mean position, with their count and the
        box around them, which a click zooms to."""
        return {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [
                    round(self.longitudes / self.count, 6),
                    round(self.latitudes / self.count, 6),
                ],
            },
            "properties": {
                "cluster": True,
                "count": self.count,
                "bbox": [float(self.west), float(self.south), float(self.east), float(self.north)],
            },
        }


CELL_FIELDS = ("count", "latitudes", "longitudes", "south", "north", "west", "east")
# A map without a view is counted by the cells of the site's zoom first; more groups than this of
# cell and status, and it is counted again by the cells of the box around its projects.
SITE_GROUPS = 10_000

Cells = dict[tuple[int, int], Cell]


def cell_rows(projects: QuerySet[Project], cell: float) -> tuple[QuerySet[Project, dict[str, Any]], int]:
    """The located `projects` counted in the database by square cells and by status, a row per
    group; and how many of the rows' cells make one `cell` degrees wide on a side. When `cell` is a
    whole number of the map's grid cells (lib.mapgrid), the rows are by grid cell, read in the order
    of the index on the cells each project is kept in; else by cells `cell` wide (row
    floor(latitude / cell), column floor(longitude / cell)), worked out for every project."""
    times = grid_times(cell)
    if times is not None:
        rows = projects.annotate(row=F("map_row"), column=F("map_column")).values("row", "column", "status")
    else:
        degrees = Value(cell, output_field=FloatField())
        rows = projects.annotate(
            row=Floor(Cast("latitude", FloatField()) / degrees),
            column=Floor(Cast("longitude", FloatField()) / degrees),
        ).values("row", "column", "status")
    counted = rows.annotate(
        count=Count("id"),
        latitudes=Sum(Cast("latitude", FloatField())),
        longitudes=Sum(Cast("longitude", FloatField())),
        south=Min("latitude"),
        north=Max("latitude"),
        west=Min("longitude"),
        east=Max("longitude"),
    ).order_by()
    return counted, times or 1


def gathered(cells: Iterable[tuple[tuple[int, int], Cell]]) -> Cells:
    """The cells by their key, those of the same key added up."""
    found: Cells = {}
    for key, cell in cells:
        if key in found:
            found[key].add(cell)
        else:
            found[key] = cell
    return found


def tallied(rows: list[dict[str, Any]], times: int = 1) -> tuple[dict[str, int], Cells]:
    """How many projects cell_rows() `rows` count of each status, and their cells, `times` of the
    rows' cells on a side making one."""
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["count"]
    cells = gathered(
        (
            (int(row["row"]) // times, int(row["column"]) // times),
            Cell(**{name: row[name] for name in CELL_FIELDS}),
        )
        for row in rows
    )
    return by_status, cells


def counted_cells(projects: QuerySet[Project], cell: float) -> tuple[dict[str, int], Cells]:
    """tallied() of the cell_rows() of `projects` by cells `cell` degrees wide."""
    counted, times = cell_rows(projects, cell)
    return tallied(list(counted), times)


def whole_map(
    projects: QuerySet[Project], grid: list[dict[str, Any]] | None = None
) -> tuple[View | None, dict[str, int], Cells]:
    """The located `projects` of a map without a view: the box around them, their count by status
    and their cells at the box's View.cell. One pass by the cells of the site's zoom, merged into
    the box's larger cells when it is wider than MAX_CELLS of them (so that the box needs no pass
    of its own); two, the box and then its cells, when the projects lie in too many small cells."""
    site = zoom_cell(settings.MAP_ZOOM)
    counted, site_times = cell_rows(projects, site)
    # The projects counted by grid cell already (`grid`, from figures.map_cells), when the site's
    # cells are whole grid cells.
    rows = grid if grid is not None and grid_times(site) is not None else list(counted[: SITE_GROUPS + 1])
    if len(rows) > SITE_GROUPS:
        box = extent(projects)
        return (box, *counted_cells(projects, box.cell)) if box else (None, {}, {})
    by_status, cells = tallied(rows, site_times)
    if not cells:
        return None, by_status, cells
    box = site_view(
        min(c.west for c in cells.values()),
        min(c.south for c in cells.values()),
        max(c.east for c in cells.values()),
        max(c.north for c in cells.values()),
    )
    # Cells of `times` site cells on a side, as wide as the box's cell at least.
    times = math.ceil(box.cell / site - 1e-9)
    if times == 1:
        return box, by_status, cells
    return (
        box,
        by_status,
        gathered(((row // times, column // times), cell) for (row, column), cell in cells.items()),
    )


def map_collection(
    request: HttpRequest, projects: QuerySet[Project], grid: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The located ones of `projects` in the request's view as map_data describes them: points, or
    clusters counted in the database, with the view's count by status. `grid` is the projects
    counted by grid cell, when the summary has them (summary_rows())."""
    projects = located(projects)
    view = View.of(request)
    if view is None:
        box, by_status, cells = whole_map(projects, grid)
        shown = projects
    else:
        box, shown = view, view.within(projects)
        by_status, cells = counted_cells(shown, view.cell)
    total = sum(by_status.values())
    clustered = box is not None and total > MAP_POINTS and box.zoom < POINTS_ZOOM
    features = [c.feature for c in cells.values()] if clustered else point_features(shown, MAP_POINTS)
    return {
        "type": "FeatureCollection",
        "features": features,
        "total": total,
        "by_status": by_status,
        "clustered": clustered,
        "truncated": not clustered and total > len(features),
        "extent": None if view or box is None else [box.west, box.south, box.east, box.north],
    }


# The project list's filters the map's summary can answer: the plans in force of a year (of a level).
SUMMARY_FILTERS = {"plan_year", "plan_level"}


def summary_rows(request: HttpRequest, filterset: ProjectFilterSet) -> list[dict[str, Any]] | None:
    """The user's located projects counted by grid cell from the map's summary (figures.map_cells),
    for a whole map (no view) of the whole registry or of a year's plans; None for anything else,
    which the projects answer."""
    if View.of(request) is not None:
        return None
    values: dict[str, Any] = {}
    if filterset.is_bound:
        if not filterset.is_valid():
            return None
        values = {
            name: value for name, value in filterset.form.cleaned_data.items() if value not in (None, "", [])
        }
    if not set(values) <= SUMMARY_FILTERS or ("plan_level" in values and "plan_year" not in values):
        return None
    if not map_cells.SUMMARY.refreshed([map_cells.YEAR]):
        return None
    return map_cells.grid_rows(request.user, values.get("plan_year"), values.get("plan_level"))


@login_required
def map_data(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The filtered projects that have coordinates within the view (`?bbox=` and `?zoom=`; without
    them, all of them, and the box around them), as a GeoJSON FeatureCollection: the projects as
    points when the view holds at most MAP_POINTS or is zoomed in to POINTS_ZOOM (then the first
    MAP_POINTS of them), else clusters counted in the database. With them, how many projects the
    view holds (`total`) by status (`by_status`), and whether some were left out (`truncated`)."""
    filterset, projects = filtered_projects(request)
    return JsonResponse(
        map_collection(request, projects, summary_rows(request, filterset)),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False},
    )
