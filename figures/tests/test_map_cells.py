"""一张图's summary (figures.map_cells): the whole map counted from it equals the map counted from the
projects, for every persona, of the registry and of a year's plans, after every kind of write."""

from decimal import Decimal

import pytest

from figures import map_cells
from figures.models import MapStale
from figures.views_screen import located, whole_map
from plans.counting import recount
from plans.models import Plan, PlanEntry
from plans.views import projects_on_plans
from projects.models import Project

pytestmark = pytest.mark.django_db
PERSONAS = ("coordinator", "leader", "department", "town_user", "owner_a", "owner_b", "outsider")
FILTERS = [(None, None), (2026, None), (2026, "city"), (2025, None)]


@pytest.fixture
def mapped(world):
    """Thirty projects around two towns and one far away, of both units, owners A and B and none,
    in three statuses; the 2026 local and city plans share some, 2025's has others."""
    local = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    city = Plan.objects.create(year=2026, level="city", title="2026年市重点")
    last = Plan.objects.create(year=2025, level="local", title="2025年区重点")
    owners = [world.owner_a_unit, world.owner_b_unit, None]
    projects = []
    for n in range(30):
        base = (Decimal("35.70"), Decimal("115.00")) if n % 3 else (Decimal("35.10"), Decimal("114.40"))
        if n == 29:
            base = (Decimal("23.10"), Decimal("113.30"))
        project = Project.objects.create(
            name=f"项目{n:02d}",
            category=world.project_a.category,
            total_investment=Decimal(1000 + n),
            responsible_unit=world.housing if n % 2 else world.town,
            owner_unit=owners[n % 3],
            status=("construction", "preliminary", "completed")[n % 4 % 3],
            latitude=base[0] + Decimal(n) / 1000,
            longitude=base[1] + Decimal(n * 7 % 13) / 100,
        )
        projects.append(project)
        if n % 4:
            PlanEntry.objects.create(
                plan=local, project=project, plan_type="continuing", annual_investment=10
            )
        if n % 3 == 0:
            PlanEntry.objects.create(plan=city, project=project, plan_type="continuing", annual_investment=20)
        if n % 5 == 0:
            PlanEntry.objects.create(plan=last, project=project, plan_type="continuing", annual_investment=5)
    recount(2026)
    recount(2025)
    # One without coordinates, which no map shows.
    Project.objects.create(
        name="未定位项目", category=world.project_a.category, total_investment=1, responsible_unit=world.town
    )
    return {"projects": projects, "local": local, "city": city}


def assert_same(world, filters=FILTERS):
    for persona in (*PERSONAS, None):
        user = getattr(world, persona) if persona else None
        for year, level in filters:
            projects = located(Project.objects.all() if user is None else Project.objects.visible_to(user))
            if year:
                projects = projects.filter(pk__in=projects_on_plans(year, level))
            box, by_status, cells = whole_map(projects)
            assert map_cells.SUMMARY.refreshed([map_cells.YEAR])
            got_box, got_status, got_cells = whole_map(projects, map_cells.grid_rows(user, year, level))
            key = (persona, year, level)
            assert (got_box, got_status) == (box, by_status), key
            assert got_cells.keys() == cells.keys(), key
            for place, cell in cells.items():
                other = got_cells[place]
                assert (other.count, other.south, other.north, other.west, other.east) == (
                    cell.count,
                    cell.south,
                    cell.north,
                    cell.west,
                    cell.east,
                ), key
                assert other.latitudes == pytest.approx(cell.latitudes) and other.longitudes == pytest.approx(
                    cell.longitudes
                ), key


def test_the_summary_gives_the_projects_map_for_every_persona(world, mapped):
    assert_same(world)
    _box, by_status, _cells = whole_map(Project.objects.all(), map_cells.grid_rows(None, 2026, None))
    # A project on both lists of 2026 counts once.
    on_plans = Project.objects.filter(pk__in=projects_on_plans(2026, None)).exclude(latitude=None).count()
    assert sum(by_status.values()) == on_plans


@pytest.mark.parametrize(
    "write",
    [
        "added",
        "moved",
        "located",
        "unlocated",
        "status",
        "unit",
        "owner",
        "deleted",
        "entry",
        "unlisted",
        "recounted",
    ],
)
def test_every_write_the_map_depends_on_is_followed(world, mapped, write):
    assert_same(world, [(None, None), (2026, None)])
    assert not MapStale.objects.exists()
    # On both 2026 lists, of the town and owner A.
    project = mapped["projects"][6]
    projects = Project.objects.filter(pk=project.pk)
    if write == "added":
        Project.objects.create(
            name="新项目",
            category=world.project_a.category,
            total_investment=1,
            responsible_unit=world.housing,
            latitude=Decimal("35.7"),
            longitude=Decimal("115.1"),
        )
    elif write == "moved":
        projects.update(latitude=Decimal("36.9"), longitude=Decimal("116.2"))
    elif write == "located":
        Project.objects.filter(name="未定位项目").update(latitude=Decimal("35.2"), longitude=Decimal("114.5"))
    elif write == "unlocated":
        projects.update(latitude=None, longitude=None)
    elif write == "status":
        projects.update(status="suspended")
    elif write == "unit":
        projects.update(responsible_unit=world.drc)
    elif write == "owner":
        projects.update(owner_unit=world.owner_b_unit)
    elif write == "deleted":
        PlanEntry.objects.filter(project=project).delete()
        project.delete()
    elif write == "entry":
        # A project on no list yet.
        PlanEntry.objects.create(
            plan=mapped["city"], project=mapped["projects"][4], plan_type="continuing", annual_investment=1
        )
    elif write == "unlisted":
        PlanEntry.objects.filter(project=project).delete()
    elif write == "recounted":
        PlanEntry.objects.create(
            plan=mapped["local"], project=mapped["projects"][0], plan_type="continuing", annual_investment=1
        )
        recount(2026, [mapped["projects"][0].pk])
    assert MapStale.objects.exists(), "the write was not marked"
    assert_same(world)


def test_the_map_data_reads_the_summary(world, mapped, client_for):
    map_cells.SUMMARY.refresh()
    client = client_for(world.department)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        data = client.get("/dashboard/map/projects.geojson", {"plan_year": 2026}).json()
    visible = Project.objects.visible_to(world.department).filter(pk__in=projects_on_plans(2026, None))
    assert data["total"] == visible.exclude(latitude=None).count()
    grouped = [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    assert grouped and all(map_cells.CELLS in sql for sql in grouped)
    # Another filter, and the projects answer.
    with CaptureQueriesContext(connection) as captured:
        client.get("/dashboard/map/projects.geojson", {"plan_year": 2026, "status": "completed"})
    assert not any(map_cells.CELLS in q["sql"] for q in captured.captured_queries)


def test_rebuild_summaries_builds_every_summary_again(world, mapped):
    from io import StringIO

    from django.core.management import call_command

    from figures.models import MapCell

    map_cells.SUMMARY.refresh()
    kept = MapCell.objects.count()
    MapCell.objects.all().delete()
    out = StringIO()
    call_command("rebuild_summaries", stdout=out)
    assert MapCell.objects.count() == kept
    assert {"集中开工", "要素保障", "资金保障", "一张图", "预警看板", "政银企对接", "后评价"} <= {
        line.split("汇总已重建")[0] for line in out.getvalue().splitlines()
    }
