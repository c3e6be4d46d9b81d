"""单位管理: the tree list, creating and editing units, moving subtrees, deactivating instead of deleting."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import OperationLog
from org.choices import UnitKind
from org.models import Unit

VALID_CODE = "91350100M000100Y43"


def unit_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "区交通运输局",
        "short_name": "交通局",
        "kind": UnitKind.DEPARTMENT,
        "parent": "",
        "credit_code": "",
        "contact_name": "",
        "contact_phone": "",
        "sort_order": 0,
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_unit_list_shows_the_tree_in_path_order_with_counts(world, client_for) -> None:
    response = client_for(world.admin).get(reverse("org:unit_list"))
    units = list(response.context["units"])
    assert [u.path for u in units] == sorted(u.path for u in units)
    housing = next(u for u in units if u.pk == world.housing.pk)
    assert (housing.user_count, housing.project_count) == (1, 1)
    drc = next(u for u in units if u.pk == world.drc.pk)
    assert (drc.user_count, drc.project_count) == (3, 0)
    town = next(u for u in units if u.pk == world.town.pk)
    assert town.project_count == 1
    assert "区住房和城乡建设局" in response.content.decode()


def test_unit_list_costs_the_same_queries_however_many_units(world, client_for) -> None:
    client = client_for(world.admin)
    url = reverse("org:unit_list")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(15):
        Unit.objects.create(name=f"测试单位{i}", kind=UnitKind.OWNER, parent=world.town)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_admin_creates_a_unit_below_a_parent(world, client_for) -> None:
    data = unit_data(parent=world.government.pk, credit_code=VALID_CODE.lower(), contact_phone="0375-1234567")
    response = client_for(world.admin).post(reverse("org:unit_create"), data)
    assert response.status_code == 302
    unit = Unit.objects.get(name="区交通运输局")
    assert unit.path == f"{world.government.path}{unit.pk}/"
    assert unit.credit_code == VALID_CODE
    log = OperationLog.objects.get(action=OperationLog.Action.CREATE)
    assert log.object_repr == "区交通运输局"
    assert log.changes["上级单位"] == ["", "示范区人民政府"]


def test_unit_with_bad_credit_code_shows_the_message_and_creates_nothing(world, client_for) -> None:
    response = client_for(world.admin).post(
        reverse("org:unit_create"), unit_data(credit_code="91350100M000100Y44")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"] == ["统一社会信用代码校验位错误：第18位应为“3”。"]
    page = response.content.decode()
    assert "is-invalid" in page
    assert "统一社会信用代码校验位错误" in page
    assert not Unit.objects.filter(name="区交通运输局").exists()
    assert not OperationLog.objects.exists()


def test_unit_form_reports_every_bad_field_in_chinese(world, client_for) -> None:
    response = client_for(world.admin).post(
        reverse("org:unit_create"),
        unit_data(
            name=world.housing.name, kind="planet", contact_phone="12345", sort_order="-1", credit_code="X"
        ),
    )
    errors = response.context["form"].errors
    assert set(errors) == {"name", "kind", "contact_phone", "sort_order", "credit_code"}
    assert "电话号码格式不正确" in errors["contact_phone"][0]
    assert "当前为1位" in errors["credit_code"][0]
    assert Unit.objects.count() == 7


def test_duplicate_credit_code_is_refused(world, client_for) -> None:
    world.housing.credit_code = VALID_CODE
    world.housing.save()
    response = client_for(world.admin).post(reverse("org:unit_create"), unit_data(credit_code=VALID_CODE))
    assert "该统一社会信用代码已被其他单位使用。" in response.content.decode()
    assert not Unit.objects.filter(name="区交通运输局").exists()


def test_moving_a_unit_moves_its_subtree(world, client_for) -> None:
    data = unit_data(name=world.housing.name, short_name="", parent=world.town.pk)
    response = client_for(world.admin).post(reverse("org:unit_edit", args=[world.housing.pk]), data)
    assert response.status_code == 302
    world.housing.refresh_from_db()
    world.owner_a_unit.refresh_from_db()
    assert world.housing.path == f"{world.town.path}{world.housing.pk}/"
    assert world.owner_a_unit.path == f"{world.housing.path}{world.owner_a_unit.pk}/"
    log = OperationLog.objects.get(action=OperationLog.Action.UPDATE)
    assert log.changes == {"上级单位": ["示范区人民政府", "城关街道办事处"]}


def test_a_unit_cannot_move_below_itself(world, client_for) -> None:
    data = unit_data(name=world.housing.name, parent=world.owner_a_unit.pk)
    response = client_for(world.admin).post(reverse("org:unit_edit", args=[world.housing.pk]), data)
    assert response.context["form"].errors["parent"] == ["上级单位不能是本单位或其下级单位。"]
    world.housing.refresh_from_db()
    assert world.housing.parent_id == world.government.pk


def test_the_parent_select_leaves_out_the_units_own_subtree(world, client_for) -> None:
    response = client_for(world.admin).get(reverse("org:unit_edit", args=[world.housing.pk]))
    offered = {value for value, _ in response.context["form"].fields["parent"].widget.choices}
    assert str(world.town.pk) in offered
    assert str(world.housing.pk) not in offered
    assert str(world.owner_a_unit.pk) not in offered


def test_a_unit_in_use_is_not_deleted_but_can_be_deactivated(world, client_for) -> None:
    client = client_for(world.admin)
    response = client.post(reverse("org:unit_delete", args=[world.housing.pk]), follow=True)
    assert "不能删除" in response.content.decode()
    assert Unit.objects.filter(pk=world.housing.pk).exists()

    client.post(reverse("org:unit_toggle_active", args=[world.housing.pk]))
    world.housing.refresh_from_db()
    assert not world.housing.is_active
    assert OperationLog.objects.get(action=OperationLog.Action.STATUS).changes == {"启用": ["是", "否"]}


def test_an_unused_unit_can_be_deleted(world, client_for) -> None:
    spare = Unit.objects.create(name="临时单位", kind=UnitKind.OWNER, parent=world.town)
    client_for(world.admin).post(reverse("org:unit_delete", args=[spare.pk]))
    assert not Unit.objects.filter(pk=spare.pk).exists()
    log = OperationLog.objects.get(action=OperationLog.Action.DELETE)
    assert log.object_id == str(spare.pk)
    assert log.changes["单位名称"] == ["临时单位", ""]
