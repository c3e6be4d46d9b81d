"""数据字典: the four dictionaries, their items, and deactivation instead of deleting what projects use."""

from django.urls import reverse

from audit.models import OperationLog
from catalog.models import Category, FundingSource, IndustryField, ProcedureType


def test_index_lists_the_dictionaries_with_their_sizes(world, client_for) -> None:
    response = client_for(world.admin).get(reverse("catalog:index"))
    by_slug = {d["slug"]: d for d in response.context["dictionaries"]}
    # The element types (要素类型) of the elements app join the four of this app.
    assert set(by_slug) == {
        "industries",
        "categories",
        "procedure-types",
        "funding-sources",
        "element-types",
        "banks",
    }
    assert by_slug["categories"]["count"] == Category.objects.count()
    assert reverse("catalog:item_list", args=["procedure-types"]) in response.content.decode()


def test_item_list_shows_how_often_each_item_is_used(world, client_for) -> None:
    response = client_for(world.admin).get(reverse("catalog:item_list", args=["categories"]))
    usage = {item.code: item.usage for item in response.context["items"]}
    assert usage["infrastructure"] == 1
    assert usage["industry"] == 1
    assert usage["social"] == 0


def test_admin_adds_a_procedure_type_with_time_limit_and_column(world, client_for) -> None:
    data = {
        "code": "fire_review",
        "name": "消防设计审查",
        "sort_order": 20,
        "is_active": "on",
        "time_limit_days": 15,
        "table_column": "建设规划手续",
    }
    response = client_for(world.admin).post(reverse("catalog:item_create", args=["procedure-types"]), data)
    assert response.status_code == 302
    item = ProcedureType.objects.get(code="fire_review")
    assert (item.time_limit_days, item.table_column) == (15, "建设规划手续")
    assert OperationLog.objects.get(action=OperationLog.Action.CREATE).changes["名称"] == ["", "消防设计审查"]


def test_bad_dictionary_input_is_reported_field_by_field(world, client_for) -> None:
    data = {
        "code": "道路 交通",
        "name": "交通",
        "sort_order": "first",
        "time_limit_days": "-3",
        "table_column": "不存在的列",
    }
    response = client_for(world.admin).post(reverse("catalog:item_create", args=["procedure-types"]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"code", "sort_order", "time_limit_days", "table_column"}
    assert "is-invalid" in response.content.decode()
    assert not ProcedureType.objects.filter(name="交通").exists()


def test_duplicate_names_are_refused(world, client_for) -> None:
    data = {"code": "roads", "name": "交通", "sort_order": 1, "is_active": "on"}
    response = client_for(world.admin).post(reverse("catalog:item_create", args=["industries"]), data)
    assert "name" in response.context["form"].errors
    assert IndustryField.objects.filter(name="交通").count() == 1


def test_editing_keeps_the_code(world, client_for) -> None:
    item = FundingSource.objects.get(code="self_raised")
    data = {"code": "changed", "name": "企业自有资金", "sort_order": 3, "is_active": "on"}
    response = client_for(world.admin).post(
        reverse("catalog:item_edit", args=["funding-sources", item.pk]), data
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.code, item.name) == ("self_raised", "企业自有资金")
    log = OperationLog.objects.get(action=OperationLog.Action.UPDATE)
    assert log.changes == {"名称": ["企业自筹", "企业自有资金"], "排序": ["9", "3"]}


def test_item_used_by_a_project_is_not_deleted_and_the_admin_is_told_why(world, client_for) -> None:
    item = IndustryField.objects.get(code="municipal")
    response = client_for(world.admin).post(
        reverse("catalog:item_delete", args=["industries", item.pk]), follow=True
    )
    assert "“市政公用”已被 1 条记录使用，不能删除；不再使用时请停用。" in response.content.decode()
    assert IndustryField.objects.filter(pk=item.pk).exists()
    assert not OperationLog.objects.filter(action=OperationLog.Action.DELETE).exists()


def test_used_item_can_be_deactivated_and_stays_on_its_projects(world, client_for) -> None:
    item = IndustryField.objects.get(code="municipal")
    client_for(world.admin).post(reverse("catalog:item_toggle_active", args=["industries", item.pk]))
    item.refresh_from_db()
    assert not item.is_active
    world.project_a.refresh_from_db()
    assert world.project_a.industry == item
    assert OperationLog.objects.get(action=OperationLog.Action.STATUS).changes == {"启用": ["是", "否"]}


def test_unused_item_is_deleted(world, client_for) -> None:
    item = Category.objects.get(code="social")
    client_for(world.admin).post(reverse("catalog:item_delete", args=["categories", item.pk]))
    assert not Category.objects.filter(pk=item.pk).exists()
    assert OperationLog.objects.get(action=OperationLog.Action.DELETE).changes["名称"] == ["社会事业项目", ""]


def test_every_dictionary_page_says_when_it_is_empty(world, client_for) -> None:
    FundingSource.objects.all().delete()
    response = client_for(world.admin).get(reverse("catalog:item_list", args=["funding-sources"]))
    assert "暂无数据" in response.content.decode()
