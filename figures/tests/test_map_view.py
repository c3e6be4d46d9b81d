"""一张图 asks for what its view shows: clusters counted in the database while the view holds many
projects, the projects themselves when it holds few, never the whole registry at once."""

import json
import math
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from figures import map_cells, views_screen
from lib import mapgrid
from projects.models import Project

pytestmark = pytest.mark.django_db

MAP = reverse("figures:map_data")
# A view around the district the projects below are spread over, and one of its corners.
DISTRICT = "114.9,35.6,115.2,35.9"
CORNER = "114.9,35.6,115.0,35.7"


@pytest.fixture
def spread(world):
    """40 projects on a 5 × 8 grid (20 of 住建局, 20 of 城关街道, 13 in construction), 3 without a place."""
    made = []
    for i in range(43):
        unit, owner = (world.housing, world.owner_a_unit) if i % 2 else (world.town, world.owner_b_unit)
        placed = i < 40
        made.append(
            Project(
                name=f"网格项目{i:02d}", category=world.project_a.category, total_investment=Decimal(100 + i),
                responsible_unit=unit, owner_unit=owner, status="construction" if i % 3 == 0 else "preliminary",
                latitude=Decimal("35.61") + Decimal("0.035") * (i // 8) if placed else None,
                longitude=Decimal("114.91") + Decimal("0.035") * (i % 8) if placed else None,
            )
        )  # fmt: skip
    Project.objects.bulk_create(made)
    Project.objects.filter(pk__in=[world.project_a.pk, world.project_b.pk]).update(
        latitude=None, longitude=None
    )
    return world


def view(client, bbox=None, zoom=None, **params):
    query = {**params, **({"bbox": bbox} if bbox else {}), **({"zoom": zoom} if zoom is not None else {})}
    response = client.get(MAP, query)
    assert response.status_code == 200
    return json.loads(response.content)


def inside(features, bbox):
    west, south, east, north = (float(v) for v in bbox.split(","))
    return [
        f
        for f in features
        if west <= f["geometry"]["coordinates"][0] <= east
        and south <= f["geometry"]["coordinates"][1] <= north
    ]


def test_a_view_of_many_projects_gets_clusters_that_add_up_to_them(spread, client_for, monkeypatch):
    monkeypatch.setattr(views_screen, "MAP_POINTS", 5)
    client = client_for(spread.coordinator)
    data = view(client, DISTRICT, 11)
    assert data["clustered"] and data["total"] == 40
    assert sum(f["properties"]["count"] for f in data["features"]) == 40
    assert 1 < len(data["features"]) < 40
    for cell in data["features"]:
        west, south, east, north = cell["properties"]["bbox"]
        lon, lat = cell["geometry"]["coordinates"]
        assert west <= lon <= east and south <= lat <= north
    # A corner of the district holds its own projects only, counted the same way.
    corner = view(client, CORNER, 12)
    assert corner["total"] == 9
    assert corner["clustered"] and sum(f["properties"]["count"] for f in corner["features"]) == 9
    assert corner["by_status"] == {"construction": 3, "preliminary": 6}
    # Zoomed further out, the cells are larger and fewer.
    assert len(view(client, DISTRICT, 8)["features"]) < len(data["features"])


def test_a_view_of_few_projects_gets_the_projects(spread, client_for, monkeypatch):
    monkeypatch.setattr(views_screen, "MAP_POINTS", 10)
    client = client_for(spread.coordinator)
    corner = view(client, "114.9,35.6,114.96,35.66", 12)
    assert not corner["clustered"] and not corner["truncated"]
    assert len(corner["features"]) == corner["total"] == 4
    assert {f["properties"]["name"] for f in corner["features"]} == {
        "网格项目00",
        "网格项目01",
        "网格项目08",
        "网格项目09",
    }
    # Zoomed in to streets, a view of more than the cap gets the largest projects, and says so.
    close = view(client, DISTRICT, views_screen.POINTS_ZOOM)
    assert not close["clustered"] and close["truncated"] and close["total"] == 40
    assert [f["properties"]["total_investment"] for f in close["features"]] == [
        f"{139 - i}.00" for i in range(10)
    ]


def test_without_a_view_the_map_hears_every_project_and_their_box(spread, client_for, monkeypatch):
    monkeypatch.setattr(views_screen, "MAP_POINTS", 10)
    data = view(client_for(spread.coordinator))
    assert data["total"] == 40 and data["clustered"]
    assert sum(f["properties"]["count"] for f in data["features"]) == 40
    west, south, east, north = data["extent"]
    assert west < 114.91 and east > 115.155 and south < 35.61 and north > 35.75
    assert view(client_for(spread.coordinator), DISTRICT, 11)["extent"] is None


def test_the_project_lists_filters_still_apply(spread, client_for, monkeypatch):
    monkeypatch.setattr(views_screen, "MAP_POINTS", 10)
    client = client_for(spread.coordinator)
    building = view(client, DISTRICT, 11, status="construction")
    assert building["total"] == 14 and building["by_status"] == {"construction": 14}
    assert sum(f["properties"]["count"] for f in building["features"]) == 14
    named = view(client, DISTRICT, 11, q="网格项目0")
    assert named["total"] == 10 and not named["clustered"]


@pytest.mark.parametrize(
    ("persona", "located"),
    [("coordinator", 40), ("leader", 40), ("department", 20), ("town_user", 20), ("owner_a", 20), ("owner_b", 20), ("outsider", 0)],
)  # fmt: skip
def test_each_persona_sees_only_its_projects_on_the_map(spread, client_for, monkeypatch, persona, located):
    monkeypatch.setattr(views_screen, "MAP_POINTS", 10)
    user = getattr(spread, persona)
    client = client_for(user)
    data = view(client, DISTRICT, 11)
    assert data["total"] == located == sum(data["by_status"].values())
    assert sum(f["properties"].get("count", 1) for f in data["features"]) == located
    visible = set(Project.objects.visible_to(user).values_list("pk", flat=True))
    close = view(client, DISTRICT, views_screen.POINTS_ZOOM)
    assert {f["id"] for f in close["features"]} <= visible


@pytest.mark.parametrize(
    "bbox", ["", "x", "1,2,3", "115,35,114,36", "nan,35,115,36", "-999,-99,999,99", "1e400,0,2e400,1"]
)
def test_a_view_that_makes_no_sense_is_no_error(spread, client_for, bbox):
    data = view(client_for(spread.coordinator), bbox or None, "abc")
    assert data["total"] == 40


def test_the_maps_cost_does_not_grow_with_the_projects(spread, client_for, monkeypatch):
    monkeypatch.setattr(views_screen, "MAP_POINTS", 10)
    client = client_for(spread.coordinator)

    def cost(**params):
        with CaptureQueriesContext(connection) as context:
            response = client.get(MAP, params)
        return len(context.captured_queries), len(response.content)

    before = [cost(bbox=DISTRICT, zoom=11), cost(bbox=DISTRICT, zoom=16), cost()]
    Project.objects.bulk_create(
        Project(
            name=f"加密项目{i}", category=spread.project_a.category, total_investment=Decimal(1),
            responsible_unit=spread.housing, owner_unit=spread.owner_a_unit, status="construction",
            latitude=Decimal("35.61") + Decimal("0.035") * (i % 5), longitude=Decimal("114.91") + Decimal("0.035") * (i % 8),
        )
        for i in range(200)
    )  # fmt: skip
    after = [cost(bbox=DISTRICT, zoom=11), cost(bbox=DISTRICT, zoom=16), cost()]
    assert [queries for queries, _size in after] == [queries for queries, _size in before]
    # The cells are the same (the new projects sit on the old grid), and the points stay capped.
    for (_q1, size_before), (_q2, size_after) in zip(before, after, strict=True):
        assert size_after < size_before * 1.2


def whole_map(client):
    with CaptureQueriesContext(connection) as context:
        data = view(client)
    return data, len(context.captured_queries)


def test_a_map_without_a_view_counts_its_cells_and_its_box_in_one_pass(spread, client_for, monkeypatch):
    monkeypatch.setattr(views_screen, "MAP_POINTS", 10)
    # Two projects far from the district: the box is ten degrees wide, wider than MAX_CELLS cells
    # of the site's zoom, so the site's cells are merged into the box's larger ones.
    for name, latitude, longitude in [("远处项目甲", "30.5", "110.2"), ("远处项目乙", "40.5", "120.3")]:
        Project.objects.create(
            name=name, category=spread.project_a.category, total_investment=Decimal(1),
            responsible_unit=spread.housing, owner_unit=spread.owner_a_unit, status="completed",
            latitude=Decimal(latitude), longitude=Decimal(longitude),
        )  # fmt: skip
    client = client_for(spread.coordinator)
    # The map's summary brought up to date with the projects first (figures.map_cells).
    map_cells.SUMMARY.refresh()
    data, queries = whole_map(client)
    assert data["total"] == 42 and data["clustered"]
    assert data["by_status"] == {"construction": 14, "preliminary": 26, "completed": 2}
    assert sum(f["properties"]["count"] for f in data["features"]) == 42
    west, south, east, north = data["extent"]
    assert (west, south, east, north) == pytest.approx((110.199, 30.499, 120.301, 40.501))
    site = views_screen.zoom_cell(11)
    box = views_screen.View(west, south, east, north, 11)
    side = site * round(box.cell / site + 0.5)
    assert side >= box.cell
    for cell in data["features"]:
        cell_west, cell_south, cell_east, cell_north = cell["properties"]["bbox"]
        assert cell_east - cell_west < side and cell_north - cell_south < side
    # The far projects are clusters of their own; the district's 40 are in a few cells.
    counts = sorted(f["properties"]["count"] for f in data["features"])
    assert counts[:2] == [1, 1] and sum(counts[2:]) == 40 and len(counts) <= 6

    # Spread over more cells of the site's zoom than SITE_GROUPS groups, the box is read, then the
    # cells of the box: two passes more, the same map.
    monkeypatch.setattr(views_screen, "SITE_GROUPS", 3)
    again, queries_again = whole_map(client)
    assert queries_again == queries + 2
    assert again["extent"] == data["extent"] and again["by_status"] == data["by_status"]
    assert sum(f["properties"]["count"] for f in again["features"]) == 42
    assert sorted(f["properties"]["count"] for f in again["features"])[:2] == [1, 1]


def test_a_map_without_a_view_or_a_located_project_is_empty(world, client_for):
    Project.objects.update(latitude=None, longitude=None)
    data, _queries = whole_map(client_for(world.coordinator))
    assert data["total"] == 0 and data["features"] == [] and data["extent"] is None
    assert data["by_status"] == {} and not data["clustered"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL plans from its statistics")
def test_the_clusters_are_counted_from_the_index_of_located_projects(spread):
    """Cells of the map's grid, or whole numbers of them (every zoom up to the grid's), are counted
    in the order of the index on the grid cells: nothing worked out for each project, nothing
    sorted. Other cells are worked out from the index on (status, latitude, longitude), which holds
    all they ask."""
    located = views_screen.located(Project.objects.all())
    view = views_screen.View(114.9, 35.6, 115.2, 35.9, 11)
    wide = views_screen.View(100.0, 20.0, 130.0, 45.0, 6)
    # Zoom 6's cells are 2 ** (11 - 6) grid cells on a side.
    for (rows, times), expected in (
        (views_screen.cell_rows(located, mapgrid.GRID), 1),
        (views_screen.cell_rows(view.within(located), view.cell), 1),
        (views_screen.cell_rows(wide.within(located), wide.cell), 32),
    ):
        plan = rows.explain()
        assert "INDEX project_on_grid" in plan and "TEMP B-TREE" not in plan, plan
        assert times == expected
    rows, times = views_screen.cell_rows(located, 0.05)
    assert times == 1 and "COVERING INDEX project_located" in rows.explain()


def test_the_grid_cells_are_the_floor_of_the_coordinates(world):
    """The cells the database keeps each project in, south and west of zero too."""
    places = [
        ("35.746821", "115.140000"),
        ("-33.868800", "-151.209300"),
        ("0.000000", "-0.000001"),
        (None, None),
    ]
    for i, (latitude, longitude) in enumerate(places):
        Project.objects.create(
            name=f"网格{i}", category=world.project_a.category, total_investment=100, responsible_unit=world.drc,
            latitude=None if latitude is None else Decimal(latitude),
            longitude=None if longitude is None else Decimal(longitude),
        )  # fmt: skip
    for project in Project.objects.filter(name__startswith="网格"):
        if project.latitude is None:
            assert project.map_row is None and project.map_column is None
            continue
        assert project.map_row == math.floor(float(project.latitude) / mapgrid.GRID)
        assert project.map_column == math.floor(float(project.longitude or 0) / mapgrid.GRID)
    # Moved, the project's cell moves with it.
    moved = Project.objects.get(name="网格0")
    Project.objects.filter(pk=moved.pk).update(latitude=Decimal("-0.5"))
    moved.refresh_from_db()
    assert moved.map_row == math.floor(-0.5 / mapgrid.GRID) == -10
