"""节点计划: standard templates, backward scheduling (倒排工期), the war map and overdue nodes."""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import OperationLog
from milestones.models import Milestone, MilestoneTemplate
from milestones.querysets import overdue_milestones

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def templates(db):
    return {t.name: t for t in MilestoneTemplate.objects.all()}


@pytest.fixture
def scheduled(world, templates):
    world.project_a.planned_completion_date = date(2029, 12, 31)
    world.project_a.save()
    templates["房建类项目"].apply_to(world.project_a)
    return world.project_a


def test_the_migration_seeds_three_standard_templates(templates):
    assert list(templates) == ["房建类项目", "市政道路类项目", "产业类项目"]
    housing = {node.name: node.offset_days for node in templates["房建类项目"].nodes.all()}
    assert housing["开工"] == -540 and housing["主体封顶"] == -180 and housing["竣工验收"] == -30


def test_applying_a_template_schedules_back_from_the_planned_completion(world, scheduled):
    nodes = {m.name: m.planned_date for m in scheduled.milestones.all()}
    assert nodes["开工"] == date(2029, 12, 31) - timedelta(days=540)
    assert nodes["主体封顶"] == date(2029, 7, 4)
    assert nodes["交付使用"] == date(2029, 12, 31)
    assert all(m.responsible_unit == world.housing for m in scheduled.milestones.all())


def test_applying_again_adds_only_the_missing_nodes(world, scheduled, templates):
    Milestone.objects.filter(project=scheduled, name="开工").update(planned_date=date(2026, 8, 1))
    created = templates["市政道路类项目"].apply_to(scheduled)
    assert {m.name for m in created} == {"初步设计批复", "地下管网完成", "路基完成", "路面完成", "建成通车"}
    assert Milestone.objects.get(project=scheduled, name="开工").planned_date == date(2026, 8, 1)


def test_a_project_without_a_planned_completion_cannot_be_scheduled_back(world, client_for, templates):
    response = client_for(world.department).post(
        f"/milestones/project/{world.project_a.pk}/apply/",
        {"template": templates["房建类项目"].pk},
        follow=True,
    )
    assert "项目尚未填写计划竣工时间，无法倒排工期。" in [str(m) for m in response.context["messages"]]
    assert not Milestone.objects.exists()


def test_scheduling_back_on_the_page_is_logged(world, client_for, templates):
    world.project_a.planned_completion_date = date(2027, 6, 30)
    world.project_a.save()
    response = client_for(world.owner_a).post(
        f"/milestones/project/{world.project_a.pk}/apply/", {"template": templates["产业类项目"].pk}
    )
    assert response.status_code == 302
    assert world.project_a.milestones.count() == 9
    log = OperationLog.objects.get(object_type="项目节点")
    assert log.project == world.project_a and log.note == "按模板“产业类项目”倒排工期"


def test_overdue_milestones_are_yellow_then_red_thirty_days_later(world):
    today = date(2026, 6, 30)
    yellow = Milestone.objects.create(project=world.project_a, name="开工", planned_date=date(2026, 6, 1))
    red = Milestone.objects.create(project=world.project_a, name="施工许可", planned_date=date(2026, 5, 30))
    Milestone.objects.create(
        project=world.project_a, name="立项", planned_date=date(2026, 1, 1), actual_date=date(2026, 1, 5)
    )
    Milestone.objects.create(project=world.project_a, name="竣工", planned_date=date(2026, 12, 31))
    assert {m.pk: m.level for m in overdue_milestones(today, 0, 30)} == {yellow.pk: "yellow", red.pk: "red"}
    assert red.light(today, (0, 30)) == "red" and yellow.light(today, (0, 30)) == "yellow"


def test_overdue_milestones_are_one_query(world, django_assert_num_queries):
    for index in range(5):
        Milestone.objects.create(
            project=world.project_a, name=f"节点{index}", planned_date=date(2026, 1, index + 1)
        )
    with django_assert_num_queries(1):
        assert len(list(overdue_milestones(date(2026, 6, 1), 0, 30).values_list("project_id", "level"))) == 5


@pytest.mark.skipif(not apps.is_installed("alerts"), reason="the alerts app is not installed")
def test_an_overdue_milestone_lights_the_milestone_overdue_warning(world):
    from alerts.models import Alert
    from alerts.scan import run_scan

    today = timezone.localdate()
    node = Milestone.objects.create(
        project=world.project_a, name="开工", planned_date=today - timedelta(days=31)
    )
    run_scan(today, codes=["milestone_overdue"], notify=False)
    alert = Alert.objects.get(rule="milestone_overdue")
    assert (alert.colour, alert.object_key) == ("red", f"milestone:{node.pk}")
    assert "节点“开工”超期31天" in alert.message


SEES = {
    "coordinator": 200,
    "leader": 200,
    "inspector": 200,
    "department": 200,
    "town_user": 404,
    "owner_a": 200,
    "owner_b": 404,
    "outsider": 404,
}
CHANGES = {
    "coordinator": 200,
    "department": 200,
    "owner_a": 200,
    "leader": 403,
    "inspector": 403,
    "owner_b": 404,
}


@pytest.mark.parametrize("persona, expected", list(SEES.items()))
def test_a_projects_milestones_follow_its_scope(world, client_for, scheduled, persona, expected):
    client = client_for(getattr(world, persona))
    assert client.get(f"/milestones/project/{scheduled.pk}/").status_code == expected
    node = scheduled.milestones.first()
    assert client.get(f"/api/milestones/{node.pk}/").status_code == expected
    gantt = client.get("/milestones/")
    assert gantt.status_code == 200
    assert (scheduled in gantt.context["page"].object_list) == (expected == 200)


@pytest.mark.parametrize("persona, expected", list(CHANGES.items()))
def test_milestones_are_changed_by_those_who_change_the_project(
    world, client_for, scheduled, persona, expected
):
    client = client_for(getattr(world, persona))
    node = scheduled.milestones.get(name="开工")
    assert client.get(f"/milestones/project/{scheduled.pk}/{node.pk}/").status_code == expected
    api = client.patch(f"/api/milestones/{node.pk}/", {"actual_date": "2026-06-01"}, content_type=JSON)
    assert api.status_code == expected


def test_recording_an_actual_date_is_logged_and_a_future_one_refused(world, client_for, scheduled):
    node = scheduled.milestones.get(name="开工")
    client = client_for(world.owner_a)
    data = {
        "name": "开工",
        "planned_date": node.planned_date.isoformat(),
        "actual_date": "2026-07-01",
        "sort_order": 1,
    }
    assert client.post(f"/milestones/project/{scheduled.pk}/{node.pk}/", data).status_code == 302
    log = OperationLog.objects.get(object_type="项目节点", action="update")
    assert log.changes["实际完成日期"] == ["", "2026-07-01"]
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(f"/milestones/project/{scheduled.pk}/{node.pk}/", data | {"actual_date": future})
    assert response.context["form"].errors["actual_date"] == ["实际完成日期不能晚于今天。"]
    duplicate = client.post(f"/milestones/project/{scheduled.pk}/new/", data | {"name": "主体封顶"})
    assert duplicate.context["form"].errors["name"] == ["该项目已有名为“主体封顶”的节点。"]


def test_the_war_map_draws_every_node_today_and_marks_the_overdue_ones(world, client_for, scheduled):
    Milestone.objects.filter(project=scheduled, name="立项批复").update(
        planned_date=timezone.localdate() - timedelta(days=40)
    )
    response = client_for(world.coordinator).get("/milestones/")
    body = response.content.decode()
    chart = response.context["chart"]
    assert len(chart.rows) == 1 and len(chart.rows[0].marks) == 10
    assert chart.rows[0].overdue == 1 and chart.today_x is not None
    assert 'data-testid="today-line"' in body and "立项批复：计划" in body and "超期40天" in body
    assert "#d63939" in body


def test_the_war_map_filters_like_the_project_list_and_can_show_only_overdue(world, client_for, scheduled):
    client = client_for(world.coordinator)
    assert client.get("/milestones/?q=产业园").context["chart"] is None
    assert client.get("/milestones/?overdue=1").context["page"].paginator.count == 0
    Milestone.objects.filter(project=scheduled, name="立项批复").update(planned_date=date(2026, 1, 1))
    assert client.get("/milestones/?overdue=1").context["page"].paginator.count == 1
    assert client.get("/milestones/?export=xlsx").status_code == 200


def test_the_war_map_costs_the_same_for_one_or_many_projects(world, client_for, scheduled, templates):
    client = client_for(world.coordinator)
    with CaptureQueriesContext(connection) as one:
        client.get("/milestones/")
    world.project_b.planned_completion_date = date(2030, 6, 30)
    world.project_b.save()
    templates["产业类项目"].apply_to(world.project_b)
    with CaptureQueriesContext(connection) as two:
        client.get("/milestones/")
    assert len(two) == len(one)


def test_the_api_schedules_back_from_a_template(world, client_for, templates):
    world.project_b.planned_completion_date = date(2030, 6, 30)
    world.project_b.save()
    payload = {"project": world.project_b.pk, "template": templates["产业类项目"].pk}
    refused = client_for(world.owner_a).post("/api/milestones/apply-template/", payload, content_type=JSON)
    assert refused.status_code == 400 and refused.json()["project"] == ["项目不存在或无权操作。"]
    response = client_for(world.owner_b).post("/api/milestones/apply-template/", payload, content_type=JSON)
    assert response.status_code == 201 and len(response.json()) == 9
    assert {row["state"] for row in response.json()} == {"pending"}
    listed = client_for(world.owner_b).get(f"/api/milestones/?project={world.project_b.pk}").json()
    assert listed["count"] == 9
    assert (
        client_for(world.owner_a).get(f"/api/milestones/?project={world.project_b.pk}").json()["count"] == 0
    )


def test_templates_are_maintained_by_the_coordinators_office(world, client_for, templates):
    assert client_for(world.department).get("/milestones/templates/").status_code == 200
    assert client_for(world.department).get("/milestones/templates/new/").status_code == 403
    client = client_for(world.coordinator)
    response = client.post(
        "/milestones/templates/new/",
        {
            "name": "水利类项目",
            "project_kind": "河道治理",
            "sort_order": 4,
            "is_active": "on",
            "nodes-TOTAL_FORMS": "2",
            "nodes-INITIAL_FORMS": "0",
            "nodes-0-name": "开工",
            "nodes-0-offset_days": "-300",
            "nodes-0-sort_order": "1",
            "nodes-1-name": "完工验收",
            "nodes-1-offset_days": "0",
            "nodes-1-sort_order": "2",
        },
    )
    assert response.status_code == 302
    assert [n.name for n in MilestoneTemplate.objects.get(name="水利类项目").nodes.all()] == [
        "开工",
        "完工验收",
    ]
    assert client.get("/api/milestone-templates/").json()["count"] == 4
