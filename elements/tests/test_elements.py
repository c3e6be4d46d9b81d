"""Element needs: default types, the supplying department's view, the board, pages and API."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from elements.figures import element_figures
from elements.models import ElementNeed, ElementType
from org.choices import Role, UnitKind
from org.models import Unit, User

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def land_office(world):
    """区自然资源局 (a department) and its user, who supplies land to projects of other units."""
    unit = Unit.objects.create(name="区自然资源局", kind=UnitKind.DEPARTMENT, parent=world.government)
    user = User.objects.create_user(username="land", password="x", role=Role.UNIT, unit=unit, name="林国土")
    return unit, user


@pytest.fixture
def needs(world, land_office):
    unit, _user = land_office
    land = ElementType.objects.get(code="land")
    energy = ElementType.objects.get(code="energy")
    return {
        "land_b": ElementNeed.objects.create(
            project=world.project_b,
            type=land,
            needed=Decimal("120"),
            secured=Decimal("40"),
            cultivated_needed=Decimal("30"),
            department=unit,
            indicator_source="provincial",
        ),
        "energy_a": ElementNeed.objects.create(
            project=world.project_a, type=energy, needed=Decimal("5000"), department=world.drc
        ),
    }


def test_default_element_types_exist():
    codes = set(ElementType.objects.values_list("code", flat=True))
    assert {"land", "energy", "water", "electricity", "environment", "forest"} <= codes
    assert ElementType.objects.get(code="land").tracks_cultivated


def test_cultivated_land_is_part_of_the_need():
    need = ElementNeed(
        needed=Decimal(10), secured=Decimal(0), cultivated_needed=Decimal(20), status="pending"
    )
    need.type = ElementType.objects.get(code="land")
    with pytest.raises(ValidationError) as error:
        need.clean()
    assert "cultivated_needed" in error.value.message_dict


def test_secured_status_needs_the_whole_amount(world):
    need = ElementNeed(
        project=world.project_a,
        type=ElementType.objects.get(code="water"),
        needed=10,
        secured=5,
        status="secured",
        department=world.drc,
    )
    with pytest.raises(ValidationError):
        need.clean()


def test_the_supplying_department_sees_and_updates_what_it_must_supply(world, client_for, needs, land_office):
    _unit, user = land_office
    client = client_for(user)
    board = client.get(reverse("elements:board"))
    assert [n.pk for n in board.context["page"]] == [needs["land_b"].pk]
    assert client.get(reverse("projects:detail", args=[world.project_b.pk])).status_code == 404
    response = client.post(
        reverse("elements:need_edit", args=[needs["land_b"].pk]),
        {
            "secured": "120",
            "cultivated_secured": "30",
            "indicator_source": "provincial",
            "status": "secured",
            "note": "已办结",
        },
    )
    assert response.status_code == 302
    needs["land_b"].refresh_from_db()
    assert (needs["land_b"].status, needs["land_b"].secured, needs["land_b"].needed) == (
        "secured",
        Decimal("120"),
        Decimal("120"),
    )
    # The department cannot change the need itself, nor delete it.
    assert client.post(reverse("elements:need_delete", args=[needs["land_b"].pk])).status_code == 403
    patched = client.patch(
        f"/api/element-needs/{needs['land_b'].pk}/", {"needed": "1", "note": "复核"}, content_type=JSON
    )
    assert patched.status_code == 200, patched.content
    needs["land_b"].refresh_from_db()
    assert (needs["land_b"].needed, needs["land_b"].note) == (Decimal("120.00"), "复核")
    # Another department's need stays out of reach.
    assert client.get(f"/api/element-needs/{needs['energy_a'].pk}/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("coordinator", True, True),
        ("leader", True, True),
        ("department", True, False),
        ("town_user", False, True),
        ("owner_b", False, True),
        ("outsider", False, False),
    ],
)
def test_board_and_api_follow_the_data_scope(world, client_for, needs, persona, sees_a, sees_b):
    client = client_for(getattr(world, persona))
    board = client.get(reverse("elements:board"))
    assert board.status_code == 200
    shown = {n.pk for n in board.context["page"]}
    assert (needs["energy_a"].pk in shown) is sees_a
    assert (needs["land_b"].pk in shown) is sees_b
    assert client.get(f"/api/element-needs/{needs['land_b'].pk}/").status_code == (200 if sees_b else 404)
    assert client.get(reverse("elements:need_edit", args=[needs["energy_a"].pk])).status_code in (
        (200, 403) if sees_a else (404,)
    )
    assert client.get(reverse("elements:board"), {"export": "xlsx"}).status_code == 200


def test_board_groups_waiting_needs_by_department(world, client_for, needs):
    board = client_for(world.coordinator).get(reverse("elements:board"))
    assert [(d["department__name"], d["needs"]) for d in board.context["departments"]] == [
        ("区发展和改革局", 1),
        ("区自然资源局", 1),
    ]
    figures = element_figures(2026)
    assert figures["waiting"] == 2
    land = next(row for row in figures["by_type"] if row["type__name"] == "用地指标")
    assert (land["needed"], land["cultivated_needed"]) == (Decimal("120.00"), Decimal("30.00"))
    # The types in the dictionary's order, each with its own unit of measure.
    types = list(ElementType.objects.filter(pk__in=[row["type"] for row in figures["by_type"]]))
    types.sort(key=lambda kind: (kind.sort_order, kind.name))
    assert [row["type"] for row in figures["by_type"]] == [kind.pk for kind in types]
    assert land["type__measure_unit"] == ElementType.objects.get(name="用地指标").measure_unit


def test_an_owner_records_a_need_with_the_types_default_department(world, client_for, land_office):
    unit, _user = land_office
    ElementType.objects.filter(code="forest").update(department=unit)
    forest = ElementType.objects.get(code="forest")
    response = client_for(world.owner_a).post(
        reverse("elements:need_create", args=[world.project_a.pk]),
        {"type": forest.pk, "needed": "8", "secured": "0", "status": "pending"},
    )
    assert response.status_code == 302, response.content
    assert ElementNeed.objects.get().department == unit
    assert (
        client_for(world.owner_b).get(reverse("elements:need_create", args=[world.project_a.pk])).status_code
        == 404
    )


def test_element_types_are_a_dictionary_the_administrator_edits(world, client_for):
    assert (
        client_for(world.admin).get(reverse("catalog:item_list", args=["element-types"])).status_code == 200
    )
    assert (
        client_for(world.coordinator).get(reverse("catalog:item_list", args=["element-types"])).status_code
        == 403
    )


def test_board_cost_does_not_grow_with_the_needs(world, client_for, needs, django_assert_max_num_queries):
    client = client_for(world.coordinator)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("elements:board"))
    water = ElementType.objects.get(code="water")
    for project in (world.project_a, world.project_b):
        ElementNeed.objects.create(project=project, type=water, needed=10, department=world.housing)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("elements:board"))


def test_administrator_sets_an_element_types_unit_and_default_department(world, client_for, land_office):
    unit, _user = land_office
    forest = ElementType.objects.get(code="forest")
    response = client_for(world.admin).post(
        reverse("catalog:item_edit", args=["element-types", forest.pk]),
        {"name": "林地", "sort_order": 6, "is_active": "on", "measure_unit": "公顷", "department": unit.pk},
    )
    assert response.status_code == 302
    forest.refresh_from_db()
    assert (forest.measure_unit, forest.department) == ("公顷", unit)
