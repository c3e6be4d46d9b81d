"""要素保障's summary (elements.cells): what it adds up equals what the tables give, for every persona,
the supplying department included, after every kind of write the triggers watch; the board reads it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elements import cells
from elements.figures import element_figures
from elements.models import ElementCell, ElementNeed, ElementStale, ElementType
from elements.querysets import BOARD_ORDER
from org.choices import Role, UnitKind
from org.models import Unit, User
from plans.scope import Scope
from projects.models import Project

pytestmark = pytest.mark.django_db
PERSONAS = ("coordinator", "leader", "department", "town_user", "owner_a", "owner_b", "outsider")


@pytest.fixture
def needs(world):
    """区自然资源局 supplies land to both projects and to a third of the town's without an owner
    unit; 发改局 energy to project_a; project_b waits for water from 住建局 too."""
    land_office = Unit.objects.create(name="区自然资源局", kind=UnitKind.DEPARTMENT, parent=world.government)
    land_user = User.objects.create_user(
        username="land", password="x", role=Role.UNIT, unit=land_office, name="林国土"
    )
    third = Project.objects.create(
        name="城关农贸市场",
        category=world.project_a.category,
        total_investment=Decimal("3000"),
        responsible_unit=world.town,
        status="preliminary",
    )
    land, energy, water = (ElementType.objects.get(code=code) for code in ("land", "energy", "water"))
    rows = {
        "land_a": ElementNeed.objects.create(
            project=world.project_a,
            type=land,
            needed=80,
            secured=80,
            status="secured",
            department=land_office,
        ),
        "land_b": ElementNeed.objects.create(
            project=world.project_b,
            type=land,
            needed=Decimal("120"),
            secured=Decimal("40"),
            cultivated_needed=Decimal("30"),
            department=land_office,
            status="coordinating",
        ),
        "land_third": ElementNeed.objects.create(project=third, type=land, needed=15, department=land_office),
        "energy_a": ElementNeed.objects.create(
            project=world.project_a, type=energy, needed=Decimal("5000"), department=world.drc
        ),
        "water_b": ElementNeed.objects.create(
            project=world.project_b, type=water, needed=Decimal("12.5"), department=world.housing
        ),
    }
    return {"land_office": land_office, "land_user": land_user, "third": third, **rows}


def from_tables(user):
    visible = ElementNeed.objects.visible_to(user)
    return visible.by_type(), visible.waiting().by_department(), visible.waiting().count()


def from_cells(user):
    assert cells.refreshed()
    return cells.by_type(user), cells.waiting_by_department(user), cells.waiting_count(user)


def assert_same(world, needs):
    users = [getattr(world, persona) for persona in PERSONAS] + [needs["land_user"], None]
    for user in users:
        expected = from_tables(user) if user is not None else from_tables_everything()
        assert from_cells(user) == expected, user


def from_tables_everything():
    needs = ElementNeed.objects.all()
    return needs.by_type(), needs.waiting().by_department(), needs.waiting().count()


def test_the_cells_give_the_tables_figures_for_every_persona(world, needs):
    assert_same(world, needs)
    by_type, by_department, waiting = from_cells(world.coordinator)
    assert waiting == 4
    land = next(row for row in by_type if row["type__name"] == "用地指标")
    assert (land["needs"], land["waiting"], land["needed"], land["secured"]) == (
        3,
        2,
        Decimal("215.00"),
        Decimal("120.00"),
    )
    # 区自然资源局 waits on two projects' land; 住建局 on project_b's water.
    assert [(row["department__name"], row["needs"], row["projects"]) for row in by_department][0] == (
        "区自然资源局",
        2,
        2,
    )
    # The land office sees what it must supply, whoever answers for the project.
    assert cells.waiting_count(needs["land_user"]) == 2


def test_a_department_counts_a_project_once_across_types(world, needs):
    # project_b now waits on 住建局 for land as well as water: two needs, one project.
    ElementNeed.objects.filter(pk=needs["land_b"].pk).update(department=world.housing)
    assert cells.refreshed()
    rows = {row["department__name"]: row for row in cells.waiting_by_department(world.coordinator)}
    assert (rows["区住房和城乡建设局"]["needs"], rows["区住房和城乡建设局"]["projects"]) == (2, 1)
    assert_same(world, needs)


@pytest.mark.parametrize(
    "write",
    [
        "need_added",
        "secured",
        "reopened",
        "amounts",
        "department_moved",
        "type_moved",
        "need_deleted",
        "unit_moved",
        "owner_moved",
        "project_deleted",
    ],
)
def test_every_write_the_figures_depend_on_is_followed(world, needs, write):
    assert_same(world, needs)
    assert not ElementStale.objects.exists()
    third = needs["third"]
    if write == "need_added":
        ElementNeed.objects.create(
            project=third, type=ElementType.objects.get(code="gas"), needed=3, department=world.drc
        )
    elif write == "secured":
        ElementNeed.objects.filter(pk=needs["water_b"].pk).update(status="secured", secured=Decimal("12.5"))
    elif write == "reopened":
        ElementNeed.objects.filter(pk=needs["land_a"].pk).update(status="pending")
    elif write == "amounts":
        ElementNeed.objects.filter(pk=needs["land_b"].pk).update(needed=200, cultivated_secured=10)
    elif write == "department_moved":
        ElementNeed.objects.filter(pk=needs["land_third"].pk).update(department=world.drc)
    elif write == "type_moved":
        ElementNeed.objects.filter(pk=needs["energy_a"].pk).update(
            type=ElementType.objects.get(code="forest")
        )
    elif write == "need_deleted":
        needs["land_b"].delete()
    elif write == "unit_moved":
        Project.objects.filter(pk=third.pk).update(responsible_unit=world.housing)
    elif write == "owner_moved":
        Project.objects.filter(pk=world.project_b.pk).update(owner_unit=world.owner_a_unit)
    elif write == "project_deleted":
        ElementNeed.objects.filter(project=third).delete()
        third.delete()
    assert ElementStale.objects.exists(), "the write was not marked"
    assert_same(world, needs)


def test_a_write_marks_only_its_own_owner_and_rebuilds_it_alone(world, needs):
    assert cells.refreshed()
    others = set(ElementCell.objects.exclude(unit_id=world.town.pk).values_list("pk", flat=True))
    ElementNeed.objects.filter(pk=needs["land_third"].pk).update(status="secured", secured=15)
    assert set(ElementStale.objects.values_list("year", "unit_id", "owner_id")) == {(0, world.town.pk, 0)}
    assert cells.refreshed()
    assert others <= set(ElementCell.objects.values_list("pk", flat=True))
    assert_same(world, needs)


def test_the_whole_rebuild_equals_the_marked_ones(world, needs):
    ElementNeed.objects.filter(pk=needs["water_b"].pk).update(status="secured", secured=12)
    assert cells.refreshed()
    fields = (
        "type_id",
        "department_id",
        "waiting",
        "unit_id",
        "per_owner",
        "owner_unit_id",
        "needs",
        "projects",
    )
    kept = sorted(ElementCell.objects.values_list(*fields), key=repr)
    cells.SUMMARY.rebuild_all()
    assert sorted(ElementCell.objects.values_list(*fields), key=repr) == kept
    assert not ElementStale.objects.exists()


def test_the_board_and_the_figures_read_the_cells(world, needs, client_for):
    assert cells.refreshed()
    figures = element_figures(2026, Scope(user=world.town_user))
    assert figures["waiting"] == 3
    with CaptureQueriesContext(connection) as captured:
        response = client_for(world.department).get("/elements/board/")
    assert response.status_code == 200
    grouped = [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    assert grouped and not any(ElementNeed._meta.db_table in sql for sql in grouped)
    page = response.content.decode()
    # 住建局 sees project_a's needs (its own) and the water it must supply to project_b.
    assert "用水" in page and "能耗指标" in page
    # Filtered, the board counts from the needs themselves.
    response = client_for(world.department).get("/elements/board/", {"waiting": "true", "type": "x"})
    assert response.status_code == 200


@pytest.fixture
def many(world, needs):
    """Needs of every type for a dozen projects of both units, supplied by three departments, two
    of them in the same place (then in the order of their names), and two types in the same
    place: the board's order then interleaves their needs by id."""
    twin = Unit.objects.create(name="区林业局", kind=UnitKind.DEPARTMENT, parent=world.town)
    Unit.objects.filter(pk__in=[twin.pk, needs["land_office"].pk]).update(sort_order=5)
    ElementType.objects.filter(code__in=["gas", "water"]).update(sort_order=3)
    departments = [needs["land_office"], twin, world.drc]
    types = list(ElementType.objects.order_by("pk"))
    for n in range(12):
        project = Project.objects.create(
            name=f"项目{n:02d}",
            category=world.project_a.category,
            total_investment=1000 + n,
            responsible_unit=world.housing if n % 3 else world.town,
            owner_unit=world.owner_a_unit if n % 4 == 1 else None,
            status="construction",
        )
        for k, kind in enumerate(types):
            if (n + k) % 3:
                ElementNeed.objects.create(
                    project=project,
                    type=kind,
                    needed=10 + k,
                    department=departments[(n + k) % 3],
                    status="secured" if (n * k) % 5 == 4 else "pending",
                    secured=10 + k if (n * k) % 5 == 4 else 0,
                )
    return needs


@pytest.mark.parametrize("persona", [*PERSONAS, "land_user"])
def test_the_boards_pages_from_the_cells_are_the_sorted_ones(world, many, persona):
    user = many["land_user"] if persona == "land_user" else getattr(world, persona)
    assert cells.refreshed()
    board = ElementNeed.objects.visible_to(user).waiting().order_by(*BOARD_ORDER)
    expected = list(board.values_list("pk", flat=True))
    assert cells.waiting_count(user) == len(expected)
    for size in (1, 7, 40):
        pages = [
            cells.waiting_page_ids(user, slice(start, start + size))
            for start in range(0, len(expected) + size, size)
        ]
        assert [pk for page in pages for pk in page] == expected, (persona, size)


def test_the_board_shows_the_sorted_page(world, many, client_for):
    client = client_for(world.department)
    board = ElementNeed.objects.visible_to(world.department).waiting().order_by(*BOARD_ORDER)
    second = list(board.values_list("pk", flat=True)[5:10])
    response = client.get("/elements/board/", {"per_page": 5, "page": 2})
    assert response.status_code == 200
    assert [need.pk for need in response.context["page"].object_list] == second
