"""The project registry pages, tried by every persona."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import OperationLog
from catalog.models import Category, ProcedureType
from plans.models import Plan, PlanEntry
from projects.models import Procedure, Project

pytestmark = pytest.mark.django_db


def form_data(project: Project, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": project.name,
        "code": project.code,
        "category": project.category_id,
        "industry": project.industry_id or "",
        "investment_nature": project.investment_nature,
        "construction_nature": project.construction_nature,
        "content": project.content,
        "total_investment": str(project.total_investment),
        "build_years": project.build_years,
        "address": project.address,
        "town": project.town_id or "",
        "responsible_unit": project.responsible_unit_id,
        "owner_unit": project.owner_unit_id or "",
        "version": project.version,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("coordinator", True, True),
        ("leader", True, True),
        ("inspector", True, True),
        ("admin", True, True),
        ("department", True, False),
        ("town_user", False, True),
        ("owner_a", True, False),
        ("owner_b", False, True),
        ("outsider", False, False),
    ],
)
def test_list_and_detail_follow_the_data_scope(world, client_for, persona, sees_a, sees_b):
    client = client_for(getattr(world, persona))
    page = client.get(reverse("projects:list")).content.decode()
    assert (world.project_a.name in page) is sees_a
    assert (world.project_b.name in page) is sees_b
    for project, sees in ((world.project_a, sees_a), (world.project_b, sees_b)):
        response = client.get(reverse("projects:detail", args=[project.pk]))
        assert response.status_code == (200 if sees else 404)


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("coordinator", True, True),
        ("department", True, False),
        ("owner_b", False, True),
        ("outsider", False, False),
    ],
)
def test_the_lists_leader_filter_offers_the_leaders_of_the_projects_it_shows(
    world, client_for, persona, sees_a, sees_b
):
    from org.models import Person

    leader_a = Person.objects.create(name="甲分包领导")
    leader_b = Person.objects.create(name="乙分包领导")
    Person.objects.create(name="未分包项目的领导")
    Project.objects.filter(pk=world.project_a.pk).update(leader_in_charge=leader_a)
    Project.objects.filter(pk=world.project_b.pk).update(leader_in_charge=leader_b)
    choices = client_for(getattr(world, persona)).get(reverse("projects:list")).context["leader_choices"]
    expected = [name for name, sees in (("甲分包领导", sees_a), ("乙分包领导", sees_b)) if sees]
    assert sorted(person.name for person in choices) == sorted(expected)


def test_anonymous_visitor_is_sent_to_login(client, world):
    response = client.get(reverse("projects:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["owner_b", "town_user", "outsider"])
def test_another_units_project_cannot_be_edited_by_id(world, client_for, persona):
    client = client_for(getattr(world, persona))
    url = reverse("projects:edit", args=[world.project_a.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(world.project_a, name="篡改")).status_code == 404
    world.project_a.refresh_from_db()
    assert world.project_a.name == "滨河路改造工程"


@pytest.mark.parametrize("persona", ["leader", "inspector"])
def test_readers_may_see_but_not_edit(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("projects:edit", args=[world.project_a.pk])).status_code == 403
    assert client.get(reverse("projects:create")).status_code == 403


def test_owner_edits_own_project_and_the_change_shows_on_the_history_tab(world, client_for):
    client = client_for(world.owner_a)
    url = reverse("projects:edit", args=[world.project_a.pk])
    response = client.post(url, form_data(world.project_a, address="滨河路1号", owner_phone="13812345678"))
    assert response.status_code == 302
    world.project_a.refresh_from_db()
    assert world.project_a.address == "滨河路1号"
    log = OperationLog.objects.get(project=world.project_a, action="update")
    assert log.user == world.owner_a
    assert log.ip_address == "127.0.0.1"
    assert log.changes["建设地点"] == ["", "滨河路1号"]
    history = client.get(
        reverse("projects:detail", args=[world.project_a.pk]) + "?tab=history"
    ).content.decode()
    assert "滨河路1号" in history


def test_second_save_over_a_newer_version_is_refused_and_nothing_is_lost(world, client_for):
    client = client_for(world.coordinator)
    url = reverse("projects:edit", args=[world.project_a.pk])
    stale = form_data(world.project_a, address="第一人的地址")
    assert client.post(url, stale).status_code == 302
    response = client.post(url, {**stale, "address": "第二人的地址"})
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    world.project_a.refresh_from_db()
    assert world.project_a.address == "第一人的地址"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "2020-440104-70-01-01234", "项目代码格式"),
        ("code", "2013-990104-70-01-012345", "项目代码前4位"),
        ("build_years", "2023-2021", "结束年份不能早于"),
        ("total_investment", "约3000", "请输入数字"),
        ("total_investment", "-5", "大于或等于"),
        ("owner_phone", "12345", "电话号码格式不正确"),
        ("latitude", "100", "小于或等于"),
        ("name", "", "该字段是必填项"),
    ],
)
def test_bad_input_gets_a_field_message_and_saves_nothing(world, client_for, field, value, message):
    client = client_for(world.coordinator)
    before = Project.objects.count()
    data = form_data(world.project_a, name="新项目", version="")
    data[field] = value
    response = client.post(reverse("projects:create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Project.objects.count() == before


def test_duplicate_project_code_is_a_field_error(world, client_for):
    world.project_a.code = "2020-440104-70-01-012345"
    world.project_a.save()
    client = client_for(world.coordinator)
    data = form_data(world.project_b, name="另一个项目", code="2020-440104-70-01-012345", version="")
    response = client.post(reverse("projects:create"), data)
    assert "该项目代码已被其他项目使用" in response.content.decode()


def test_unit_creates_project_only_inside_its_subtree(world, client_for):
    client = client_for(world.department)
    data = form_data(world.project_a, name="住建新项目", version="")
    assert client.post(reverse("projects:create"), data).status_code == 302
    data = form_data(world.project_b, name="越权项目", version="")
    response = client.post(reverse("projects:create"), data)
    assert response.status_code == 200
    assert not Project.objects.filter(name="越权项目").exists()


def test_owner_cannot_register_projects(world, client_for):
    assert client_for(world.owner_a).get(reverse("projects:create")).status_code == 403


def test_status_change_records_who_when_and_why(world, client_for):
    client = client_for(world.department)
    url = reverse("projects:status", args=[world.project_a.pk])
    response = client.post(url, {"status": "suspended", "reason": ""}, follow=True)
    assert "须填写原因" in response.content.decode()
    client.post(url, {"status": "suspended", "reason": "资金问题"})
    world.project_a.refresh_from_db()
    assert world.project_a.status == "suspended"
    change = world.project_a.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == (
        "construction",
        "suspended",
        world.department,
    )
    response = client.post(url, {"status": "operating", "reason": ""}, follow=True)
    world.project_a.refresh_from_db()
    assert world.project_a.status == "suspended"


def test_procedures_are_added_validated_and_logged(world, client_for):
    client = client_for(world.owner_a)
    eia = ProcedureType.objects.get(code="eia")
    url = reverse("projects:procedure_create", args=[world.project_a.pk])
    response = client.post(url, {"type": eia.pk, "status": "done", "submitted_on": "2026-03-01"})
    assert "须填写批复日期" in response.content.decode()
    response = client.post(
        url, {"type": eia.pk, "status": "done", "submitted_on": "2026-03-01", "approved_on": "2026-03-20"}
    )
    assert response.status_code == 302
    procedure = Procedure.objects.get(project=world.project_a)
    assert procedure.processing_days == 19
    response = client.post(url, {"type": eia.pk, "status": "not_started"})
    assert "已有“环评审批”手续记录" in response.content.decode()
    assert OperationLog.objects.filter(project=world.project_a, object_type="项目手续").count() == 1
    assert client_for(world.owner_b).get(url).status_code == 404


def test_list_filters_sort_and_export(world, client_for):
    plan = Plan.objects.create(year=2026, level="city", title="2026年市重点")
    PlanEntry.objects.create(
        plan=plan,
        project=world.project_b,
        plan_type="new_start",
        annual_investment=Decimal("5000"),
        planned_start_month=6,
    )
    client = client_for(world.coordinator)
    url = reverse("projects:list")
    page = client.get(url, {"plan_year": 2026, "plan_level": "city"}).content.decode()
    assert world.project_b.name in page and world.project_a.name not in page
    page = client.get(url, {"size": "5-10y"}).content.decode()
    assert world.project_b.name in page and world.project_a.name not in page
    page = client.get(url, {"q": "滨河"}).content.decode()
    assert world.project_a.name in page and world.project_b.name not in page
    page = client.get(url, {"category": Category.objects.get(code="industry").pk}).content.decode()
    assert world.project_b.name in page and world.project_a.name not in page
    page = client.get(url, {"sort": "-total_investment"}).content.decode()
    assert page.index(world.project_b.name) < page.index(world.project_a.name)
    page = client.get(url, {"plan_year": "abc"}).content.decode()
    assert "输入一个数字" in page
    response = client.get(url, {"status": "construction", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    names = [row[2] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert names == [world.project_a.name]


def test_list_query_count_does_not_grow_with_projects(world, client_for):
    client = client_for(world.coordinator)
    url = reverse("projects:list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        Project.objects.create(
            name=f"批量项目{i}",
            category=world.project_a.category,
            total_investment=Decimal(100 + i),
            responsible_unit=world.housing,
            owner_unit=world.owner_a_unit,
            town=world.town,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
