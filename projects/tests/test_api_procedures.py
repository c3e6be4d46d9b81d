"""/api/procedures/: a project's procedures, reached only through the project's data scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import OperationLog
from catalog.models import ProcedureType
from projects.choices import ProcedureStatus
from projects.models import Procedure

JSON = "application/json"


@pytest.fixture
def procedures(world):
    approval = ProcedureType.objects.get(code="approval")
    return {
        "a": Procedure.objects.create(project=world.project_a, type=approval),
        "b": Procedure.objects.create(project=world.project_b, type=approval),
    }


def eia_for(project) -> dict:
    return {
        "project": project.pk,
        "type": ProcedureType.objects.get(code="eia").pk,
        "status": ProcedureStatus.IN_PROGRESS,
        "submitted_on": "2026-02-01",
    }


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
def test_procedure_list_follows_the_projects_scope(world, client_for, procedures, persona, expected):
    response = client_for(getattr(world, persona)).get("/api/procedures/")
    assert response.status_code == 200
    assert {row["project_name"] for row in response.json()["results"]} == expected


def test_owner_adds_a_procedure_to_its_project_and_it_is_logged(world, client_for):
    response = client_for(world.owner_a).post("/api/procedures/", eia_for(world.project_a), content_type=JSON)
    assert response.status_code == 201, response.content
    assert response.json()["type_name"] == "环评审批"
    log = OperationLog.objects.get(action="create")
    assert log.project == world.project_a
    assert log.changes["办理状态"] == ["", "办理中"]


@pytest.mark.parametrize("persona", ["owner_a", "department", "outsider", "leader", "inspector"])
def test_a_procedure_for_a_project_one_cannot_edit_is_a_project_field_error(world, client_for, persona):
    response = client_for(getattr(world, persona)).post(
        "/api/procedures/", eia_for(world.project_b), content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["project"] == ["项目不存在或无权操作。"]
    assert not Procedure.objects.exists()


def test_a_missing_project_reads_exactly_like_one_out_of_reach(world, client_for):
    client = client_for(world.owner_a)
    missing = eia_for(world.project_b) | {"project": 999_999}
    out_of_reach = eia_for(world.project_b)
    first = client.post("/api/procedures/", missing, content_type=JSON)
    second = client.post("/api/procedures/", out_of_reach, content_type=JSON)
    assert first.status_code == second.status_code == 400
    assert first.json() == second.json()


def test_procedure_rules_of_the_model_apply(world, client_for):
    data = eia_for(world.project_a) | {"status": ProcedureStatus.DONE}
    response = client_for(world.owner_a).post("/api/procedures/", data, content_type=JSON)
    assert response.status_code == 400
    assert "批复日期" in response.json()["approved_on"][0]


def test_approval_before_submission_is_refused(world, client_for):
    data = eia_for(world.project_a) | {"status": ProcedureStatus.DONE, "approved_on": "2026-01-01"}
    response = client_for(world.owner_a).post("/api/procedures/", data, content_type=JSON)
    assert response.status_code == 400
    assert "不能早于申报日期" in response.json()["approved_on"][0]


def test_the_same_procedure_twice_is_a_field_error_not_a_500(world, client_for, procedures):
    data = eia_for(world.project_a) | {"type": procedures["a"].type_id}
    response = client_for(world.owner_a).post("/api/procedures/", data, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["type"] == ["该项目已有此类手续记录。"]


def test_moving_a_procedure_to_a_project_out_of_reach_is_refused(world, client_for, procedures):
    response = client_for(world.owner_a).patch(
        f"/api/procedures/{procedures['a'].pk}/", {"project": world.project_b.pk}, content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["project"] == ["项目不存在或无权操作。"]
    procedures["a"].refresh_from_db()
    assert procedures["a"].project == world.project_a


def test_procedure_writes_follow_the_scope(world, client_for, procedures):
    url = f"/api/procedures/{procedures['a'].pk}/"
    change = {"document_number": "住建审〔2026〕1号"}
    assert client_for(world.owner_b).patch(url, change, content_type=JSON).status_code == 404
    denied = client_for(world.leader).patch(url, change, content_type=JSON)
    assert denied.status_code == 403
    assert "无权修改" in denied.json()["detail"]
    assert client_for(world.department).patch(url, change, content_type=JSON).status_code == 200
    assert OperationLog.objects.get(action="update").project == world.project_a


def test_deleting_a_procedure_is_logged_on_the_project(world, client_for, procedures):
    url = f"/api/procedures/{procedures['a'].pk}/"
    assert client_for(world.owner_b).delete(url).status_code == 404
    assert client_for(world.inspector).delete(url).status_code == 403
    assert client_for(world.owner_a).delete(url).status_code == 204
    assert not Procedure.objects.filter(pk=procedures["a"].pk).exists()
    log = OperationLog.objects.get(action="delete")
    assert log.project == world.project_a
    assert log.changes["手续类型"] == ["审批核准备案", ""]


def test_filter_by_project_gives_nothing_for_a_project_out_of_reach(world, client_for, procedures):
    client = client_for(world.owner_a)
    assert client.get(f"/api/procedures/?project={world.project_b.pk}").json()["count"] == 0
    assert client.get(f"/api/procedures/?project={world.project_a.pk}").json()["count"] == 1


def test_project_detail_nests_its_procedures(world, client_for, procedures):
    response = client_for(world.owner_a).get(f"/api/projects/{world.project_a.pk}/")
    assert [row["type_name"] for row in response.json()["procedures"]] == ["审批核准备案"]


def test_procedure_list_costs_the_same_for_few_and_many(world, client_for):
    client = client_for(world.coordinator)
    types = list(ProcedureType.objects.all())
    for kind in types[:3]:
        Procedure.objects.create(project=world.project_a, type=kind, department=world.housing)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/procedures/").json()["count"] == 3
    for project in (world.project_a, world.project_b):
        for kind in types:
            Procedure.objects.get_or_create(
                project=project, type=kind, defaults={"department": world.housing}
            )
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/procedures/").json()["count"] == 2 * len(types)
    assert len(many) == len(few)
