"""/api/units/ and the dictionaries: read by everyone signed in, changed by administrators only."""

import pytest

from audit.models import OperationLog
from catalog.models import Category, FundingSource, IndustryField, ProcedureType
from lib.validators import credit_code_check_char
from org.models import Unit

JSON = "application/json"
CREDIT_CODE = "91410100MA40ABCD1" + credit_code_check_char("91410100MA40ABCD1")


def wrong_check_char(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


# Units


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("coordinator", 7),
        ("admin", 7),
        ("leader", 7),
        ("department", 2),
        ("town_user", 2),
        ("owner_a", 1),
        ("outsider", 1),
    ],
)
def test_units_follow_the_tree(world, client_for, persona, expected):
    response = client_for(getattr(world, persona)).get("/api/units/")
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_owner_sees_only_its_own_unit(world, client_for):
    rows = client_for(world.owner_a).get("/api/units/").json()["results"]
    assert [(row["name"], row["parent_name"]) for row in rows] == [
        ("示范区城投建设有限公司", "区住房和城乡建设局")
    ]
    other = client_for(world.owner_a).get(f"/api/units/{world.owner_b_unit.pk}/")
    assert other.status_code == 404


def new_unit(world, **fields) -> dict:
    return {"name": "示范区水务投资有限公司", "kind": "owner", "parent": world.housing.pk, **fields}


def test_admin_creates_a_unit_with_a_valid_credit_code(world, client_for):
    response = client_for(world.admin).post(
        "/api/units/", new_unit(world, credit_code=CREDIT_CODE), content_type=JSON
    )
    assert response.status_code == 201, response.content
    unit = Unit.objects.get(name="示范区水务投资有限公司")
    assert unit.credit_code == CREDIT_CODE
    assert unit.path == f"{world.housing.path}{unit.pk}/"
    assert OperationLog.objects.get(action="create").object_repr == "示范区水务投资有限公司"


def test_credit_code_is_stored_in_upper_case(world, client_for):
    lower = CREDIT_CODE.lower()
    response = client_for(world.admin).post(
        "/api/units/", new_unit(world, credit_code=lower), content_type=JSON
    )
    assert response.status_code == 201, response.content
    assert Unit.objects.get(name="示范区水务投资有限公司").credit_code == CREDIT_CODE


@pytest.mark.parametrize(
    "code, words",
    [
        (wrong_check_char(CREDIT_CODE), "校验位"),
        (CREDIT_CODE[:17], "18位"),
        ("91410100MA40ABCDI" + "1", "不允许的字符"),
    ],
)
def test_bad_credit_codes_are_refused(world, client_for, code, words):
    response = client_for(world.admin).post(
        "/api/units/", new_unit(world, credit_code=code), content_type=JSON
    )
    assert response.status_code == 400
    assert words in response.json()["credit_code"][0]
    assert not Unit.objects.filter(name="示范区水务投资有限公司").exists()


def test_a_credit_code_used_twice_is_a_field_error(world, client_for):
    Unit.objects.filter(pk=world.owner_a_unit.pk).update(credit_code=CREDIT_CODE)
    response = client_for(world.admin).post(
        "/api/units/", new_unit(world, credit_code=CREDIT_CODE), content_type=JSON
    )
    assert response.status_code == 400
    assert "已被其他单位使用" in response.json()["credit_code"][0]


def test_a_unit_name_used_twice_is_a_field_error(world, client_for):
    response = client_for(world.admin).post(
        "/api/units/", new_unit(world, name="区教育局"), content_type=JSON
    )
    assert response.status_code == 400
    assert "name" in response.json()


def test_bad_contact_phone_is_refused(world, client_for):
    response = client_for(world.admin).post(
        "/api/units/", new_unit(world, contact_phone="110"), content_type=JSON
    )
    assert response.status_code == 400
    assert "电话号码" in response.json()["contact_phone"][0]


def test_a_unit_cannot_move_below_itself(world, client_for):
    response = client_for(world.admin).patch(
        f"/api/units/{world.housing.pk}/", {"parent": world.owner_a_unit.pk}, content_type=JSON
    )
    assert response.status_code == 400
    assert "parent" in response.json()


@pytest.mark.parametrize("persona", ["coordinator", "leader", "department", "owner_a"])
def test_only_administrators_change_units(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.post("/api/units/", new_unit(world), content_type=JSON).status_code == 403
    own_unit = getattr(world, persona).unit
    assert (
        client.patch(f"/api/units/{own_unit.pk}/", {"short_name": "x"}, content_type=JSON).status_code == 403
    )
    assert client.delete(f"/api/units/{own_unit.pk}/").status_code == 403


def test_deleting_a_unit_in_use_is_a_400_not_a_500(world, client_for):
    response = client_for(world.admin).delete(f"/api/units/{world.housing.pk}/")
    assert response.status_code == 400
    assert Unit.objects.filter(pk=world.housing.pk).exists()
    assert not OperationLog.objects.filter(action="delete").exists()


def test_admin_deletes_an_unused_unit_and_it_is_logged(world, client_for):
    spare = Unit.objects.create(name="临时单位", kind="department", parent=world.government)
    assert client_for(world.admin).delete(f"/api/units/{spare.pk}/").status_code == 204
    assert OperationLog.objects.get(action="delete").object_repr == "临时单位"


# Dictionaries

DICTIONARIES = [
    ("industries", IndustryField),
    ("categories", Category),
    ("procedure-types", ProcedureType),
    ("funding-sources", FundingSource),
]


@pytest.mark.parametrize("slug, model", DICTIONARIES)
@pytest.mark.parametrize("persona", ["owner_a", "outsider", "leader"])
def test_everyone_reads_the_dictionaries(world, client_for, slug, model, persona):
    response = client_for(getattr(world, persona)).get(f"/api/{slug}/?page_size=500")
    assert response.status_code == 200
    assert response.json()["count"] == model.objects.count() > 0


@pytest.mark.parametrize("slug, model", DICTIONARIES)
@pytest.mark.parametrize("persona", ["coordinator", "department", "owner_a"])
def test_only_administrators_change_dictionaries(world, client_for, slug, model, persona):
    client = client_for(getattr(world, persona))
    item = model.objects.first()
    assert client.post(f"/api/{slug}/", {"code": "new", "name": "新项"}, content_type=JSON).status_code == 403
    assert client.patch(f"/api/{slug}/{item.pk}/", {"name": "改名"}, content_type=JSON).status_code == 403
    assert client.delete(f"/api/{slug}/{item.pk}/").status_code == 403
    assert not model.objects.filter(code="new").exists()


@pytest.mark.parametrize("slug, model", DICTIONARIES)
def test_administrator_adds_renames_and_removes_dictionary_items(world, client_for, slug, model):
    client = client_for(world.admin)
    created = client.post(f"/api/{slug}/", {"code": "new", "name": "新项"}, content_type=JSON)
    assert created.status_code == 201, created.content
    url = f"/api/{slug}/{created.json()['id']}/"
    assert client.patch(url, {"name": "改名"}, content_type=JSON).json()["name"] == "改名"
    assert client.delete(url).status_code == 204
    assert [log.action for log in OperationLog.objects.order_by("id")] == ["create", "update", "delete"]


@pytest.mark.parametrize("slug, model", DICTIONARIES)
def test_a_dictionary_code_used_twice_is_a_field_error(world, client_for, slug, model):
    existing = model.objects.first()
    response = client_for(world.admin).post(
        f"/api/{slug}/", {"code": existing.code, "name": "另一个名称"}, content_type=JSON
    )
    assert response.status_code == 400
    assert "code" in response.json()


def test_a_category_in_use_cannot_be_deleted(world, client_for):
    response = client_for(world.admin).delete(f"/api/categories/{world.project_a.category_id}/")
    assert response.status_code == 400
    assert Category.objects.filter(pk=world.project_a.category_id).exists()


def test_procedure_types_carry_their_time_limit(world, client_for):
    rows = client_for(world.owner_a).get("/api/procedure-types/").json()["results"]
    eia = next(row for row in rows if row["code"] == "eia")
    assert (eia["time_limit_days"], eia["table_column"]) == (30, "环评审批手续")


def test_inactive_dictionary_items_can_be_filtered_out(world, client_for):
    IndustryField.objects.filter(code="water").update(is_active=False)
    rows = client_for(world.owner_a).get("/api/industries/?is_active=true&page_size=500").json()["results"]
    assert "water" not in {row["code"] for row in rows}
