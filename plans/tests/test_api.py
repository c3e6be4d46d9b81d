"""/api/plans/ and /api/plan-entries/: plans read by all, drawn up by the coordinator's office."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import OperationLog
from catalog.models import Category
from plans.choices import PlanKind, PlanLevel, PlanType
from plans.models import Plan, PlanEntry
from projects.models import Project

JSON = "application/json"


@pytest.fixture
def plan(world) -> Plan:
    plan = Plan.objects.create(year=2026, level=PlanLevel.CITY, title="2026年市重点建设项目计划")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type=PlanType.CONTINUING, annual_investment=Decimal("3000")
    )
    PlanEntry.objects.create(
        plan=plan,
        project=world.project_b,
        plan_type=PlanType.NEW_START,
        annual_investment=Decimal("8000"),
        planned_start_month=5,
    )
    return plan


def entry_for(plan, project, **fields) -> dict:
    return {
        "plan": plan.pk,
        "project": project.pk,
        "plan_type": PlanType.CONTINUING,
        "annual_investment": "1500.00",
        **fields,
    }


# Plans


@pytest.mark.parametrize("persona", ["owner_a", "outsider", "leader", "department"])
def test_every_signed_in_user_reads_the_plans(world, client_for, plan, persona):
    response = client_for(getattr(world, persona)).get("/api/plans/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["title"] == "2026年市重点建设项目计划"
    assert row["level_display"] == "市重点"
    assert row["is_latest"] is True


@pytest.mark.parametrize("persona", ["owner_a", "department", "leader", "inspector"])
def test_only_the_coordinators_office_creates_plans(world, client_for, persona):
    data = {"year": 2027, "level": "local", "title": "2027年区重点"}
    assert client_for(getattr(world, persona)).post("/api/plans/", data, content_type=JSON).status_code == 403
    assert not Plan.objects.filter(year=2027).exists()


def test_coordinator_creates_a_plan(world, client_for):
    data = {"year": 2027, "level": "local", "title": "2027年区重点"}
    response = client_for(world.coordinator).post("/api/plans/", data, content_type=JSON)
    assert response.status_code == 201, response.content
    plan = Plan.objects.get(year=2027)
    assert (plan.version, plan.kind, plan.created_by) == (1, PlanKind.INITIAL, world.coordinator)
    assert OperationLog.objects.filter(action="create", object_id=str(plan.pk)).exists()


def test_a_second_plan_for_the_same_year_and_level_is_a_field_error(world, client_for, plan):
    data = {"year": 2026, "level": "city", "title": "重复"}
    response = client_for(world.coordinator).post("/api/plans/", data, content_type=JSON)
    assert response.status_code == 400
    assert "已存在" in response.json()["level"][0]


def test_plan_year_out_of_range_is_refused(world, client_for):
    data = {"year": 1990, "level": "city", "title": "旧计划"}
    response = client_for(world.coordinator).post("/api/plans/", data, content_type=JSON)
    assert response.status_code == 400
    assert "year" in response.json()


def test_a_plans_year_and_level_are_fixed_once_created(world, client_for, plan):
    response = client_for(world.coordinator).patch(
        f"/api/plans/{plan.pk}/", {"year": 2030, "title": "新标题"}, content_type=JSON
    )
    assert response.status_code == 200
    plan.refresh_from_db()
    assert (plan.year, plan.title) == (2026, "新标题")


def test_plan_update_is_forbidden_to_others(world, client_for, plan):
    response = client_for(world.department).patch(f"/api/plans/{plan.pk}/", {"title": "x"}, content_type=JSON)
    assert response.status_code == 403


def test_adjusting_a_plan_makes_a_new_version_with_its_entries(world, client_for, plan):
    response = client_for(world.coordinator).post(f"/api/plans/{plan.pk}/adjust/", {}, content_type=JSON)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["version"], data["kind"], data["is_latest"]) == (2, "adjustment", True)
    new = Plan.objects.get(pk=data["id"])
    assert new.entries.count() == 2
    old = client_for(world.coordinator).get(f"/api/plans/{plan.pk}/").json()
    assert old["is_latest"] is False


def test_only_the_latest_version_can_be_adjusted(world, client_for, plan):
    plan.adjust(by=world.coordinator)
    response = client_for(world.coordinator).post(f"/api/plans/{plan.pk}/adjust/", {}, content_type=JSON)
    assert response.status_code == 400
    assert "最新版本" in response.json()["non_field_errors"][0]


@pytest.mark.parametrize("persona", ["leader", "department", "owner_a"])
def test_others_cannot_adjust_plans(world, client_for, plan, persona):
    url = f"/api/plans/{plan.pk}/adjust/"
    assert client_for(getattr(world, persona)).post(url, {}, content_type=JSON).status_code == 403
    assert Plan.objects.count() == 1


def test_plans_filter_by_year_level_and_in_force(world, client_for, plan):
    adjusted = plan.adjust(by=world.coordinator)
    Plan.objects.create(year=2025, level=PlanLevel.PROVINCE, title="2025年省重点")
    client = client_for(world.owner_a)

    def versions(query: str) -> list[tuple[int, str, int]]:
        rows = client.get(f"/api/plans/?{query}").json()["results"]
        return sorted((row["year"], row["level"], row["version"]) for row in rows)

    # Until it is issued the adjustment is a draft, and version 1 stays in force.
    assert versions("in_force=true") == [(2025, "province", 1), (2026, "city", 1)]
    assert client.get(f"/api/plans/{adjusted.pk}/").json()["is_draft"] is True
    response = client_for(world.coordinator).patch(
        f"/api/plans/{adjusted.pk}/", {"issued_on": "2026-07-01"}, content_type=JSON
    )
    assert response.status_code == 200 and response.json()["is_draft"] is False

    assert versions("year=2026") == [(2026, "city", 1), (2026, "city", 2)]
    assert versions("level=province") == [(2025, "province", 1)]
    assert versions("in_force=true") == [(2025, "province", 1), (2026, "city", 2)]
    assert versions("in_force=false") == [(2026, "city", 1)]
    assert versions("version=2") == [(2026, "city", 2)]


def test_plans_cannot_be_deleted(world, client_for, plan):
    assert client_for(world.coordinator).delete(f"/api/plans/{plan.pk}/").status_code == 405


# Plan entries


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("coordinator", {"滨河路改造工程", "城关智能制造产业园"}),
        ("leader", {"滨河路改造工程", "城关智能制造产业园"}),
        ("department", {"滨河路改造工程"}),
        ("town_user", {"城关智能制造产业园"}),
        ("owner_a", {"滨河路改造工程"}),
        ("owner_b", {"城关智能制造产业园"}),
        ("outsider", set()),
    ],
)
def test_plan_entries_follow_the_projects_scope(world, client_for, plan, persona, expected):
    response = client_for(getattr(world, persona)).get("/api/plan-entries/")
    assert response.status_code == 200
    assert {row["project_name"] for row in response.json()["results"]} == expected


def test_another_units_plan_entry_is_not_found(world, client_for, plan):
    entry = plan.entries.get(project=world.project_b)
    assert client_for(world.owner_a).get(f"/api/plan-entries/{entry.pk}/").status_code == 404


def test_plan_entries_filter(world, client_for, plan):
    Plan.objects.create(year=2025, level=PlanLevel.LOCAL, title="2025年区重点")
    client = client_for(world.coordinator)

    def count(query: str) -> int:
        return client.get(f"/api/plan-entries/?{query}").json()["count"]

    assert count(f"plan={plan.pk}") == 2
    assert count("plan__year=2026") == 2
    assert count("plan__year=2025") == 0
    assert count("plan__level=city") == 2
    assert count("plan_type=new_start") == 1
    assert count(f"project={world.project_a.pk}") == 1
    assert (
        client_for(world.owner_a).get(f"/api/plan-entries/?project={world.project_b.pk}").json()["count"] == 0
    )


def test_coordinator_puts_a_project_on_the_latest_plan(world, client_for, plan):
    PlanEntry.objects.filter(project=world.project_a).delete()
    response = client_for(world.coordinator).post(
        "/api/plan-entries/", entry_for(plan, world.project_a), content_type=JSON
    )
    assert response.status_code == 201, response.content
    assert response.json()["annual_investment"] == "1500.00"
    assert OperationLog.objects.get(action="create").project == world.project_a


def test_a_project_twice_on_a_plan_is_a_field_error(world, client_for, plan):
    response = client_for(world.coordinator).post(
        "/api/plan-entries/", entry_for(plan, world.project_a), content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["project"] == ["该项目已在此计划中。"]


def test_entries_of_a_superseded_version_cannot_change(world, client_for, plan):
    plan.adjust(by=world.coordinator)
    client = client_for(world.coordinator)
    entry = plan.entries.get(project=world.project_a)
    PlanEntry.objects.filter(plan=plan, project=world.project_b).delete()

    created = client.post("/api/plan-entries/", entry_for(plan, world.project_b), content_type=JSON)
    changed = client.patch(f"/api/plan-entries/{entry.pk}/", {"annual_investment": "1"}, content_type=JSON)
    deleted = client.delete(f"/api/plan-entries/{entry.pk}/")
    for response in (created, changed, deleted):
        assert response.status_code == 400
        assert "最新" in response.json()["plan"][0]
    entry.refresh_from_db()
    assert entry.annual_investment == Decimal("3000")


@pytest.mark.parametrize(
    "fields, field, words",
    [
        ({"plan_type": PlanType.NEW_START}, "planned_start_month", "开工月份"),
        ({"plan_type": PlanType.COMPLETING}, "planned_completion_month", "竣工月份"),
        ({"planned_start_month": 13}, "planned_start_month", "12"),
        ({"planned_start_month": 9, "planned_completion_month": 3}, "planned_completion_month", "不能早于"),
        ({"annual_investment": "约3000"}, "annual_investment", "数字"),
        ({"annual_investment": "-5"}, "annual_investment", "0"),
    ],
)
def test_bad_plan_entries_are_refused(world, client_for, plan, fields, field, words):
    PlanEntry.objects.filter(project=world.project_a).delete()
    response = client_for(world.coordinator).post(
        "/api/plan-entries/", entry_for(plan, world.project_a, **fields), content_type=JSON
    )
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    assert not PlanEntry.objects.filter(project=world.project_a).exists()


@pytest.mark.parametrize("persona", ["department", "owner_a", "leader"])
def test_only_the_coordinators_office_changes_plan_entries(world, client_for, plan, persona):
    client = client_for(getattr(world, persona))
    entry = plan.entries.get(project=world.project_a)
    patch = client.patch(f"/api/plan-entries/{entry.pk}/", {"annual_investment": "1"}, content_type=JSON)
    assert patch.status_code == 403
    create = client.post("/api/plan-entries/", entry_for(plan, world.project_a), content_type=JSON)
    assert create.status_code == 403


def test_plan_entry_change_is_logged_with_before_and_after(world, client_for, plan):
    entry = plan.entries.get(project=world.project_a)
    response = client_for(world.coordinator).patch(
        f"/api/plan-entries/{entry.pk}/", {"annual_investment": "3500"}, content_type=JSON
    )
    assert response.status_code == 200
    log = OperationLog.objects.get(action="update")
    assert log.project == world.project_a
    assert log.changes == {"年度计划投资（万元）": ["3000", "3500"]}


def test_plan_entry_list_costs_the_same_for_3_and_30_entries(world, client_for):

    category = Category.objects.get(code="industry")
    client = client_for(world.department)

    def add(count: int) -> None:
        plan = Plan.objects.create(year=2000 + Plan.objects.count(), level=PlanLevel.LOCAL, title="计划")
        for i in range(count):
            project = Project.objects.create(
                name=f"项目{plan.year}-{i}",
                category=category,
                total_investment=1,
                responsible_unit=world.housing,
            )
            PlanEntry.objects.create(
                plan=plan, project=project, plan_type=PlanType.CONTINUING, annual_investment=Decimal(1)
            )

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/plan-entries/").json()["count"] == 3
    add(27)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/plan-entries/").json()["count"] == 30
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as two_plans:
        assert client.get("/api/plans/").json()["count"] == 2
    for year in range(2030, 2040):
        Plan.objects.create(year=year, level=PlanLevel.CITY, title="计划", created_by=world.coordinator)
    with CaptureQueriesContext(connection) as twelve_plans:
        assert client.get("/api/plans/").json()["count"] == 12
    assert len(twelve_plans) == len(two_plans)
