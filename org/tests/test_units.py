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


def test_unit_list_shows_the_tree_each_unit_under_its_parent_with_counts(world, client_for) -> None:
    response = client_for(world.admin).get(reverse("org:unit_list"))
    units = list(response.context["units"])
    assert len(units) == Unit.objects.count()
    for index, unit in enumerate(units):
        # Each unit comes after its parent, and the units between them are its parent's subtree.
        if unit.parent_id:
            parent_at = next(i for i, u in enumerate(units) if u.pk == unit.parent_id)
            assert parent_at < index
            assert all(u.path.startswith(units[parent_at].path) for u in units[parent_at:index])
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
    offered = {str(value) for value, _ in response.context["form"].fields["parent"].widget.choices}
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


def names_of(response) -> list[str]:
    return [unit.name for unit in response.context["units"]]


def test_brothers_in_the_unit_tree_are_in_pinyin_order(world, client_for) -> None:
    for name in ["郑州路街道办事处", "长沙路街道办事处", "安阳路街道办事处"]:
        Unit.objects.create(name=name, kind=UnitKind.TOWN, parent=world.town)
    names = names_of(client_for(world.admin).get(reverse("org:unit_list")))
    below_town = [name for name in names if name.endswith("路街道办事处")]
    assert below_town == ["安阳路街道办事处", "长沙路街道办事处", "郑州路街道办事处"]
    # Under the government 城关 (chéng) comes before the 区… departments (qū).
    assert names[:2] == ["示范区人民政府", "城关街道办事处"]


def test_a_search_keeps_the_units_found_and_the_units_above_them(world, client_for) -> None:
    response = client_for(world.admin).get(reverse("org:unit_list"), {"q": "城投"})
    assert names_of(response) == ["示范区人民政府", "区住房和城乡建设局", "示范区城投建设有限公司"]
    assert [u.name for u in response.context["units"] if u.is_match] == ["示范区城投建设有限公司"]
    html = response.content.decode()
    assert "找到 1 个单位，连同其上级单位显示" in html and 'value="城投"' in html
    # The search opens with every branch unfolded.
    assert "data-unit-tree data-collapse-from" not in html


def test_a_search_finds_short_names_and_several_branches(world, client_for) -> None:
    world.housing.short_name = "住建局"
    world.housing.save()
    response = client_for(world.admin).get(reverse("org:unit_list"), {"q": "住建"})
    assert names_of(response) == ["示范区人民政府", "区住房和城乡建设局"]
    both = client_for(world.admin).get(reverse("org:unit_list"), {"q": "城关"})
    assert names_of(both) == ["示范区人民政府", "城关街道办事处", "城关科技有限公司"]
    assert all(u.is_match for u in both.context["units"][1:])


def test_a_search_that_finds_nothing_says_so(world, client_for) -> None:
    for query in ["不存在的单位", "%", "_", "x" * 500, "  "]:
        response = client_for(world.admin).get(reverse("org:unit_list"), {"q": query})
        assert response.status_code == 200, query
    response = client_for(world.admin).get(reverse("org:unit_list"), {"q": "不存在的单位"})
    assert names_of(response) == [] and "没有名称含此文字的单位。" in response.content.decode()


def test_the_unit_tree_folds_by_a_script_from_the_site(world, client_for) -> None:
    html = client_for(world.admin).get(reverse("org:unit_list")).content.decode()
    assert '<script src="/static/js/unit_tree.js" defer></script>' in html
    assert 'data-unit-tree data-collapse-from="1"' in html
    assert html.count("data-tree-toggle") == 3  # the government, 住建局 and 城关街道 have units below them


def test_a_large_tree_folds_the_owners_and_shows_each_units_on_demand(world, client_for, monkeypatch):
    from org import views

    second = Unit.objects.create(name="示范区水务建设有限公司", kind=UnitKind.OWNER, parent=world.housing)
    monkeypatch.setattr(views, "UNITS_LISTED_UP_TO", 1)
    monkeypatch.setattr(views, "OWNER_ROWS", 1)
    client = client_for(world.admin)
    html = client.get(reverse("org:unit_list")).content.decode()
    assert world.housing.name in html and world.town.name in html
    assert world.owner_a_unit.name not in html and world.owner_b_unit.name not in html
    assert html.count('data-testid="owners-folded"') == 2
    assert "显示下设的 2 个项目单位" in html and "显示下设的 1 个项目单位" in html

    url = reverse("org:unit_list")
    rows = client.get(url, {"owners_of": world.housing.pk}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in rows
    # By 拼音: 城投 (chéng) before 水务 (shuǐ).
    assert world.owner_a_unit.name in rows and second.name not in rows
    assert f"owners_of={world.housing.pk}&amp;from=1" in rows and "再显示其余 1 个项目单位" in rows
    rest = client.get(
        url, {"owners_of": world.housing.pk, "from": 1}, headers={"HX-Request": "true"}
    ).content.decode()
    assert second.name in rest and "再显示" not in rest

    page = client.get(url, {"owners_of": world.town.pk}).content.decode()
    assert "城关街道办事处下设的项目单位" in page and world.owner_b_unit.name in page
    assert client.get(url, {"owners_of": 999999}).status_code == 404
    assert client.get(url, {"owners_of": "x"}).status_code == 200
    assert client_for(world.coordinator).get(url, {"owners_of": world.town.pk}).status_code == 403

    found = client.get(url, {"q": "城投"}).content.decode()
    assert world.owner_a_unit.name in found and world.housing.name in found


def test_a_search_of_many_matches_shows_the_first_and_says_so(world, client_for, monkeypatch):
    from org import views

    monkeypatch.setattr(views, "MATCHES_SHOWN", 1)
    html = client_for(world.admin).get(reverse("org:unit_list"), {"q": "公司"}).content.decode()
    assert html.count('data-testid="unit-match"') == 1
    assert "找到 2 个单位，显示前 1 个" in html


def test_a_subtree_is_named_by_its_ids_or_by_its_subquery_with_the_same_projects(db, world, monkeypatch):
    from org import models
    from projects.models import Project

    users = [
        world.coordinator,
        world.department,
        world.town_user,
        world.owner_a,
        world.owner_b,
        world.outsider,
    ]
    path = world.department.unit.path

    def subquery_in_statement() -> bool:
        statement = str(Project.objects.filter(models.in_subtree("responsible_unit", path)).query)
        return "SELECT" in statement.split("WHERE", 1)[1]

    def seen() -> dict:
        return {user: set(Project.objects.visible_to(user).values_list("pk", flat=True)) for user in users}

    monkeypatch.setattr(models, "lists_subtrees", lambda: False)
    assert subquery_in_statement()
    by_subquery = seen()
    monkeypatch.setattr(models, "lists_subtrees", lambda: True)
    assert not subquery_in_statement()
    assert seen() == by_subquery
    # A subtree larger than SUBTREE_LISTED is named by its subquery whatever the database.
    monkeypatch.setattr(models, "SUBTREE_LISTED", 1)
    assert subquery_in_statement()
    assert seen() == by_subquery
    assert by_subquery[world.department] == {world.project_a.pk}
