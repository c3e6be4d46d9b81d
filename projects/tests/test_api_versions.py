"""/api/projects/<id>/ and optimistic locking: ETag on read, If-Match (412) or a body version (409)
on write, and writes without a version still moving the version on."""

import pytest

from audit.models import OperationLog
from lib.api import exception_handler
from lib.versioning import VersionConflict
from projects.models import Project

JSON = "application/json"


@pytest.fixture
def url(world) -> str:
    return f"/api/projects/{world.project_a.pk}/"


def someone_else_saves(project: Project) -> None:
    project = Project.objects.get(pk=project.pk)
    project.address = "他人保存的地址"
    project.save_at_version(project.version, ["address"])


def test_reading_a_project_gives_its_version_as_etag(world, client_for, url):
    response = client_for(world.owner_a).get(url)
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert response.json()["version"] == 1


def test_a_patch_with_the_current_if_match_is_saved_and_answers_the_new_etag(world, client_for, url):
    response = client_for(world.department).patch(
        url, {"address": "滨河路"}, content_type=JSON, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    assert response.json()["version"] == 2
    world.project_a.refresh_from_db()
    assert (world.project_a.address, world.project_a.version) == ("滨河路", 2)


def test_a_patch_with_a_stale_if_match_is_412_and_changes_nothing(world, client_for, url):
    someone_else_saves(world.project_a)
    response = client_for(world.department).patch(
        url, {"address": "旧版本上的修改"}, content_type=JSON, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412
    assert "已被他人修改" in response.json()["detail"]
    world.project_a.refresh_from_db()
    assert (world.project_a.address, world.project_a.version) == ("他人保存的地址", 2)
    assert not OperationLog.objects.filter(action="update").exists()


def test_a_put_with_a_stale_if_match_is_412(world, client_for, url):
    client = client_for(world.coordinator)
    data = {key: value for key, value in client.get(url).json().items() if value is not None}
    data.pop("procedures")
    someone_else_saves(world.project_a)
    response = client.put(url, {**data, "address": "整条替换"}, content_type=JSON, HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    world.project_a.refresh_from_db()
    assert world.project_a.address == "他人保存的地址"


def test_a_patch_with_a_stale_body_version_is_409(world, client_for, url):
    someone_else_saves(world.project_a)
    response = client_for(world.department).patch(
        url, {"address": "旧版本上的修改", "version": 1}, content_type=JSON
    )
    assert response.status_code == 409
    assert "已被他人修改" in response.json()["detail"]
    world.project_a.refresh_from_db()
    assert world.project_a.address == "他人保存的地址"


def test_a_patch_with_the_current_body_version_is_saved(world, client_for, url):
    response = client_for(world.department).patch(url, {"address": "滨河路", "version": 1}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2


def test_a_patch_without_a_version_still_works_and_moves_the_version_on(world, client_for, url):
    someone_else_saves(world.project_a)
    response = client_for(world.department).patch(url, {"signing_status": "已签约"}, content_type=JSON)
    assert response.status_code == 200, response.content
    # The answer is the row as the write left it, others' change included, under its new ETag.
    assert (response.json()["version"], response.json()["address"]) == (3, "他人保存的地址")
    assert response["ETag"] == '"3"'
    world.project_a.refresh_from_db()
    # Only what the PATCH named is written: the other person's address stays.
    assert (world.project_a.address, world.project_a.signing_status) == ("他人保存的地址", "已签约")


def test_if_match_any_writes_whatever_the_version(world, client_for, url):
    someone_else_saves(world.project_a)
    response = client_for(world.department).patch(
        url, {"address": "滨河路"}, content_type=JSON, HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200


def test_an_if_match_this_api_never_gave_out_is_412(world, client_for, url):
    response = client_for(world.department).patch(
        url, {"address": "x"}, content_type=JSON, HTTP_IF_MATCH='"abc"'
    )
    assert response.status_code == 412
    world.project_a.refresh_from_db()
    assert world.project_a.address == ""


def test_a_body_version_that_contradicts_if_match_is_400(world, client_for, url):
    response = client_for(world.department).patch(
        url, {"address": "x", "version": 2}, content_type=JSON, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()["version"][0]


def test_a_version_sent_with_a_new_project_is_ignored(world, client_for):
    data = {
        "name": "新建学校项目",
        "category": world.project_a.category_id,
        "total_investment": "8000.00",
        "responsible_unit": world.housing.pk,
        "version": 7,
    }
    response = client_for(world.coordinator).post("/api/projects/", data, content_type=JSON)
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1


def test_a_write_refused_by_optimistic_locking_anywhere_in_the_api_is_a_409():
    """A status change (or any write) that meets a newer version says so, never 400 or 500."""
    response = exception_handler(VersionConflict(Project.conflict_message), {})
    assert response is not None
    assert response.status_code == 409
    assert "已被他人修改" in response.data["detail"]


def test_the_schema_documents_if_match_etag_and_the_refusals(world, client_for):
    schema = (
        client_for(world.coordinator)
        .get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )
    for method in ("put", "patch"):
        operation = schema["paths"]["/api/projects/{id}/"][method]
        assert "If-Match" in [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert {"200", "409", "412"} <= set(operation["responses"])
        assert "ETag" in operation["responses"]["200"]["headers"]
    read = schema["paths"]["/api/projects/{id}/"]["get"]
    assert "ETag" in read["responses"]["200"]["headers"]
    request_body = schema["components"]["schemas"]["PatchedProject"]["properties"]
    assert request_body["version"]["type"] == "integer"


def test_a_refused_write_adds_nobody_to_the_people_directory(world, client_for, url):
    from org.models import Person

    someone_else_saves(world.project_a)
    before = Person.objects.count()
    response = client_for(world.department).patch(
        url,
        {"owner_contact": "新联系人", "owner_phone": "13900001111"},
        content_type=JSON,
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 412
    assert Person.objects.count() == before
