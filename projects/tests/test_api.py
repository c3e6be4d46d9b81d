"""/api/projects/: data scope per persona, the page's filters, validation, status changes and the log."""

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import OperationLog
from catalog.models import Category
from org.choices import Role
from org.models import User
from plans.choices import PlanLevel, PlanType
from plans.models import Plan, PlanEntry
from projects.models import Project, ProjectStatusChange

JSON = "application/json"
VALID_CODE = "2020-440104-70-01-012345"


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def new_project(world, **fields) -> dict:
    data = {
        "name": "新建学校项目",
        "category": Category.objects.get(code="social").pk,
        "total_investment": "8000.00",
        "responsible_unit": world.housing.pk,
        "build_years": "2026-2027",
    }
    data.update(fields)
    return data


# Who sees what


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("coordinator", {"滨河路改造工程", "城关智能制造产业园"}),
        ("leader", {"滨河路改造工程", "城关智能制造产业园"}),
        ("inspector", {"滨河路改造工程", "城关智能制造产业园"}),
        ("admin", {"滨河路改造工程", "城关智能制造产业园"}),
        ("department", {"滨河路改造工程"}),
        ("town_user", {"城关智能制造产业园"}),
        ("owner_a", {"滨河路改造工程"}),
        ("owner_b", {"城关智能制造产业园"}),
        ("outsider", set()),
    ],
)
def test_project_list_shows_each_persona_only_its_scope(world, client_for, persona, expected):
    client = client_for(getattr(world, persona))
    assert names(client.get("/api/projects/")) == expected


@pytest.mark.parametrize("persona", ["owner_a", "department", "outsider"])
def test_another_units_project_by_id_is_not_found(world, client_for, persona):
    client = client_for(getattr(world, persona))
    response = client.get(f"/api/projects/{world.project_b.pk}/")
    assert response.status_code == 404
    assert "城关智能制造产业园" not in response.content.decode()


def test_owner_reads_own_project_with_its_procedures(world, client_for):
    response = client_for(world.owner_a).get(f"/api/projects/{world.project_a.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "滨河路改造工程"
    assert data["responsible_unit_name"] == "区住房和城乡建设局"
    assert data["total_investment"] == "12000.00"
    assert data["procedures"] == []


def test_unauthenticated_requests_are_refused(world, client):
    assert client.get("/api/projects/").status_code in (401, 403)
    assert client.get(f"/api/projects/{world.project_a.pk}/").status_code in (401, 403)


# Writing


@pytest.mark.parametrize("persona", ["coordinator", "admin", "department", "owner_a"])
def test_those_who_edit_a_project_may_patch_it(world, client_for, persona):
    client = client_for(getattr(world, persona))
    response = client.patch(f"/api/projects/{world.project_a.pk}/", {"address": "滨河路"}, content_type=JSON)
    assert response.status_code == 200, response.content
    world.project_a.refresh_from_db()
    assert world.project_a.address == "滨河路"
    assert world.project_a.version == 2


@pytest.mark.parametrize("persona", ["leader", "inspector"])
def test_readers_of_everything_cannot_patch(world, client_for, persona):
    client = client_for(getattr(world, persona))
    response = client.patch(f"/api/projects/{world.project_a.pk}/", {"address": "x"}, content_type=JSON)
    assert response.status_code == 403
    assert "无权修改" in response.json()["detail"]
    world.project_a.refresh_from_db()
    assert world.project_a.address == ""


@pytest.mark.parametrize("persona", ["owner_a", "department", "outsider"])
def test_patching_another_units_project_is_not_found(world, client_for, persona):
    client = client_for(getattr(world, persona))
    response = client.patch(f"/api/projects/{world.project_b.pk}/", {"address": "x"}, content_type=JSON)
    assert response.status_code == 404
    world.project_b.refresh_from_db()
    assert world.project_b.address == ""


def test_projects_are_never_deleted_through_the_api(world, client_for):
    response = client_for(world.coordinator).delete(f"/api/projects/{world.project_a.pk}/")
    assert response.status_code == 405
    assert Project.objects.filter(pk=world.project_a.pk).exists()


def test_status_is_read_only_in_the_project_itself(world, client_for):
    client = client_for(world.coordinator)
    client.patch(f"/api/projects/{world.project_a.pk}/", {"status": "cancelled"}, content_type=JSON)
    world.project_a.refresh_from_db()
    assert world.project_a.status == "construction"


@pytest.mark.parametrize("persona", ["coordinator", "admin"])
def test_coordinator_creates_a_project_for_any_unit(world, client_for, persona):
    client = client_for(getattr(world, persona))
    response = client.post(
        "/api/projects/", new_project(world, responsible_unit=world.town.pk), content_type=JSON
    )
    assert response.status_code == 201, response.content
    project = Project.objects.get(pk=response.json()["id"])
    assert project.created_by == getattr(world, persona)
    assert project.start_year == 2026
    log = OperationLog.objects.get(action="create", project=project)
    assert log.changes["项目名称"] == ["", "新建学校项目"]


def test_unit_creates_a_project_within_its_subtree(world, client_for):
    response = client_for(world.department).post("/api/projects/", new_project(world), content_type=JSON)
    assert response.status_code == 201, response.content


def test_unit_cannot_create_a_project_for_another_unit(world, client_for):
    client = client_for(world.department)
    response = client.post(
        "/api/projects/", new_project(world, responsible_unit=world.town.pk), content_type=JSON
    )
    assert response.status_code == 400
    assert "本单位或下级单位" in response.json()["responsible_unit"][0]
    assert not Project.objects.filter(name="新建学校项目").exists()


def test_unit_cannot_hand_its_project_to_another_unit(world, client_for):
    client = client_for(world.department)
    response = client.patch(
        f"/api/projects/{world.project_a.pk}/", {"responsible_unit": world.town.pk}, content_type=JSON
    )
    assert response.status_code == 400
    assert "responsible_unit" in response.json()


@pytest.mark.parametrize("persona", ["owner_a", "leader", "inspector"])
def test_owners_leaders_and_inspectors_cannot_create_projects(world, client_for, persona):
    response = client_for(getattr(world, persona)).post(
        "/api/projects/", new_project(world), content_type=JSON
    )
    assert response.status_code == 403
    assert not Project.objects.filter(name="新建学校项目").exists()


# Validation: a field-level Chinese message, 400, nothing saved


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("code", "2020-4401-70-01-012345", "项目代码"),
        ("code", "2020-990104-70-01-012345", "行政区划"),
        ("build_years", "2023-2021", "结束年份"),
        ("build_years", "三年", "建设年限"),
        ("owner_phone", "12345", "电话号码"),
        ("responsible_phone", "1381234567", "电话号码"),
        ("latitude", "100", "90"),
        ("longitude", "181", "180"),
        ("total_investment", "-1", "0"),
        ("total_investment", "约3000", "数字"),
        ("planned_completion_date", "2025-01-01", "竣工时间"),
    ],
)
def test_bad_values_are_refused_with_a_field_message(world, client_for, field, value, words):
    client = client_for(world.coordinator)
    data = new_project(world, **{field: value})
    if field in ("latitude", "longitude"):
        data.update({"latitude": "34.5", "longitude": "113.5", field: value})
    if field == "planned_completion_date":
        data["planned_start_date"] = "2025-06-01"
    response = client.post("/api/projects/", data, content_type=JSON)
    assert response.status_code == 400
    message = " ".join(response.json()[field])
    assert words in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert not Project.objects.filter(name="新建学校项目").exists()


def test_bad_patch_changes_nothing(world, client_for):
    client = client_for(world.department)
    url = f"/api/projects/{world.project_a.pk}/"
    response = client.patch(url, {"total_investment": "约3000", "address": "新地址"}, content_type=JSON)
    assert response.status_code == 400
    assert "total_investment" in response.json()
    world.project_a.refresh_from_db()
    assert world.project_a.total_investment == Decimal("12000.00")
    assert world.project_a.address == ""
    assert not OperationLog.objects.filter(action="update").exists()


def test_latitude_without_longitude_is_refused(world, client_for):
    client = client_for(world.coordinator)
    response = client.post("/api/projects/", new_project(world, latitude="34.5"), content_type=JSON)
    assert response.status_code == 400
    assert "longitude" in response.json()


def test_a_project_code_used_twice_is_a_field_error(world, client_for):
    Project.objects.filter(pk=world.project_b.pk).update(code=VALID_CODE)
    client = client_for(world.coordinator)
    response = client.post("/api/projects/", new_project(world, code=VALID_CODE), content_type=JSON)
    assert response.status_code == 400
    assert "已被其他项目使用" in response.json()["code"][0]


def test_a_valid_code_is_saved(world, client_for):
    client = client_for(world.coordinator)
    response = client.post("/api/projects/", new_project(world, code=VALID_CODE), content_type=JSON)
    assert response.status_code == 201
    assert response.json()["code"] == VALID_CODE


# The operation log


def test_patch_is_logged_with_before_and_after(world, client_for):
    client = client_for(world.department)
    response = client.patch(
        f"/api/projects/{world.project_a.pk}/", {"total_investment": "13000.50"}, content_type=JSON
    )
    assert response.status_code == 200
    log = OperationLog.objects.get(action="update")
    assert log.project == world.project_a
    assert log.user == world.department
    assert log.changes == {"总投资（万元）": ["12000", "13000.50"]}


def test_history_lists_the_projects_log_to_those_who_see_it(world, client_for):
    client_for(world.department).patch(
        f"/api/projects/{world.project_a.pk}/", {"address": "滨河路"}, content_type=JSON
    )
    response = client_for(world.owner_a).get(f"/api/projects/{world.project_a.pk}/history/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert response.json()["count"] == 1
    assert rows[0]["action"] == "update"
    assert rows[0]["user_name"] == "江住建"
    assert rows[0]["changes"] == {"建设地点": ["", "滨河路"]}
    assert client_for(world.owner_b).get(f"/api/projects/{world.project_a.pk}/history/").status_code == 404


# Status changes


def test_status_change_is_recorded_and_logged(world, client_for):
    client = client_for(world.department)
    response = client.post(
        f"/api/projects/{world.project_a.pk}/status/",
        {"status": "suspended", "reason": "资金问题", "date": "2026-03-01"},
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "suspended"
    change = ProjectStatusChange.objects.get(project=world.project_a)
    assert change.changed_by == world.department
    assert str(change.effective_date) == "2026-03-01"
    log = OperationLog.objects.get(action="status")
    assert log.changes["项目状态"] == ["在建", "暂停施工"]


def test_suspending_without_a_reason_is_refused(world, client_for):
    client = client_for(world.coordinator)
    response = client.post(
        f"/api/projects/{world.project_a.pk}/status/", {"status": "suspended"}, content_type=JSON
    )
    assert response.status_code == 400
    assert "原因" in response.json()["reason"][0]
    world.project_a.refresh_from_db()
    assert world.project_a.status == "construction"


def test_an_impossible_transition_is_refused(world, client_for):
    client = client_for(world.coordinator)
    response = client.post(
        f"/api/projects/{world.project_a.pk}/status/", {"status": "reserve"}, content_type=JSON
    )
    assert response.status_code == 400
    assert "不能从" in response.json()["status"][0]


def test_status_change_follows_the_data_scope(world, client_for):
    url = f"/api/projects/{world.project_a.pk}/status/"
    data = {"status": "completed"}
    assert client_for(world.leader).post(url, data, content_type=JSON).status_code == 403
    assert client_for(world.owner_b).post(url, data, content_type=JSON).status_code == 404
    assert not ProjectStatusChange.objects.exists()


# The page's filters, shared through ProjectFilterSet


def listed(client, **params) -> set[str]:
    return names(client.get("/api/projects/", params))


def test_filter_by_status_and_category(world, client_for):
    client = client_for(world.coordinator)
    assert listed(client, status="construction") == {"滨河路改造工程"}
    both = client.get("/api/projects/?status=construction&status=preliminary")
    assert names(both) == {"滨河路改造工程", "城关智能制造产业园"}
    assert listed(client, category=Category.objects.get(code="industry").pk) == {"城关智能制造产业园"}


def test_filter_by_responsible_unit_includes_its_subtree(world, client_for):
    client = client_for(world.coordinator)
    assert listed(client, responsible_unit=world.government.pk) == {"滨河路改造工程", "城关智能制造产业园"}
    assert listed(client, responsible_unit=world.housing.pk) == {"滨河路改造工程"}
    assert listed(client, responsible_unit=world.town.pk) == {"城关智能制造产业园"}


def test_search_on_name_and_code(world, client_for):
    Project.objects.filter(pk=world.project_b.pk).update(code=VALID_CODE)
    client = client_for(world.coordinator)
    assert listed(client, q="滨河") == {"滨河路改造工程"}
    assert listed(client, q="440104") == {"城关智能制造产业园"}
    assert listed(client, q="不存在") == set()


def test_filters_stay_within_the_scope(world, client_for):
    """A unit outside the user's scope is not a choice: refused with the reason, nothing listed."""
    client = client_for(world.owner_a)
    response = client.get("/api/projects/", {"responsible_unit": world.town.pk})
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.json()["responsible_unit"][0]


def test_filter_by_plan_year_and_level_uses_the_plan_in_force(world, client_for):
    plan = Plan.objects.create(year=2026, level=PlanLevel.CITY, title="2026年市重点")
    for project in (world.project_a, world.project_b):
        PlanEntry.objects.create(
            plan=plan, project=project, plan_type=PlanType.CONTINUING, annual_investment=Decimal(1000)
        )
    adjusted = plan.adjust(by=world.coordinator)
    adjusted.entries.filter(project=world.project_b).delete()
    adjusted.issued_on = date(2026, 7, 1)
    adjusted.save()
    Plan.objects.create(year=2026, level=PlanLevel.PROVINCE, title="2026年省重点")
    client = client_for(world.coordinator)
    assert listed(client, plan_year=2026, plan_level="city") == {"滨河路改造工程"}
    assert listed(client, plan_year=2026, plan_level="province") == set()
    assert listed(client, plan_year=2025) == set()


@pytest.mark.parametrize(
    "bucket, expected",
    [
        ("<1y", {"9999.99"}),
        ("1-5y", {"10000.00", "49999.99"}),
        ("5-10y", {"50000.00", "99999.99"}),
        ("10y+", {"100000.00"}),
    ],
)
def test_size_buckets_split_exactly_at_their_bounds(world, client_for, bucket, expected):
    category = Category.objects.get(code="industry")
    for amount in ("9999.99", "10000.00", "49999.99", "50000.00", "99999.99", "100000.00"):
        Project.objects.create(
            name=f"项目{amount}",
            category=category,
            total_investment=Decimal(amount),
            responsible_unit=world.education,
        )
    client = client_for(world.coordinator)
    response = client.get("/api/projects/", {"size": bucket, "responsible_unit": world.education.pk})
    assert response.status_code == 200
    assert {row["total_investment"] for row in response.json()["results"]} == expected


def test_ordering_by_total_investment(world, client_for):
    client = client_for(world.coordinator)
    rows = client.get("/api/projects/?ordering=-total_investment").json()["results"]
    assert [row["name"] for row in rows] == ["城关智能制造产业园", "滨河路改造工程"]
    rows = client.get("/api/projects/?ordering=total_investment").json()["results"]
    assert [row["name"] for row in rows] == ["滨河路改造工程", "城关智能制造产业园"]


def test_bad_filter_value_is_a_400(world, client_for):
    response = client_for(world.coordinator).get("/api/projects/?status=unknown")
    assert response.status_code == 400


# Paging and cost


def test_page_size_can_be_raised_up_to_500(world, client_for):
    category = Category.objects.get(code="industry")
    Project.objects.bulk_create(
        Project(name=f"批量项目{i}", category=category, total_investment=1, responsible_unit=world.town)
        for i in range(60)
    )
    client = client_for(world.coordinator)
    default = client.get("/api/projects/").json()
    assert default["count"] == 62
    assert len(default["results"]) == 50
    assert len(client.get("/api/projects/?page_size=100").json()["results"]) == 62
    assert len(client.get("/api/projects/?page_size=10").json()["results"]) == 10


def make_projects(world, count: int, person_for) -> None:
    category = Category.objects.get(code="industry")
    Project.objects.bulk_create(
        Project(
            name=f"压测项目{i}",
            category=category,
            industry=world.project_a.industry,
            total_investment=Decimal(1000 + i),
            responsible_unit=world.housing,
            owner_unit=world.owner_a_unit,
            town=world.town,
            leader_in_charge=person_for(world.leader),
            chief_officer=person_for(world.coordinator),
        )
        for i in range(count)
    )


@pytest.mark.parametrize("persona", ["coordinator", "department", "owner_a"])
def test_list_costs_the_same_number_of_queries_for_3_and_30_projects(world, client_for, persona, person_for):
    client = client_for(getattr(world, persona))
    client.get("/api/projects/")
    make_projects(world, 3, person_for)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/projects/").status_code == 200
    make_projects(world, 27, person_for)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/projects/")
    assert response.json()["count"] >= 30
    assert len(many) == len(few)


def test_token_user_sees_the_same_scope(world, client):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.owner_b)
    response = client.get("/api/projects/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert names(response) == {"城关智能制造产业园"}


def test_inactive_users_see_nothing(world, client_for):
    User.objects.filter(pk=world.department.pk).update(is_active=False, role=Role.UNIT)
    response = client_for(world.department).get("/api/projects/")
    assert response.status_code in (401, 403)


def test_browsable_api_forms_do_not_list_objects_outside_the_scope(world, client_for):
    """The HTML page of the API takes writes as JSON: no drop-down of every unit, person or project."""
    client = client_for(world.department)
    page = client.get(f"/api/projects/{world.project_a.pk}/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    html = page.content.decode()
    assert world.project_a.name in html
    for outside in (world.education.name, world.outsider.name, world.project_b.name):
        assert outside not in html


def test_the_unit_filter_accepts_only_units_in_scope(world, client_for):
    client = client_for(world.department)
    own = client.get("/api/projects/", {"responsible_unit": world.housing.pk})
    assert names(own) == {world.project_a.name}
    other = client.get("/api/projects/", {"responsible_unit": world.education.pk})
    assert other.status_code == 400
    assert "responsible_unit" in other.json()


@pytest.mark.parametrize(
    "path", ["/api/projects/", "/api/problems/", "/api/notices/", "/api/pipeline-entries/", "/api/units/"]
)
def test_browsable_list_pages_offer_no_drop_down_of_other_units(world, client_for, path):
    html = client_for(world.owner_a).get(path, HTTP_ACCEPT="text/html").content.decode()
    assert world.education.name not in html
    assert world.owner_b_unit.name not in html


def test_the_api_module_imports_first_in_a_fresh_process():
    """DRF reads the renderer setting when its views are imported: that must not loop back into lib.api."""
    code = "import django; django.setup(); import lib.api, audit.api"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "keyprojects.settings"}
    completed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
